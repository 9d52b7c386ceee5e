import dns from 'node:dns';
import net from 'node:net';
import type { Family } from '../types.js';

/** One address a name resolved to. `family` is spelled as everywhere else in portdoctor. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: Family;
}

/** Why a name did not resolve: getaddrinfo's code (ENOTFOUND, EAI_AGAIN, …) and Node's message. */
export interface ResolutionError {
  readonly code: string;
  readonly message: string;
}

/**
 * How a host name resolves, seen the ways clients see it. The classic trap it exposes:
 * `localhost` → `::1` first (getaddrinfo order, which Node ≥ 17 keeps verbatim), while the server
 * listens on 127.0.0.1 only.
 */
export interface Resolution {
  readonly host: string;
  /** True when `host` is an IP literal (it resolves to itself, no lookup is made). */
  readonly literal: boolean;
  /** getaddrinfo's answer in its own order (no hints): what curl and most C clients try, in order. */
  readonly addresses: readonly ResolvedAddress[];
  /** The first of `addresses`. */
  readonly getaddrinfoFirst: string | null;
  /**
   * The order a Node client (`net.connect`, `fetch`) tries: Node looks up with AI_ADDRCONFIG and
   * its default result order, then (with happy eyeballs) interleaves the two families, starting
   * with the family of the first answer.
   */
  readonly nodeOrder: readonly string[];
  /** The first of `nodeOrder`. */
  readonly nodeFirst: string | null;
  /** `dns.getDefaultResultOrder()` of this process ('verbatim' by default since Node 17). */
  readonly nodeResultOrder: 'verbatim' | 'ipv4first' | 'ipv6first';
  /** `net.getDefaultAutoSelectFamily()`: Node's happy eyeballs (default on since Node 20). */
  readonly autoSelectFamily: boolean;
  /** The answer with AI_ADDRCONFIG: families without a configured (non-loopback) address may vanish. */
  readonly addrconfigAddresses: readonly ResolvedAddress[];
  /**
   * Answers with an explicit family hint (`family: 4` / `family: 6`), like `curl -4` / `curl -6`.
   * Kept verbatim, duplicates included: glibc answers an AF_INET lookup of a `::1 localhost` hosts
   * line with 127.0.0.1, so localhost may list 127.0.0.1 twice here.
   */
  readonly ipv4Addresses: readonly ResolvedAddress[];
  readonly ipv6Addresses: readonly ResolvedAddress[];
  /** Set when the name does not resolve at all (the unhinted lookup failed). */
  readonly error: ResolutionError | null;
}

export interface ResolveOptions {
  /** Give up on a lookup after this long (getaddrinfo itself has no timeout). Default 5000 ms. */
  readonly timeoutMs?: number;
}

type LookupOutcome = { readonly ok: true; readonly addresses: ResolvedAddress[] } | { readonly ok: false; readonly error: ResolutionError };

function toFamily(family: number): Family {
  return family === 6 ? 'ipv6' : 'ipv4';
}

/** One getaddrinfo call; never throws — a failed lookup is a value. */
function lookupAll(host: string, options: Omit<dns.LookupAllOptions, 'all'>, timeoutMs: number): Promise<LookupOutcome> {
  return new Promise((resolve) => {
    // getaddrinfo runs on the libuv pool and cannot be cancelled; the timer only stops the wait.
    const timer = setTimeout(() => {
      resolve({ ok: false, error: { code: 'ETIMEOUT', message: `lookup of ${host} took longer than ${timeoutMs} ms` } });
    }, timeoutMs);
    timer.unref();
    dns.lookup(host, { ...options, all: true }, (error, addresses) => {
      clearTimeout(timer);
      if (error) {
        resolve({ ok: false, error: { code: error.code ?? 'EUNKNOWN', message: error.message } });
        return;
      }
      resolve({ ok: true, addresses: addresses.map((entry) => ({ address: entry.address, family: toFamily(entry.family) })) });
    });
  });
}

