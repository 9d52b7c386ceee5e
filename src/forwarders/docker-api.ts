/**
 * A minimal Docker Engine API client with no dependency: node:http over the engine's Unix socket (or
 * a plain-TCP DOCKER_HOST). Podman's service answers the same unversioned endpoints. Every call has
 * one deadline for the whole exchange (default 1 s) and a size cap, never throws for an expected
 * failure, and says why in words: `{ ok: true, value } | { ok: false, reason, hint }`.
 */
import { request, type IncomingMessage } from 'node:http';
import type { Collected } from '../types.js';
import {
  decodeApiError,
  decodeContainerDetails,
  decodeContainerList,
  decodeVersion,
  type ContainerDetails,
  type ContainerSummary,
  type EngineVersion,
} from './docker-api-decode.js';
import { endpointText, type DockerEndpoint } from './docker-endpoint.js';
import { demultiplex, rawLines, type DockerLogLine } from './docker-log-stream.js';

export interface DockerCallOptions {
  /** Deadline for the whole call, connect to last byte. */
  readonly timeoutMs?: number;
  /** Answers larger than this are cut off and reported. */
  readonly maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

interface Answer {
  readonly status: number;
  readonly contentType: string | null;
  readonly body: Buffer;
  /** True when the body was cut at maxBytes. */
  readonly truncated: boolean;
}

const START_HINT = 'Start the Docker engine (or Podman\'s service), or point DOCKER_HOST at the socket it listens on.';

function failure(endpoint: DockerEndpoint, error: NodeJS.ErrnoException, timeoutMs: number): { ok: false; reason: string; hint: string } {
  const where = endpointText(endpoint);
  switch (error.code) {
    case 'PD_TIMEOUT':
      return { ok: false, reason: `the Docker engine at ${where} did not answer within ${timeoutMs} ms`, hint: 'The engine may be busy or hung; `docker info` shows whether it answers at all.' };
    case 'ENOENT':
      return { ok: false, reason: `no Docker engine socket at ${endpoint.kind === 'unix' ? endpoint.path : where}`, hint: START_HINT };
    case 'EACCES':
    case 'EPERM':
      return { ok: false, reason: `no permission to use the Docker engine socket ${where}`, hint: 'Run as root, or as a member of the group that owns the socket (usually docker).' };
    case 'ECONNREFUSED':
      return { ok: false, reason: `nothing accepts connections at ${where}: the Docker engine is not running`, hint: START_HINT };
    case 'ENOTSOCK':
      return { ok: false, reason: `${where} is not a socket`, hint: 'Point DOCKER_HOST at the engine\'s socket.' };
    default:
      return { ok: false, reason: `the Docker engine at ${where} could not be reached: ${error.message}`, hint: START_HINT };
  }
}

/** One GET, bounded by `timeoutMs` from start to end; resolves, never rejects. */
function get(endpoint: DockerEndpoint, path: string, options: DockerCallOptions): Promise<Collected<Answer>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (value: Collected<Answer>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const target = endpoint.kind === 'unix' ? { socketPath: endpoint.path } : { host: endpoint.host, port: endpoint.port };
    // Host: the engine ignores it on a socket, but HTTP/1.1 wants one; no keep-alive, so nothing lingers.
    const req = request({ ...target, path, method: 'GET', headers: { Host: 'docker', Connection: 'close' }, agent: false });
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error('timeout');
      error.code = 'PD_TIMEOUT';
      req.destroy(error);
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => settle(failure(endpoint, error, timeoutMs)));
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = (): void => {
        const contentType = res.headers['content-type'] ?? null;
        settle({ ok: true, value: { status: res.statusCode ?? 0, contentType, body: Buffer.concat(chunks), truncated } });
      };
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (chunk.length >= room) {
          truncated = true;
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (error: NodeJS.ErrnoException) => settle(failure(endpoint, error, timeoutMs)));
    });
    req.end();
  });
}

/** JSON of a 2xx answer, or the engine's own error message in words. */
async function getJson(endpoint: DockerEndpoint, path: string, what: string, options: DockerCallOptions): Promise<Collected<unknown>> {
  const answer = await get(endpoint, path, options);
  if (!answer.ok) return answer;
  const { status, body, truncated } = answer.value;
  if (truncated) return { ok: false, reason: `the Docker engine's answer for ${what} is larger than ${options.maxBytes ?? DEFAULT_MAX_BYTES} bytes`, hint: 'Run the docker CLI for this one.' };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return { ok: false, reason: `the answer at ${endpointText(endpoint)} for ${what} is not JSON (HTTP ${status}): is this a Docker engine?`, hint: 'Point DOCKER_HOST at the Docker engine\'s socket.' };
  }
  if (status >= 200 && status < 300) return { ok: true, value: json };
  const message = decodeApiError(json) ?? `HTTP ${status}`;
  if (status === 404) return { ok: false, reason: message, hint: 'docker ps -a lists the containers that exist.' };
  return { ok: false, reason: `the Docker engine refused ${what}: ${message}`, hint: 'Check the engine with docker info.' };
}

