import { expand, sourceAt, type Dialect, type Expansion, type Place, type Resolver } from './interpolate.js';
import { readAddress, toPort } from './text.js';
import type { ValueSource } from './types.js';

/**
 * What a configuration value says about a port once its variables are expanded: a port (and the
 * variable it came through), a port that cannot be read (with what stands in its place and why),
 * or nothing (the value is not an address or a port at all).
 */
export type PortOutcome =
  | { readonly ok: true; readonly host: string | null; readonly port: number; readonly via: ValueSource | null }
  | { readonly ok: false; readonly host: string | null; readonly value: string; readonly reason: string }
  | null;

/** Why a port that stands as `value` cannot be read. */
export function unknownReason(value: string): string {
  const variable = /\$\{[^}]*\}|\$[A-Za-z_]\w*|#\{[^}]*\}/.exec(value)?.[0];
  if (variable !== undefined) return `${variable} is not set in the project's files and has no default`;
  return `${JSON.stringify(value)} is not a port number`;
}

/** An expansion's text read as an address (see {@link readAddress}). */
export function addressOf(expansion: Expansion): PortOutcome {
  const read = readAddress(expansion.text);
  if (read === null) return null;
  if (!read.ok) return { ok: false, host: read.host, value: read.value, reason: unknownReason(read.value) };
  return { ok: true, host: read.host, port: read.port, via: sourceAt(expansion, read.portStart, read.portEnd) };
}

/**
 * Expands a value written in `dialect` and reads it as an address: a URL, `host:port` or a port.
 *
 * @example
 * resolveAddress('${BASE_URL:-http://localhost:${PORT:-4000}}', 'compose', () => undefined, { file: 'compose.yaml', line: 9 })
 * // { ok: true, host: 'localhost', port: 4000, via: { variable: 'PORT', from: 'default', file: 'compose.yaml', line: 9 } }
 */
export function resolveAddress(raw: string, dialect: Dialect, resolve: Resolver, at: Place): PortOutcome {
  return addressOf(expand(raw, dialect, resolve, at));
}

/**
 * Expands a value that should be a port number (`PORT=${PORT:-3000}`, `server.port=${PORT:8080}`).
 * A value that still holds an unexpanded variable is an unknown port; other text that is not a
 * number (and not an address either) says nothing.
 *
 * @example
 * resolvePort('${PORT:-3000}', 'shell', () => undefined, { file: '.env', line: 1 }) // { ok: true, host: null, port: 3000, via: { variable: 'PORT', from: 'default', … } }
 */
export function resolvePort(raw: string, dialect: Dialect, resolve: Resolver, at: Place): PortOutcome {
  const expansion = expand(raw, dialect, resolve, at);
  const port = toPort(expansion.text);
  if (port !== null) return { ok: true, host: null, port, via: sourceAt(expansion, 0, expansion.text.length) };
  if (!expansion.complete) {
    const address = addressOf(expansion);
    if (address !== null) return address;
    return { ok: false, host: null, value: expansion.text.trim(), reason: unknownReason(expansion.text) };
  }
  return addressOf(expansion);
}
