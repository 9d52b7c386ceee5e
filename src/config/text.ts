import type { Declaration, DeclarationKind, DeclarationRole, Variables } from './types.js';

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
 * Shell/Compose/dotenv-expand substitution: `${VAR:-default}`, `${VAR-default}`, `${VAR}`, `$VAR`.
 * A variable we do not know and that has no default is left as written, so the caller sees
 * it is not a number and skips it rather than guessing.
 *
 * @example
 * substitute('${PORT:-3000}', new Map()) // '3000'
 */
export function substitute(value: string, vars: Pick<Variables, 'get'>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced: string | undefined, op: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const known = vars.get(name);
    if (op === undefined) return known ?? whole;
    const emptyCounts = op.startsWith(':');
    const missing = known === undefined || (emptyCounts && known === '');
    if (op.endsWith('-') || op.endsWith('=')) return missing ? (fallback ?? '') : (known ?? '');
    return known ?? whole;
  });
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
 * Reads a host and port from what configs write for an address: a URL (`http://localhost:8080/x`,
 * `jdbc:postgresql://db:5432/app`, port defaulted from the scheme), `host:port`, `[::1]:80`,
 * `tcp://0.0.0.0:3000`, or a bare port. Null when there is no port to be had.
 *
 * @example
 * parseAddress('http://localhost:8080/api') // { host: 'localhost', port: 8080 }
 */
export function parseAddress(raw: string): HostPort | null {
  const text = raw.trim().replace(/^jdbc:/, '');
  const bare = toPort(text);
  if (bare !== null) return { host: null, port: bare };
  const url = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#,]*)(?::(\d+))?/i.exec(text);
  if (url) {
    const scheme = (url[1] ?? '').toLowerCase().split('+')[0] ?? '';
    const host = stripBrackets(url[2] ?? '');
    const port = url[3] !== undefined ? toPort(url[3]) : (DEFAULT_PORTS[scheme] ?? null);
    if (port === null || host.includes('$') || host.includes('{')) return null;
    return { host: host === '' ? null : host, port };
  }
  const hostPort = /^(\[[^\]]*\]|[A-Za-z0-9_.-]*|\*):(\d{1,5})$/.exec(text);
  if (hostPort) {
    const port = toPort(hostPort[2]);
    if (port === null) return null;
    const host = stripBrackets(hostPort[1] ?? '');
    return { host: host === '' || host === '*' ? null : host, port };
  }
  return null;
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Builds a declaration whose text is the line as written. */
export function declare(lines: LineIndex, file: string, line: number, kind: DeclarationKind, role: DeclarationRole, host: string | null, port: number): Declaration {
  return { file, line, kind, role, host, port, text: lines.lineText(line) };
}
