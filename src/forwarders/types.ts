/**
 * Forwarders: programs that hold a port on behalf of something else (a container, a pod, the far end
 * of an SSH tunnel) and pass each connection on. The data here is what a process's command line says
 * about where it forwards; what is really at the far end is for the caller to look up.
 */
import type { Protocol } from '../types.js';

/** The forward shapes a command line can describe. */
export type ForwardKind = 'docker-proxy' | 'ssh-local' | 'ssh-remote' | 'socat' | 'kubectl-port-forward';

/** The listening end of a forward. */
export interface ForwardSource {
  /**
   * The address it listens on as the command line gives it (`127.0.0.1`, `::1`, `localhost`, `*` for
   * all interfaces); null when the command line leaves it to the program's default, which
   * configuration or the environment may change: then only the socket table can say.
   */
  readonly address: string | null;
  /** null when the program picks the port when it starts (`kubectl port-forward pod/x :5000`). */
  readonly port: number | null;
  readonly protocol: Protocol;
}

/** A Kubernetes object a `kubectl port-forward` goes to (a pod, or a pod picked through it). */
export interface KubeResource {
  /** As written, lower-cased: `pod`, `deployment`, `service`, `svc`, … (`pod` when no type was given). */
  readonly kind: string;
  readonly name: string;
  /** `-n`/`--namespace`; null means the context's default namespace. */
  readonly namespace: string | null;
  /** `--context`; null means the current context of the kubeconfig. */
  readonly context: string | null;
}

/** Where the connections go. */
export interface ForwardTarget {
  /** Host name or address as written (the container's address for docker-proxy, `pod/web` for kubectl). */
  readonly host: string;
  /** null when the command line names the port instead of numbering it (see `portName`), or for a Unix socket. */
  readonly port: number | null;
  /** Set when the far end is a Unix socket (`ssh -L 2375:/var/run/docker.sock host`); `host` is the path then. */
  readonly socketPath?: string;
  /** A named port (`kubectl port-forward service/web 8443:https`). */
  readonly portName?: string;
  /** The container behind a Docker forward, once the Docker Engine API has named it. */
  readonly container?: { readonly id: string; readonly name: string };
  readonly resource?: KubeResource;
}

/**
 * One forward as a command line describes it.
 *
 * @example
 * // docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8080 -container-ip 172.17.0.2 -container-port 80
 * const forward: Forward = {
 *   kind: 'docker-proxy', listensOn: 'this-host',
 *   from: { address: '127.0.0.1', port: 8080, protocol: 'tcp' },
 *   to: { host: '172.17.0.2', port: 80 },
 *   stop: 'docker stop $(docker ps -q --filter publish=8080/tcp)',
 * };
 */
export interface Forward {
  readonly kind: ForwardKind;
  /** `ssh-server` for `ssh -R`: the listener is on the SSH server and connections come back here. */
  readonly listensOn: 'this-host' | 'ssh-server';
  readonly from: ForwardSource;
  readonly to: ForwardTarget;
  /** The SSH destination (`user@host` as written) a tunnel goes through. */
  readonly via?: string;
  /** The right way to stop it, for a person (`docker stop web`, `kill 4242`). */
  readonly stop: string;
}

/** What an argv parser found: the forwards, or why the command line could not be read. */
export type ArgvForwards =
  | {
      readonly ok: true;
      readonly forwards: readonly Forward[];
      /** What else the command line says that is not a forward to one place (an SSH SOCKS proxy, a Unix socket listener). */
      readonly notes?: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Where the forwarder that holds a socket sends its connections: the `forward` field of a socket
 * in the JSON of `who`, `ls` and the doctor (public: fields are added, never renamed).
 *
 * @example
 * // docker-proxy on 127.0.0.1:8080
 * const forward: SocketForward = {
 *   forwarder: 'docker-proxy', description: "Docker's userland proxy for a published container port (docker run -p)",
 *   source: ['arguments', 'docker-api'],
 *   to: { host: '172.17.0.2', port: 80, container: { id: '7dbbae57773e…', name: 'web' } },
 *   stop: 'docker stop web', killable: false,
 * };
 */
export interface SocketForward {
  /** The forwarder's kind (`docker-proxy`, `dockerd`, `ssh`, `socat`, `kubectl-port-forward`, …). */
  readonly forwarder: string;
  /** For a person: what this process is. */
  readonly description: string;
  /** Where the destination was read: `arguments`, `docker-api`, `nat-rules`. */
  readonly source: readonly string[];
  /** The destination; null when it could not be read (`unread` says why). */
  readonly to: ForwardTarget | null;
  /** The SSH destination a tunnel goes through. */
  readonly via?: string;
  /** The DNAT rule that sends the connections, quoted, when the nat table says where they go. */
  readonly rule?: string;
  /** The proper way to stop the forward, for a person (`docker stop web`, `kill 4242`). */
  readonly stop: string;
  /** False when signalling the process is not the way to stop it (docker-proxy, dockerd, Docker Desktop). */
  readonly killable: boolean;
  /** Why the destination, or the container behind it, could not be read. */
  readonly unread?: string;
}
