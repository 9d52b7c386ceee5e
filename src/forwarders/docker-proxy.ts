/**
 * docker-proxy: the userland proxy Docker starts for each published port (`docker run -p`), one
 * process per host address, port and protocol. Its flags (moby cmd/docker-proxy, the same in
 * Debian's docker.io 20.10 and in Docker 28): `-proto`, `-host-ip`, `-host-port`, `-container-ip`,
 * `-container-port`, and in newer versions `-use-listen-fd` (dockerd binds the port and passes the
 * socket). Rootless Docker's `rootlesskit-docker-proxy` takes the same flags.
 */
import { parseGoFlags } from './go-flags.js';
import { portNumber, protocolOf } from './ports.js';
import type { ArgvForwards } from './types.js';

const SPEC = {
  values: new Set(['proto', 'host-ip', 'host-port', 'container-ip', 'container-port']),
  booleans: new Set(['use-listen-fd', 'v', 'version', 'i', 'no-local-ip']),
};

/**
 * How to stop a published port properly: stop the container that publishes it. Killing docker-proxy
 * only leaves Docker's state pointing at a dead proxy (the port stays allocated to the container).
 */
export function dockerStop(port: number, protocol: string, container?: { readonly name: string }): string {
  return container === undefined ? `docker stop $(docker ps -q --filter publish=${port}/${protocol})` : `docker stop ${container.name}`;
}

/**
 * The forward of one docker-proxy process, from its argv (program name first).
 *
 * @example
 * parseDockerProxyArgv(['/usr/sbin/docker-proxy', '-proto', 'tcp', '-host-ip', '127.0.0.1', '-host-port', '8080',
 *   '-container-ip', '172.17.0.2', '-container-port', '80'])
 * // { ok: true, forwards: [{ kind: 'docker-proxy', listensOn: 'this-host',
 * //   from: { address: '127.0.0.1', port: 8080, protocol: 'tcp' }, to: { host: '172.17.0.2', port: 80 },
 * //   stop: 'docker stop $(docker ps -q --filter publish=8080/tcp)' }] }
 */
export function parseDockerProxyArgv(argv: readonly string[]): ArgvForwards {
  const parsed = parseGoFlags(argv.slice(1), SPEC);
  if (!parsed.ok) return parsed;
  const { flags } = parsed;
  // Go's flag default for -proto is tcp.
  const protoText = flags.get('proto') ?? 'tcp';
  const protocol = protocolOf(protoText);
  if (protocol === null) return { ok: false, reason: `docker-proxy forwards ${protoText}, which portdoctor does not follow` };
  const hostPort = portNumber(flags.get('host-port') ?? '');
  const containerPort = portNumber(flags.get('container-port') ?? '');
  const containerIp = flags.get('container-ip');
  if (hostPort === null || containerPort === null || containerIp === undefined || containerIp === '') {
    return { ok: false, reason: 'docker-proxy command line without -host-port, -container-ip and -container-port' };
  }
  // Docker always passes -host-ip; without it the default differs between versions ("" = every
  // address of both families in 20.10, 0.0.0.0 in 28), so the socket table must say.
  const hostIp = flags.get('host-ip');
  return {
    ok: true,
    forwards: [
      {
        kind: 'docker-proxy',
        listensOn: 'this-host',
        from: { address: hostIp === undefined || hostIp === '' ? null : hostIp, port: hostPort, protocol },
        to: { host: containerIp, port: containerPort },
        stop: dockerStop(hostPort, protocol),
      },
    ],
  };
}
