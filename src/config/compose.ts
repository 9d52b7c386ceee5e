import { analyzeCommandLine, analyzeWords } from './command-line.js';
import { classifyEnv } from './env-keys.js';
import { declare, LineIndex, substitute, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';
import { mapEntries, mapGet, offsetOf, parseYamlDocuments, scalarString, seqItems } from './yaml-doc.js';

/** docker-compose.yml, compose.yaml, docker-compose.override.yml, compose.prod.yml, … */
export function isComposeFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^(docker-)?compose(\.[\w-]+)*\.ya?ml$/.test(base);
}

/** At most this many ports from one range mapping (`8000-8100:8000-8100`): enough to compare. */
const MAX_RANGE = 32;

interface Mapping {
  readonly hostIp: string | null;
  readonly published: number[];
  readonly target: number[];
}

/**
 * Reads a short-syntax port mapping: `"3000"`, `"8080:3000"`, `"127.0.0.1:5432:5432"`,
 * `"[::1]:80:80"`, `"8000-8002:8000-8002"`, `"8080:3000/udp"`. Returns null when it is not one.
 *
 * @example
 * parseShortMapping('127.0.0.1:5432:5432') // { hostIp: '127.0.0.1', published: [5432], target: [5432] }
 */
export function parseShortMapping(text: string): Mapping | null {
  const spec = text.trim().replace(/\/(tcp|udp|sctp)$/i, '');
  const match = /^(?:(\[[^\]]+\]|[^:[\]]*):)??(?:([\d-]*):)?([\d-]+)$/.exec(spec);
  if (!match) return null;
  const hostIp = match[1] === undefined || match[1] === '' ? null : match[1].replace(/^\[|\]$/g, '');
  const target = expandRange(match[3] ?? '');
  const published = match[2] === undefined || match[2] === '' ? [] : expandRange(match[2]);
  if (target === null || published === null) return null;
  return { hostIp, published, target };
}

function expandRange(text: string): number[] | null {
  const [fromText, toText] = text.split('-');
  const from = toPort(fromText);
  const to = toText === undefined ? from : toPort(toText);
  if (from === null || to === null || to < from) return null;
  const out: number[] = [];
  for (let p = from; p <= to && out.length < MAX_RANGE; p++) out.push(p);
  return out;
}

/**
 * Docker Compose: each `ports:` mapping gives the host port as `publish` (with `host_ip`) and the
 * container port as `server`; `expose:` gives `server`; `environment` ports and URLs as for .env
 * (a bare PORT belongs to the service: `server`); `command:` ports as for a command line.
 * `${VAR:-default}` is substituted from the project's .env, as Compose does. `network_mode: host`
 * makes Docker ignore `ports:`: the container's ports are the host's, so its mappings are
 * declared as `server` only, with a warning.
 *
 * @example
 * parseCompose({ file: 'compose.yaml', text: 'services:\n  web:\n    ports: ["8080:3000"]\n', vars: new Map() })
 */
export function parseCompose(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const { docs, warnings } = parseYamlDocuments(input.text, input.file, lines);
  const declarations: Declaration[] = [];
  const add = (offset: number, role: Declaration['role'], host: string | null, port: number): void => {
    declarations.push(declare(lines, input.file, lines.lineOf(offset), 'compose', role, host, port));
  };
  const sub = (text: string): string => substitute(text, input.vars);
  for (const doc of docs) {
    for (const [name, service] of mapEntries(mapGet(doc.contents, 'services'))) {
      const networkMode = mapGet(service, 'network_mode');
      const hostNetwork = scalarString(networkMode) === 'host';
      const portsNode = mapGet(service, 'ports');
      if (hostNetwork && seqItems(portsNode).length > 0) {
        warnings.push({
          file: input.file,
          line: lines.lineOf(offsetOf(networkMode)),
          message: `service ${name} uses network_mode: host, so Docker ignores its ports: mappings; it binds the host's ports directly`,
        });
      }
      for (const item of seqItems(portsNode)) {
        const offset = offsetOf(item);
        const short = scalarString(item);
        let mapping: Mapping | null;
        if (short !== null) {
          mapping = parseShortMapping(sub(short));
        } else {
          const target = expandRange(sub(scalarString(mapGet(item, 'target')) ?? ''));
          const publishedText = scalarString(mapGet(item, 'published'));
          const published = publishedText === null ? [] : expandRange(sub(publishedText));
          const hostIp = scalarString(mapGet(item, 'host_ip'));
          mapping = target === null || published === null ? null : { hostIp: hostIp === null ? null : sub(hostIp), published, target };
        }
        if (mapping === null) {
          warnings.push({ file: input.file, line: lines.lineOf(offset), message: `service ${name}: cannot read the port mapping` });
          continue;
        }
        mapping.target.forEach((port, i) => {
          const published = mapping.published[i];
          if (published !== undefined && !hostNetwork) {
            add(short === null ? offsetOf(mapGet(item, 'published')) : offset, 'publish', mapping.hostIp, published);
          }
          add(short === null ? offsetOf(mapGet(item, 'target')) : offset, 'server', null, port);
        });
      }
      for (const item of seqItems(mapGet(service, 'expose'))) {
        for (const port of expandRange(sub((scalarString(item) ?? '').replace(/\/(tcp|udp)$/, ''))) ?? []) add(offsetOf(item), 'server', null, port);
      }
      declarations.push(...environmentDeclarations(mapGet(service, 'environment'), lines, input, sub));
      const command = mapGet(service, 'command');
      const commandText = scalarString(command);
      const found = commandText !== null ? analyzeCommandLine(commandText, input.vars) : analyzeWords(seqItems(command).map((n) => sub(scalarString(n) ?? '')), input.vars);
      for (const f of found) add(offsetOf(command), f.role, f.host, f.port);
    }
  }
  return { declarations, warnings };
}

/** `environment:` as a map (`PORT: 3000`) or a list (`- PORT=3000`). */
function environmentDeclarations(node: unknown, lines: LineIndex, input: ParserInput, sub: (t: string) => string): Declaration[] {
  const entries: { key: string; value: string; offset: number }[] = [];
  for (const [key, value, offset] of mapEntries(node)) entries.push({ key, value: sub(scalarString(value) ?? ''), offset });
  for (const item of seqItems(node)) {
    const text = scalarString(item) ?? '';
    const eq = text.indexOf('=');
    if (eq > 0) entries.push({ key: text.slice(0, eq), value: sub(text.slice(eq + 1)), offset: offsetOf(item) });
  }
  const all = new Map(entries.map((e) => [e.key, e.value]));
  const out: Declaration[] = [];
  for (const e of entries) {
    const found = classifyEnv(e.key, e.value, all, 'server');
    if (found !== null) out.push(declare(lines, input.file, lines.lineOf(e.offset), 'compose', found.role, found.host, found.port));
  }
  return out;
}
