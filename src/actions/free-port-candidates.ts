import { isIP } from 'node:net';
import { unmapIPv4 } from '../address.js';
import { isBrowserUnsafePort } from '../data/services.js';
import { inSpan } from '../port.js';

/** An inclusive port range. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/** What to leave out of the search (explicitly preferred ports are exempt). */
export interface Avoidance {
  /** The kernel's ephemeral range, where outgoing connections take local ports at any moment. */
  readonly ephemeral: Span | null;
  /** `ip_local_reserved_ports`: an administrator set these aside for something. */
  readonly reserved: readonly Span[];
  /** Ports browsers refuse to connect to (ERR_UNSAFE_PORT). */
  readonly browserUnsafe: boolean;
  /** Ports the caller rules out. */
  readonly exclude: ReadonlySet<number>;
}

export interface CandidateQuery {
  readonly range: Span;
  readonly prefer: readonly number[];
  readonly avoid: Avoidance;
  /** Ports some socket of the protocol already uses (from the socket table). */
  readonly occupied: ReadonlySet<number>;
  /** Ports nobody may bind (Windows' excluded ranges): never offered, not even when preferred. */
  readonly unbindable?: readonly Span[];
  /** Where in the range to start (wrapping around): 0 scans upwards from `range.from`. */
  readonly startOffset: number;
}


/** True when the avoidance rules leave `port` out. Pure. */
export function isAvoided(port: number, avoid: Avoidance): boolean {
  return (
    avoid.exclude.has(port) ||
    (avoid.ephemeral !== null && inSpan(port, avoid.ephemeral)) ||
    avoid.reserved.some((span) => inSpan(port, span)) ||
    (avoid.browserUnsafe && isBrowserUnsafePort(port))
  );
}

/**
 * The ports worth a trial bind, best first: the preferred ports that the socket table shows
 * unused (in the caller's order, avoidance not applied — the caller named them), then the range
 * from `startOffset`, wrapping around, minus avoided and occupied ports. Lazy, so a search that
 * succeeds at once never walks 60 000 ports. Pure.
 *
 * @example
 * [...candidatePorts({ range: { from: 3000, to: 3005 }, prefer: [], avoid, occupied: new Set([3000]), startOffset: 0 })];
 * // [3001, 3002, 3003, 3004, 3005]
 */
export function* candidatePorts(query: CandidateQuery): Generator<number> {
  const seen = new Set<number>();
  const unbindable = query.unbindable ?? [];
  const blocked = (port: number): boolean => query.occupied.has(port) || unbindable.some((span) => inSpan(port, span));
  for (const port of query.prefer) {
    if (seen.has(port) || blocked(port)) continue;
    seen.add(port);
    yield port;
  }
  const size = query.range.to - query.range.from + 1;
  for (let step = 0; step < size; step++) {
    const port = query.range.from + ((query.startOffset + step) % size);
    if (seen.has(port) || blocked(port) || isAvoided(port, query.avoid)) continue;
    yield port;
  }
}

function isV4Wildcard(address: string): boolean {
  return address === '0.0.0.0';
}

function isV6Wildcard(address: string): boolean {
  return isIP(address) === 6 && /^[0:]+$/.test(address);
}

/**
 * Would a socket bound to `socketAddress` collide with a bind to `host` on the same port?
 * Without a host every socket counts (free means free everywhere). Conservative where /proc
 * cannot tell: a `::` socket may be dual-stack (IPV6_V6ONLY is not in /proc/net), so it counts
 * against IPv4 addresses too. Pure.
 *
 * @example
 * blocksHost('0.0.0.0', '127.0.0.1'); // true — the IPv4 wildcard covers it
 * blocksHost('127.0.0.1', '10.0.0.5'); // false
 */
export function blocksHost(socketAddress: string, host: string | null): boolean {
  if (host === null) return true;
  if (isV6Wildcard(socketAddress)) return true;
  const hostFamily = isIP(host);
  const mapped = unmapIPv4(socketAddress);
  if (hostFamily === 4) {
    if (isV4Wildcard(host)) return isIP(socketAddress) === 4 || mapped !== null;
    return socketAddress === host || isV4Wildcard(socketAddress) || mapped === host;
  }
  if (isV6Wildcard(host)) return true;
  return socketAddress === host;
}
