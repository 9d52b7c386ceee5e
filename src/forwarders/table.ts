/**
 * Known forwarders as data: which process it is (by program name and command-line shape), what it
 * is, where to read its destination, and how to stop it properly. A rule or renderer looks a holder
 * up here instead of branching on names.
 */
import { conmonContainer, type ConmonContainer } from './conmon.js';
import { parseDockerProxyArgv } from './docker-proxy.js';
import { parseKubectlArgv } from './kubectl.js';
import { parseSocatArgv } from './socat.js';
import { parseSshArgv } from './ssh.js';
import type { ArgvForwards, Forward } from './types.js';
import type { Protocol } from '../types.js';

export type ForwarderKind =
  | 'docker-proxy'
  | 'dockerd'
  | 'rootlesskit'
  | 'docker-desktop'
  | 'podman-conmon'
  | 'kubectl-port-forward'
  | 'ssh'
  | 'socat'
  | 'wslrelay';

/**
 * Where the destination of a forward is written down:
 * - `arguments`: the command line (docker-proxy, ssh, socat, kubectl);
 * - `docker-api`: the Docker Engine API's container list (`Ports`) for the port;
 * - `nat-rules`: DNAT rules in the nat table (dockerd with `userland-proxy: false` only reserves the port);
 * - `same-port-in-vm`: the same port inside a virtual machine (WSL 2's localhost relay).
 */
export type DestinationSource = 'arguments' | 'docker-api' | 'nat-rules' | 'same-port-in-vm';

/** The process as the platform reports it. */
export interface ProcessIdentity {
  readonly pid: number;
  /** The short name (/proc/PID/comm on Linux: at most 15 characters). */
  readonly name: string;
  /** The command line, program first; empty when it could not be read. */
  readonly argv: readonly string[];
}

export interface ForwarderEntry {
  readonly kind: ForwarderKind;
  /** Program names (basename, lower case, `.exe` dropped), including comm's 15-character cut. */
  readonly names: readonly string[];
  /** For a person: what this process is. */
  readonly description: string;
  readonly destination: readonly DestinationSource[];
  /** True when signalling the process is the proper way to stop the forward. */
  readonly killable: boolean;
  /** How to stop it when the forwards do not say (no argv, or the destination is found elsewhere). */
  readonly stop: (pid: number) => string;
  /** Required command-line shape, when the name alone is not enough (`kubectl` does much else). */
  readonly shape?: (argv: readonly string[]) => boolean;
  readonly parse?: (argv: readonly string[], pid: number) => ArgvForwards;
  /** The container the process serves, when its command line names it. */
  readonly container?: (argv: readonly string[]) => ConmonContainer | null;
}

const DOCKER_STOP = 'docker stop <container> (docker ps names the container that publishes the port)';

/**
 * The table. Sources for each entry's facts: docker-proxy and rootlesskit-docker-proxy flags
 * (moby cmd/docker-proxy, rootlesskit cmd/rootlesskit-docker-proxy); dockerd holding the port itself
 * with `--userland-proxy=false` (observed with Debian's docker.io 20.10 in this repository's tests);
 * com.docker.backend holding published ports on macOS (docker/for-mac#4906, #5895); wslrelay.exe
 * holding WSL 2's forwarded ports on Windows (microsoft/WSL#10601, CzBiX/WSLHostPatcher#18); rootful
 * Podman's conmon holding published ports (observed with Debian's podman 4.3 in this repository's tests).
 */
export const FORWARDERS: readonly ForwarderEntry[] = [
  {
    kind: 'docker-proxy',
    names: ['docker-proxy', 'rootlesskit-docker-proxy', 'rootlesskit-doc'],
    description: "Docker's userland proxy for a published container port (docker run -p)",
    destination: ['arguments', 'docker-api'],
    killable: false,
    stop: () => DOCKER_STOP,
    parse: (argv) => parseDockerProxyArgv(argv),
  },
  {
    kind: 'dockerd',
    names: ['dockerd'],
    description: 'the Docker engine, holding a published port while DNAT rules forward it (userland-proxy: false)',
    destination: ['docker-api', 'nat-rules'],
    killable: false,
    stop: () => DOCKER_STOP,
  },
  {
    kind: 'rootlesskit',
    names: ['rootlesskit'],
    description: "rootless Docker's port forwarder (RootlessKit), for a container published by the user's own Docker engine",
    destination: ['docker-api'],
    killable: false,
    stop: () => `${DOCKER_STOP}, run as the user whose rootless engine it is`,
  },
  {
    kind: 'docker-desktop',
    names: ['com.docker.backend', 'com.docker.back', 'com.docker.vpnkit', 'vpnkit', 'vpnkit-bridge'],
    description: "Docker Desktop's port forwarder, for a container published in Docker Desktop's virtual machine",
    destination: ['docker-api'],
    killable: false,
    stop: () => DOCKER_STOP,
  },
  {
    kind: 'podman-conmon',
    names: ['conmon'],
    description: "Podman's container monitor, holding a published port while DNAT rules forward it to the container",
    destination: ['docker-api', 'nat-rules'],
    killable: false,
    stop: () => 'podman stop <container> (podman ps names the container that publishes the port)',
    container: conmonContainer,
  },
  {
    kind: 'kubectl-port-forward',
    names: ['kubectl', 'oc'],
    description: 'kubectl port-forward, a tunnel to a Kubernetes pod through the API server',
    destination: ['arguments'],
    killable: true,
    stop: (pid) => `kill ${pid}`,
    shape: (argv) => argv.includes('port-forward'),
    parse: (argv, pid) => parseKubectlArgv(argv, pid),
  },
  {
    kind: 'ssh',
    names: ['ssh'],
    description: 'an SSH client holding a tunnel (ssh -L / -R / -D)',
    destination: ['arguments'],
    killable: true,
    stop: (pid) => `kill ${pid}`,
    parse: (argv, pid) => parseSshArgv(argv, pid),
  },
  {
    kind: 'socat',
    names: ['socat'],
    description: 'socat relaying each connection to another address',
    destination: ['arguments'],
    killable: true,
    stop: (pid) => `kill ${pid}`,
    parse: (argv, pid) => parseSocatArgv(argv, pid),
  },
  {
    kind: 'wslrelay',
    names: ['wslrelay'],
    description: "WSL 2's localhost relay: a program inside WSL listens on this port and Windows forwards it there",
    destination: ['same-port-in-vm'],
    killable: false,
    stop: () => 'stop the program that listens on this port inside WSL (wsl.exe --shutdown stops every distribution)',
  },
];

