import { closingBrace, expand, resolverOf } from './interpolate.js';
import type { Declaration, DeclarationKind, DeclarationNetwork, DeclarationProtocol, DeclarationRole, UnresolvedDeclaration, ValueSource, Variables } from './types.js';

/**
 * Offsets → line numbers for one text. Parsers that work on offsets (YAML, JSONC, the JS
 * tokenizer) share this so every declaration's `line` and `text` are computed the same way.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** 1-based line of a 0-based offset. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** The text of a 1-based line, without its line ending. */
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line];
    const raw = this.text.slice(start, next === undefined ? undefined : next - 1);
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  }
}

/** Whole decimal 1–65535, or null. */
export function toPort(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * Shell/Compose/dotenv-expand substitution: `${VAR:-default}` (nested too), `${VAR-default}`,
 * `${VAR}`, `$VAR`. A variable we do not know and that has no default is left as written, so the
 * caller sees it is not a number and skips it rather than guessing. (The engine is
 * {@link expand}; this is its text-only form.)
 *
 * @example
 * substitute('${PORT:-3000}', new Map()) // '3000'
 */
export function substitute(value: string, vars: Pick<Variables, 'get'>): string {
  return expand(value, 'shell', resolverOf(vars)).text;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  ws: 80,
  https: 443,
  wss: 443,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  rediss: 6379,
  mongodb: 27017,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
  memcached: 11211,
};

export interface HostPort {
  readonly host: string | null;
  readonly port: number;
}

/**
 * What an address says: a host and port, or a host whose port cannot be read (`value` is what
 * stands in its place). `portStart`/`portEnd` locate the port in the text that was read (equal
 * when the port is the scheme's default), so a caller can tell which variable produced it.
 */
export type AddressRead =
  | { readonly ok: true; readonly host: string | null; readonly port: number; readonly portStart: number; readonly portEnd: number }
  | { readonly ok: false; readonly host: string | null; readonly value: string; readonly portStart: number; readonly portEnd: number };

/** Wildcard spellings: `0` (gunicorn `0:8000`) is 0.0.0.0; `*` and an empty host mean "any": null. */
export function normalizeHost(host: string): string | null {
  const bare = stripBrackets(host);
  if (bare === '' || bare === '*') return null;
  if (bare === '0') return '0.0.0.0';
  return bare;
}

/** Index of the first of `stops` at or after `from`, treating `${…}` and `#{…}` as one unit. */
function scanTo(text: string, from: number, stops: string): number {
  for (let i = from; i < text.length; i++) {
    const c = text[i] ?? '';
    if ((c === '$' || c === '#') && text[i + 1] === '{') {
      const close = closingBrace(text, i + 1);
      if (close === -1) return text.length;
      i = close;
    } else if (stops.includes(c)) {
      return i;
    }
  }
  return text.length;
}

const UNRESOLVED = /\$|#\{/;

/**
 * Reads a host and port from what configs write for an address: a URL (`http://localhost:8080/x`,
 * `jdbc:postgresql://db:5432/app`, port defaulted from the scheme when the URL has none),
 * `host:port`, `[::1]:80`, `tcp://0.0.0.0:3000`, or a bare port. A URL whose port is there but
 * not a number (`http://localhost:${PORT}`, `:$npm_package_config_port`, stray bytes) gives
 * `ok: false`: the port is unknown, never the scheme's default. Null when it is not an address.
 *
 * @example
 * readAddress('http://localhost:${PORT}') // { ok: false, host: 'localhost', value: '${PORT}', portStart: 17, portEnd: 24 }
 */
export function readAddress(raw: string): AddressRead | null {
  const lead = raw.length - raw.trimStart().length;
  let text = raw.trim();
  let base = lead;
  if (text.startsWith('jdbc:')) {
    text = text.slice(5);
    base += 5;
  }
  const bare = toPort(text);
  if (bare !== null) return { ok: true, host: null, port: bare, portStart: base, portEnd: base + text.length };
  // The scheme may itself be an expression (`http${tls ? 's' : ''}://localhost:8080`): the port still reads.
  // (One quantifier over alternatives that cannot overlap: a long base64 value must not backtrack.)
  const scheme = /^((?:[a-z]|\$\{[^}]*\})(?:[a-z0-9+.-]|\$\{[^}]*\})*):\/\//i.exec(text);
  if (scheme) {
    const authorityStart = scheme[0].length;
    const authorityEnd = scanTo(text, authorityStart, '/?#,; \t');
    const authority = text.slice(authorityStart, authorityEnd);
    const at = authority.lastIndexOf('@');
    const hostStart = authorityStart + at + 1;
    const hostEnd = text[hostStart] === '[' ? text.indexOf(']', hostStart) + 1 || authorityEnd : scanTo(text, hostStart, ':/?#,; \t');
    const hostText = text.slice(hostStart, Math.min(hostEnd, authorityEnd));
    // A placeholder (`postgresql://***`) is not a host: no address at all.
    if (!/^([\w.%-]*|\[[^\]]*\]|\$\{[^}]*\}[\w.${}:-]*)$/.test(hostText)) return null;
    const host = normalizeHost(hostText);
    const portText = hostEnd < authorityEnd && text[hostEnd] === ':' ? text.slice(hostEnd + 1, authorityEnd) : '';
    const portStart = base + hostEnd + 1;
    if (portText === '') {
      const name = (scheme[1] ?? '').toLowerCase().split('+')[0] ?? '';
      const port = DEFAULT_PORTS[name];
      if (port === undefined) return null;
      return { ok: true, host, port, portStart: base + hostEnd, portEnd: base + hostEnd };
    }
    const port = /^\d+$/.test(portText) ? toPort(portText) : null;
    if (port !== null) return { ok: true, host, port, portStart, portEnd: portStart + portText.length };
    return { ok: false, host, value: portText, portStart, portEnd: portStart + portText.length };
  }
  const colon = text.startsWith('[') ? text.indexOf(']:') + 1 : scanTo(text, 0, ':');
  if (colon <= 0 && !text.startsWith(':')) return null;
  const hostText = text.slice(0, Math.max(colon, 0));
  const portText = text.slice(colon + 1);
  if (!/^(\[[^\]]*\]|[A-Za-z0-9_.-]*|\*|\$\{[^}]*\}|\$[A-Za-z_]\w*)$/.test(hostText)) return null;
  const portStart = base + colon + 1;
  if (/^\d{1,5}$/.test(portText)) {
    const port = toPort(portText);
    return port === null ? null : { ok: true, host: normalizeHost(hostText), port, portStart, portEnd: portStart + portText.length };
  }
  // `localhost:$PORT`: an address whose port is a variable nobody sets. Anything else (`unix:/x`,
  // `key:value`) is not an address at all.
  if (UNRESOLVED.test(portText) && !/\s/.test(portText) && (hostText !== '' || text.startsWith(':'))) {
    return { ok: false, host: normalizeHost(hostText), value: portText, portStart, portEnd: portStart + portText.length };
  }
  return null;
}

