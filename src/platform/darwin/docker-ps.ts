import type { Protocol } from '../../types.js';

/**
 * `docker ps --format '{{json .}}'`: one JSON object per running container. Its `Ports` field is
 * the CLI's text, e.g. `0.0.0.0:8081->8081/tcp, :::8081->8081/tcp` (IPv6 as `:::` or `[::]:`),
 * `0.0.0.0:8000-8001->8000-8001/tcp` (a range), `80/tcp` (exposed, not published).
 */

/** A host port a container publishes. */
export interface PublishedPort {
  /** The host address (`0.0.0.0`, `::`, `127.0.0.1`). */
  readonly hostAddress: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export interface DockerContainer {
  readonly id: string;
  /** The first of `Names`. */
  readonly name: string;
  readonly image: string;
  /** `running`, `exited`, … (older CLIs print no State: then null). */
  readonly state: string | null;
  readonly published: readonly PublishedPort[];
}

export interface DockerPsResult {
  readonly containers: readonly DockerContainer[];
  readonly problems: readonly string[];
}

const MAPPING = /^(.*):(\d{1,5})(?:-(\d{1,5}))?->(\d{1,5})(?:-(\d{1,5}))?\/(tcp|udp|sctp)$/;

/**
 * The published ports of one `Ports` text (exposed-only ports are left out).
 *
 * @example
 * parsePortsText('0.0.0.0:8081->8081/tcp, :::8081->8081/tcp');
 * // [{ hostAddress: '0.0.0.0', hostPort: 8081, containerPort: 8081, protocol: 'tcp' },
 * //  { hostAddress: '::', hostPort: 8081, containerPort: 8081, protocol: 'tcp' }]
 */
export function parsePortsText(text: string): PublishedPort[] {
  const published: PublishedPort[] = [];
  for (const item of text.split(',')) {
    const match = MAPPING.exec(item.trim());
    if (match === null) continue;
    const [, host = '', first = '', last, target = '', , protocol = ''] = match;
    if (protocol === 'sctp') continue;
    const hostAddress = host.replace(/^\[(.*)\]$/, '$1') || '0.0.0.0';
    const from = Number(first);
    const to = last === undefined ? from : Number(last);
    for (let port = from; port <= to && port <= 65535; port++) {
      published.push({ hostAddress, hostPort: port, containerPort: Number(target) + (port - from), protocol: protocol as Protocol });
    }
  }
  return published;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Reads the containers of `docker ps --format '{{json .}}'` output; lines that are not JSON
 * objects are named in `problems`.
 *
 * @example
 * parseDockerPs('{"ID":"69dce10678ec","Image":"mongo-express:latest","Names":"mongo-express","Ports":"0.0.0.0:8081->8081/tcp","State":"running"}\n').containers[0]?.name;
 * // 'mongo-express'
 */
export function parseDockerPs(output: string): DockerPsResult {
  const containers: DockerContainer[] = [];
  const problems: string[] = [];
  output.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1} is not JSON`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(`line ${index + 1} is not a JSON object`);
      return;
    }
    const fields = value as Record<string, unknown>;
    const state = text(fields['State']);
    containers.push({
      id: text(fields['ID']),
      name: text(fields['Names']).split(',')[0] ?? '',
      image: text(fields['Image']),
      state: state === '' ? null : state,
      published: parsePortsText(text(fields['Ports'])),
    });
  });
  return { containers, problems };
}