/** `/usr/sbin/docker-proxy` → `docker-proxy`; `C:\Program Files\WSL\wslrelay.exe` → `wslrelay`. */
export function programName(path: string): string {
  const base = path.split(/[\\/]/).at(-1) ?? path;
  return base.toLowerCase().replace(/\.exe$/, '');
}

export interface ForwarderReading {
  readonly kind: ForwarderKind;
  readonly description: string;
  readonly destination: readonly DestinationSource[];
  /** Forwards read from the command line (empty when the destination is found elsewhere). */
  readonly forwards: readonly Forward[];
  /** Why the command line gave no forward although this forwarder writes one there; null otherwise. */
  readonly unread: string | null;
  /** What else the command line says (SOCKS proxies, Unix sockets, specs not read). */
  readonly notes: readonly string[];
  readonly killable: boolean;
  readonly stop: string;
  /** The container the command line names (conmon's -c/-n); null when it names none. */
  readonly container: ConmonContainer | null;
}

/** The table entry for a process, by argv[0] first and comm second; undefined when it is not a forwarder. */
export function forwarderEntry(process: ProcessIdentity): ForwarderEntry | undefined {
  const names = [process.argv[0] === undefined ? null : programName(process.argv[0]), programName(process.name)].filter((n): n is string => n !== null && n !== '');
  return FORWARDERS.find((entry) => entry.names.some((n) => names.includes(n)) && (entry.shape === undefined || entry.shape(process.argv)));
}

/**
 * Reads what a process forwards, or null when it is not a known forwarder.
 *
 * @example
 * readForwarder({ pid: 4242, name: 'ssh', argv: ['ssh', '-N', '-L', '8080:localhost:80', 'web1'] })?.forwards[0]?.to
 * // { host: 'localhost', port: 80 }
 */
export function readForwarder(process: ProcessIdentity): ForwarderReading | null {
  const entry = forwarderEntry(process);
  if (entry === undefined) return null;
  const container = entry.container?.(process.argv) ?? null;
  // A named container makes the stop exact (`podman stop web`).
  const stop = container !== null && container.name !== null && entry.kind === 'podman-conmon' ? `podman stop ${container.name}` : entry.stop(process.pid);
  const base = { kind: entry.kind, description: entry.description, destination: entry.destination, killable: entry.killable, stop, container };
  if (entry.parse === undefined) return { ...base, forwards: [], unread: null, notes: [] };
  if (process.argv.length === 0) return { ...base, forwards: [], unread: 'the command line could not be read', notes: [] };
  const parsed = entry.parse(process.argv, process.pid);
  if (!parsed.ok) return { ...base, forwards: [], unread: parsed.reason, notes: [] };
  return { ...base, forwards: parsed.forwards, unread: null, notes: parsed.notes ?? [] };
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** Does a forward's listening address (as written) cover the socket's local address? */
function addressCovers(written: string | null, address: string): boolean {
  if (written === null || written === '*') return true;
  if (written === 'localhost') return LOOPBACK.has(address);
  // Sockets report a wildcard as the wildcard itself (0.0.0.0, ::), so equality covers those too.
  return written === address;
}

/**
 * The forward (among a holder's) that a listening socket belongs to: same protocol, same port (or a
 * port the program picked at start, when exactly one such forward exists), an address it covers.
 *
 * @example
 * forwardForSocket(reading.forwards, { address: '127.0.0.1', port: 8080, protocol: 'tcp' })
 */
export function forwardForSocket(forwards: readonly Forward[], socket: { readonly address: string; readonly port: number; readonly protocol: Protocol }): Forward | null {
  const here = forwards.filter((f) => f.listensOn === 'this-host' && f.from.protocol === socket.protocol && addressCovers(f.from.address, socket.address));
  const exact = here.filter((f) => f.from.port === socket.port);
  if (exact.length > 0) return exact[0] ?? null;
  const picked = here.filter((f) => f.from.port === null);
  return picked.length === 1 ? (picked[0] ?? null) : null;
}