function unexpected(what: string): { ok: false; reason: string; hint: string } {
  return { ok: false, reason: `the engine's answer for ${what} does not have the Docker API's shape`, hint: 'Check that DOCKER_HOST points at a Docker or Podman engine.' };
}

/**
 * Every container, running or not (`GET /containers/json?all=1`): names, state, published ports.
 *
 * @example
 * const list = await listContainers({ kind: 'unix', path: '/var/run/docker.sock' });
 * if (list.ok) for (const c of list.value) console.log(c.name, c.ports);
 */
export async function listContainers(endpoint: DockerEndpoint, options: DockerCallOptions = {}): Promise<Collected<ContainerSummary[]>> {
  const json = await getJson(endpoint, '/containers/json?all=1', 'the container list', options);
  if (!json.ok) return json;
  const list = decodeContainerList(json.value);
  return list === null ? unexpected('the container list') : { ok: true, value: list };
}

/**
 * One container's state, network settings and port bindings (`GET /containers/{id}/json`).
 *
 * @example
 * const web = await inspectContainer(endpoint, 'web');
 * if (web.ok && !web.value.state.running) console.log(`exited with ${web.value.state.exitCode}`);
 */
export async function inspectContainer(endpoint: DockerEndpoint, container: string, options: DockerCallOptions = {}): Promise<Collected<ContainerDetails>> {
  const json = await getJson(endpoint, `/containers/${encodeURIComponent(container)}/json`, `container ${container}`, options);
  if (!json.ok) return json;
  const details = decodeContainerDetails(json.value);
  return details === null ? unexpected(`container ${container}`) : { ok: true, value: details };
}

export interface LogOptions extends DockerCallOptions {
  /** How many lines from the end (default 100). */
  readonly tail?: number;
  /** Whether the container has a TTY (Config.Tty); when unknown it is inspected first, within the same deadline. */
  readonly tty?: boolean;
}

/**
 * The last lines a container wrote to stdout and stderr
 * (`GET /containers/{id}/logs?stdout=1&stderr=1&tail=N`), the multiplexed stream decoded.
 *
 * @example
 * const logs = await containerLogs(endpoint, 'web', { tail: 50, tty: false });
 * if (logs.ok) logs.value.filter((l) => l.stream === 'stderr');
 */
export async function containerLogs(endpoint: DockerEndpoint, container: string, options: LogOptions = {}): Promise<Collected<DockerLogLine[]>> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let tty = options.tty;
  if (tty === undefined) {
    const details = await inspectContainer(endpoint, container, options);
    if (!details.ok) return details;
    tty = details.value.tty;
  }
  const left = Math.max(1, timeoutMs - (Date.now() - started));
  const tail = Math.max(1, Math.floor(options.tail ?? 100));
  const answer = await get(endpoint, `/containers/${encodeURIComponent(container)}/logs?stdout=1&stderr=1&tail=${tail}`, { ...options, timeoutMs: left });
  if (!answer.ok) return answer;
  const { status, body, contentType } = answer.value;
  if (status < 200 || status >= 300) {
    let message: string | null = null;
    try {
      message = decodeApiError(JSON.parse(body.toString('utf8')));
    } catch {
      // not JSON: say the status
    }
    return { ok: false, reason: message ?? `the Docker engine answered HTTP ${status} for the logs of ${container}`, hint: 'docker ps -a lists the containers that exist.' };
  }
  // The TTY decides (Docker API docs, "Stream format"). API 1.42+ also names the format in
  // Content-Type; dockerd 20.10 sends no Content-Type for logs at all.
  const multiplexed = !tty || contentType?.includes('multiplexed') === true;
  if (!multiplexed) return { ok: true, value: rawLines(body) };
  const lines = demultiplex(body);
  if (lines === null) return { ok: false, reason: `the logs of ${container} are not in the Docker stream format`, hint: `Run: docker logs --tail ${tail} ${container}` };
  return { ok: true, value: lines };
}

/** The engine's version, and whether it is Podman (`GET /version`). */
export async function engineVersion(endpoint: DockerEndpoint, options: DockerCallOptions = {}): Promise<Collected<EngineVersion>> {
  const json = await getJson(endpoint, '/version', 'the version', options);
  if (!json.ok) return json;
  const version = decodeVersion(json.value);
  return version === null ? unexpected('the version') : { ok: true, value: version };
}
