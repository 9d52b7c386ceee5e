/**
 * Where the Docker Engine API is: DOCKER_HOST when set (as the docker CLI reads it), otherwise the
 * platform's default socket, which the caller supplies (src/platform/<os>/docker-socket.ts).
 */
import type { Collected } from '../types.js';

export type DockerEndpoint =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

/** How a person would write the endpoint (`unix:///var/run/docker.sock`, `tcp://127.0.0.1:2375`). */
export function endpointText(endpoint: DockerEndpoint): string {
  if (endpoint.kind === 'unix') return `unix://${endpoint.path}`;
  return `tcp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;
}

const UNSUPPORTED_HINT = 'Point DOCKER_HOST at the engine\'s Unix socket (unix:///PATH) or at a plain-TCP port (tcp://HOST:PORT), or run `docker ps` yourself.';

/**
 * Reads DOCKER_HOST from `env`; without it, `defaultSocket`. TLS (DOCKER_TLS_VERIFY), ssh:// and
 * npipe:// endpoints are reported as not supported rather than tried.
 *
 * @example
 * dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, '/var/run/docker.sock')
 * // { ok: true, value: { kind: 'tcp', host: '127.0.0.1', port: 2375 } }
 */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>, defaultSocket: string): Collected<DockerEndpoint> {
  const host = env.DOCKER_HOST?.trim() ?? '';
  if (host === '') return { ok: true, value: { kind: 'unix', path: defaultSocket } };
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) return { ok: false, reason: `DOCKER_HOST=${host} is not an absolute socket path`, hint: 'Write it as unix:///path/to/docker.sock.' };
    return { ok: true, value: { kind: 'unix', path } };
  }
  if (host.startsWith('tcp://')) {
    if ((env.DOCKER_TLS_VERIFY ?? '') !== '') {
      return { ok: false, reason: `DOCKER_HOST=${host} with DOCKER_TLS_VERIFY needs TLS client certificates, which portdoctor does not use`, hint: UNSUPPORTED_HINT };
    }
    const match = /^tcp:\/\/(\[[^\]]+\]|[^:/[\]]+)(?::(\d{1,5}))?\/?$/.exec(host);
    const port = match?.[2] === undefined ? 2375 : Number(match[2]);
    if (match === null || port < 1 || port > 65535) return { ok: false, reason: `DOCKER_HOST=${host} is not tcp://HOST:PORT`, hint: UNSUPPORTED_HINT };
    const name = match[1] ?? '';
    return { ok: true, value: { kind: 'tcp', host: name.startsWith('[') ? name.slice(1, -1) : name, port } };
  }
  const scheme = /^([a-z]+):\/\//.exec(host)?.[1] ?? host;
  return { ok: false, reason: `DOCKER_HOST=${host}: ${scheme} endpoints are not supported`, hint: UNSUPPORTED_HINT };
}
