/**
 * The forwarding specifications of OpenSSH (`-L`, `-R`, `-D`, `LocalForward`, …), read the way
 * ssh(1) reads them (readconf.c, parse_forward): fields separated by `:`, a field in square brackets
 * taken literally (`[::1]`), a backslash escaping the next character, and a field containing `/`
 * meaning a Unix socket path. One to four fields:
 *
 *   -L [bind_address:]port:host:hostport     -L [bind_address:]port:remote_socket
 *   -L local_socket:host:hostport            -L local_socket:remote_socket
 *   -R [bind_address:]port:host:hostport     -R [bind_address:]port      (reverse SOCKS)
 *   -D [bind_address:]port
 */
import { portNumber } from './ports.js';

interface Field {
  readonly text: string;
  readonly isPath: boolean;
}

/** Splits a spec into its fields; null when it is malformed (unclosed bracket, empty spec, > 4 fields). */
export function forwardFields(spec: string): Field[] | null {
  const fields: Field[] = [];
  let i = spec.search(/\S/);
  if (i === -1) return null;
  while (i < spec.length) {
    if (fields.length === 4) return null;
    if (spec[i] === '[') {
      const close = spec.indexOf(']', i + 1);
      if (close === -1 || (close + 1 < spec.length && spec[close + 1] !== ':')) return null;
      const text = spec.slice(i + 1, close);
      fields.push({ text, isPath: text.includes('/') });
      i = close + 2;
      continue;
    }
    let text = '';
    let isPath = false;
    while (i < spec.length && spec[i] !== ':') {
      if (spec[i] === '\\') {
        if (i + 1 >= spec.length) return null;
        i++;
      } else if (spec[i] === '/') isPath = true;
      text += spec[i];
      i++;
    }
    fields.push({ text, isPath });
    // A trailing colon ends the spec: ssh sees an empty field there only as the end of the string.
    i++;
  }
  return fields;
}

/** One end of a forward: a TCP address and port (host null when not given), or a Unix socket path. */
export type SpecEnd =
  | { readonly kind: 'tcp'; readonly host: string | null; readonly port: number }
  | { readonly kind: 'path'; readonly path: string };

export interface ForwardSpec {
  readonly listen: SpecEnd;
  /** null for a dynamic (SOCKS) forward: each connection names its own destination. */
  readonly connect: SpecEnd | null;
}

/**
 * Parses one spec. `which` is the option it came from. Null when ssh itself would reject it, when a
 * port is a service name (ssh would look it up; we do not guess), or when it holds `${VAR}` (ssh
 * expands the environment of its own process, which a command line does not show).
 *
 * @example
 * parseForwardSpec('127.0.0.1:8080:db.internal:5432', 'local')
 * // { listen: { kind: 'tcp', host: '127.0.0.1', port: 8080 }, connect: { kind: 'tcp', host: 'db.internal', port: 5432 } }
 */
export function parseForwardSpec(spec: string, which: 'local' | 'remote' | 'dynamic'): ForwardSpec | null {
  if (spec.includes('${')) return null;
  const fields = forwardFields(spec);
  if (fields === null) return null;
  // -R allows listen port 0 (the server picks one); -L and -D do not.
  const listen = (host: string | null, portText: string): SpecEnd | null => {
    const port = portNumber(portText, which === 'remote');
    return port === null ? null : { kind: 'tcp', host, port };
  };
  const connect = (host: string, portText: string): SpecEnd | null => {
    const port = portNumber(portText);
    return port === null || host === '' ? null : { kind: 'tcp', host, port };
  };
  const path = (field: Field): SpecEnd => ({ kind: 'path', path: field.text });
  const [a, b, c, d] = fields;
  let ends: [SpecEnd | null, SpecEnd | null] | null = null;
  let dynamic = false;
  if (a !== undefined && b === undefined) {
    ends = [a.isPath ? path(a) : listen(null, a.text), null];
    dynamic = true;
  } else if (a !== undefined && b !== undefined && c === undefined) {
    if (a.isPath && b.isPath) ends = [path(a), path(b)];
    else if (b.isPath) ends = [listen(null, a.text), path(b)];
    else {
      ends = [listen(a.text, b.text), null];
      dynamic = true;
    }
  } else if (a !== undefined && b !== undefined && c !== undefined && d === undefined) {
    if (a.isPath) ends = [path(a), connect(b.text, c.text)];
    else if (c.isPath) ends = [listen(a.text, b.text), path(c)];
    else ends = [listen(null, a.text), connect(b.text, c.text)];
  } else if (a !== undefined && b !== undefined && c !== undefined && d !== undefined) {
    ends = [listen(a.text, b.text), connect(c.text, d.text)];
  }
  if (ends === null || ends[0] === null) return null;
  // Only -D, and -R with a listening end alone (a reverse SOCKS proxy), leave out the destination.
  if (dynamic) return which === 'local' ? null : { listen: ends[0], connect: null };
  if (which === 'dynamic' || ends[1] === null) return null;
  return { listen: ends[0], connect: ends[1] };
}