/**
 * The order Node's `net.connect` tries addresses in. Mirrors lib/net.js (lookupAndConnectMultiple):
 * with autoSelectFamily the families are interleaved starting with the first answer's family;
 * without it only the first address is tried.
 */
export function nodeConnectOrder(addresses: readonly ResolvedAddress[], autoSelectFamily: boolean): string[] {
  const first = addresses[0];
  if (first === undefined) return [];
  if (!autoSelectFamily) return [first.address];
  const leading = addresses.filter((entry) => entry.family === first.family).map((entry) => entry.address);
  const trailing = addresses.filter((entry) => entry.family !== first.family).map((entry) => entry.address);
  const order: string[] = [];
  for (let i = 0; i < Math.max(leading.length, trailing.length); i++) {
    const a = leading[i];
    const b = trailing[i];
    if (a !== undefined) order.push(a);
    if (b !== undefined) order.push(b);
  }
  return order;
}

function reorder(addresses: readonly ResolvedAddress[], order: Resolution['nodeResultOrder']): ResolvedAddress[] {
  if (order === 'verbatim') return [...addresses];
  const wanted: Family = order === 'ipv4first' ? 'ipv4' : 'ipv6';
  return [...addresses.filter((entry) => entry.family === wanted), ...addresses.filter((entry) => entry.family !== wanted)];
}

/**
 * Resolves a host the ways clients do: getaddrinfo's verbatim order (curl), Node's default
 * (AI_ADDRCONFIG + default result order + happy eyeballs), and with IPv4-only / IPv6-only hints.
 * A name that does not resolve is a value with `error` set, never a throw. IP literals resolve to
 * themselves.
 *
 * @example
 * const r = await resolveHost('localhost');
 * if (r.error === null && r.nodeFirst !== r.getaddrinfoFirst) console.log('Node and curl disagree');
 * // r.addresses → [{ address: '::1', family: 'ipv6' }, { address: '127.0.0.1', family: 'ipv4' }]
 */
export async function resolveHost(host: string, options: ResolveOptions = {}): Promise<Resolution> {
  const nodeResultOrder = dns.getDefaultResultOrder();
  const autoSelectFamily = net.getDefaultAutoSelectFamily();
  const ipVersion = net.isIP(host);
  if (ipVersion !== 0) {
    const self: ResolvedAddress = { address: host, family: ipVersion === 6 ? 'ipv6' : 'ipv4' };
    return {
      host,
      literal: true,
      addresses: [self],
      getaddrinfoFirst: host,
      nodeOrder: [host],
      nodeFirst: host,
      nodeResultOrder,
      autoSelectFamily,
      addrconfigAddresses: [self],
      ipv4Addresses: ipVersion === 4 ? [self] : [],
      ipv6Addresses: ipVersion === 6 ? [self] : [],
      error: null,
    };
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  const [plain, addrconfig, v4, v6] = await Promise.all([
    lookupAll(host, { order: 'verbatim' }, timeoutMs),
    // Node's own default for net.connect on Linux: hints = ADDRCONFIG unless a family is forced.
    lookupAll(host, { order: 'verbatim', hints: dns.ADDRCONFIG }, timeoutMs),
    lookupAll(host, { order: 'verbatim', family: 4 }, timeoutMs),
    lookupAll(host, { order: 'verbatim', family: 6 }, timeoutMs),
  ]);
  const addresses = plain.ok ? plain.addresses : [];
  const addrconfigAddresses = addrconfig.ok ? addrconfig.addresses : [];
  const nodeOrder = nodeConnectOrder(reorder(addrconfigAddresses, nodeResultOrder), autoSelectFamily);
  return {
    host,
    literal: false,
    addresses,
    getaddrinfoFirst: addresses[0]?.address ?? null,
    nodeOrder,
    nodeFirst: nodeOrder[0] ?? null,
    nodeResultOrder,
    autoSelectFamily,
    addrconfigAddresses,
    ipv4Addresses: v4.ok ? v4.addresses : [],
    ipv6Addresses: v6.ok ? v6.addresses : [],
    error: plain.ok ? null : plain.error,
  };
}
