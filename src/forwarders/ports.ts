/** Small readers shared by the argv parsers: port numbers, protocols, bracketed IPv6 hosts. */
import type { Protocol } from '../types.js';

/**
 * A decimal port 1–65535 (or 0 when `allowZero`); null for anything else, service names included:
 * resolving `http` would need the system's services database, and a guess is worse than no answer.
 *
 * @example
 * portNumber('8080') // 8080
 * portNumber('http') // null
 */
export function portNumber(text: string, allowZero = false): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  if (port > 65535 || (port === 0 && !allowZero)) return null;
  return port;
}

/** `tcp`/`udp` (any case) as a Protocol; null for sctp and the rest. */
export function protocolOf(text: string): Protocol | null {
  const lower = text.toLowerCase();
  return lower === 'tcp' || lower === 'udp' ? lower : null;
}

/** `[::1]` → `::1`; other text unchanged. */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