/**
 * The host and port of an address when both are plain (see {@link readAddress}); null when it is
 * not an address, its port is unknown or its host is an unexpanded variable.
 *
 * @example
 * parseAddress('http://localhost:8080/api') // { host: 'localhost', port: 8080 }
 */
export function parseAddress(raw: string): HostPort | null {
  const read = readAddress(raw);
  if (read === null || !read.ok || (read.host !== null && UNRESOLVED.test(read.host))) return null;
  return { host: read.host, port: read.port };
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The fields a declaration may add to file, line, kind, role, host and port. */
export interface DeclarationExtras {
  readonly protocol?: DeclarationProtocol;
  readonly network?: DeclarationNetwork;
  readonly service?: string | null;
  readonly via?: ValueSource | null;
}

/** Builds a declaration whose text is the line as written. */
export function declare(lines: LineIndex, file: string, line: number, kind: DeclarationKind, role: DeclarationRole, host: string | null, port: number, extras: DeclarationExtras = {}): Declaration {
  const { protocol, network, service } = placeFields(extras);
  return { file, line, kind, role, host, port, text: lines.lineText(line), protocol, network, service, via: extras.via ?? null };
}

/** Builds an unresolved declaration: the place declares a port, `value` stands where it should be. */
export function declareUnresolved(lines: LineIndex, file: string, line: number, kind: DeclarationKind, role: DeclarationRole, host: string | null, value: string, reason: string, extras: Omit<DeclarationExtras, 'via'> = {}): UnresolvedDeclaration {
  const { protocol, network, service } = placeFields(extras);
  return { file, line, kind, role, host, port: null, text: lines.lineText(line), protocol, network, service, value, reason };
}

function placeFields(extras: DeclarationExtras): Pick<Declaration, 'protocol' | 'network' | 'service'> {
  return { protocol: extras.protocol ?? 'tcp', network: extras.network ?? 'host', service: extras.service ?? null };
}

/**
 * True when an address states its port (`kafka:9092`, `http://api:4000/x`, `http://localhost:${P}`),
 * with a host that is a name or an IPv4 address: `16:9` or `12:30` are not addresses.
 */
export function explicitPort(text: string): boolean {
  const rest = text.replace(/^[a-z][a-z0-9+.-]*:\/\/([^@/]*@)?/i, '');
  const match = /^(\[[^\]]+\]|[^:/?#\s]+):(\d{1,5}|\$\{[^}]*\}|\$\w+)(?:[/?#]|$)/.exec(rest);
  if (match === null) return false;
  const host = match[1] ?? '';
  return /[A-Za-z]/.test(host) || /^\d+\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('[');
}
