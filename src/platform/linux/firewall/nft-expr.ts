/**
 * nft JSON match expressions as three-valued conditions. The left side is read from the packet;
 * a field the packet does not have (tcp dport of a UDP packet, iifname on the output hook) makes
 * the whole match fail, negated or not — that is what the kernel does (the expression breaks).
 */
import { parseAddress, parseNetwork } from './address.js';
import { anyOf, interfaceNameMatches, negate, portMatches, protocolNumber, type PortRange } from './conditions.js';
import type { Packet, Tri } from './model.js';

export type Json = unknown;

export function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Named sets of one table: name → elements. */
export type SetLookup = (name: string) => readonly Json[] | undefined;

type Value =
  | { readonly k: 'absent' }
  | { readonly k: 'unknown' }
  | { readonly k: 'num'; readonly v: number; readonly proto: boolean }
  | { readonly k: 'addr'; readonly v: string }
  | { readonly k: 'iface'; readonly v: string }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'flags'; readonly v: readonly string[] }
  | { readonly k: 'ports'; readonly v: PortRange };

const ABSENT: Value = { k: 'absent' };
const UNKNOWN: Value = { k: 'unknown' };

const TCP_FLAGS: Readonly<Record<string, number>> = { fin: 1, syn: 2, rst: 4, psh: 8, ack: 16, urg: 32, ecn: 64, cwr: 128 };

function metaValue(key: string, p: Packet): Value {
  switch (key) {
    case 'iifname':
    case 'iif':
      return p.iif === null ? ABSENT : { k: 'iface', v: p.iif };
    case 'oifname':
    case 'oif':
      return p.oif === null ? ABSENT : { k: 'iface', v: p.oif };
    case 'iiftype':
      return p.iif === null ? ABSENT : { k: 'str', v: 'loopback' };
    case 'oiftype':
      return p.oif === null ? ABSENT : { k: 'str', v: 'loopback' };
    case 'l4proto':
      return { k: 'num', v: p.protocol, proto: true };
    case 'nfproto':
      return { k: 'str', v: p.family };
    case 'protocol':
      return { k: 'str', v: p.family === 'ipv4' ? 'ip' : 'ip6' };
    default:
      return UNKNOWN;
  }
}

function payloadValue(protocol: string, field: string, p: Packet): Value {
  switch (protocol) {
    case 'ip':
    case 'ip6': {
      if ((protocol === 'ip') !== (p.family === 'ipv4')) return ABSENT;
      if (field === 'saddr') return { k: 'addr', v: p.saddr };
      if (field === 'daddr') return { k: 'addr', v: p.daddr };
      if (field === 'protocol' || field === 'nexthdr') return { k: 'num', v: p.protocol, proto: true };
      return UNKNOWN;
    }
    case 'tcp':
    case 'udp':
    case 'th': {
      if (protocol !== 'th' && protocol !== p.protocolName) return ABSENT;
      if (field === 'dport') return { k: 'num', v: p.dport, proto: false };
      if (field === 'sport') return { k: 'ports', v: p.sport };
      if (protocol === 'tcp' && field === 'flags') return { k: 'num', v: TCP_FLAGS.syn ?? 2, proto: false };
      return UNKNOWN;
    }
    default:
      // Another protocol's header (icmp, sctp, …): our TCP/UDP packet does not have it.
      return ['icmp', 'icmpv6', 'sctp', 'dccp', 'esp', 'ah', 'comp', 'udplite', 'igmp'].includes(protocol) ? ABSENT : UNKNOWN;
  }
}

function flagBits(value: Json): number | null {
  const names = Array.isArray(value) ? value : [value];
  let bits = 0;
  for (const name of names) {
    if (typeof name === 'number') bits |= name;
    else if (typeof name === 'string' && TCP_FLAGS[name] !== undefined) bits |= TCP_FLAGS[name] ?? 0;
    else return null;
  }
  return bits;
}

function leftValue(left: Json, p: Packet): Value {
  if (!isObject(left)) return UNKNOWN;
  if (isObject(left.meta) && typeof left.meta.key === 'string') return metaValue(left.meta.key, p);
  if (isObject(left.payload) && typeof left.payload.protocol === 'string' && typeof left.payload.field === 'string') {
    return payloadValue(left.payload.protocol, left.payload.field, p);
  }
  if (isObject(left.ct) && typeof left.ct.key === 'string' && left.ct.dir === undefined) {
    // The packet opens the connection: state new, direction original.
    if (left.ct.key === 'state') return { k: 'flags', v: ['new'] };
    if (left.ct.key === 'direction') return { k: 'str', v: 'original' };
    return UNKNOWN;
  }
  const bitwise = left['&'];
  if (Array.isArray(bitwise) && bitwise.length === 2) {
    const inner = leftValue(bitwise[0], p);
    const mask = flagBits(bitwise[1]);
    if (inner.k === 'absent') return ABSENT;
    if (inner.k !== 'num' || mask === null || !isObject(bitwise[0]) || !isObject(bitwise[0].payload) || bitwise[0].payload.field !== 'flags') return UNKNOWN;
    return { k: 'num', v: inner.v & mask, proto: false };
  }
  return UNKNOWN;
}

function numberOf(value: Json, proto: boolean): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  if (proto) return protocolNumber(value);
  if (/^\d+$/.test(value)) return Number(value);
  if (/^0x[0-9a-f]+$/i.test(value)) return parseInt(value, 16);
  return flagBits(value);
}

function compareAddress(a: string, b: Json): Tri {
  const left = parseAddress(a);
  const right = typeof b === 'string' ? parseAddress(b) : null;
  if (left === null || right === null) return 'unknown';
  return left.version === right.version && left.value === right.value;
}

/** Does the value equal (or fall in) one right-hand element: scalar, range, prefix, set, or @set? */
function elementMatches(value: Value, element: Json, sets: SetLookup, depth = 0): Tri {
  if (depth > 4) return 'unknown';
  if (typeof element === 'string' && element.startsWith('@')) {
    const elements = sets(element.slice(1));
    return elements === undefined ? 'unknown' : anyOf(elements.map((e) => elementMatches(value, e, sets, depth + 1)));
  }
  if (isObject(element)) {
    if (Array.isArray(element.set)) return anyOf(element.set.map((e) => elementMatches(value, e, sets, depth + 1)));
    // Set elements with options (timeouts, comments) wrap the value: {"elem": {"val": …}}.
    if (isObject(element.elem)) return elementMatches(value, element.elem.val, sets, depth + 1);
    if (Array.isArray(element.range) && element.range.length === 2) return rangeMatches(value, element.range[0], element.range[1]);
    if (isObject(element.prefix)) {
      const network = parseNetwork(`${String(element.prefix.addr)}/${String(element.prefix.len)}`);
      if (value.k !== 'addr' || network === null) return 'unknown';
      const address = parseAddress(value.v);
      return address !== null && address.version === network.version && (address.value & network.mask) === (network.value & network.mask);
    }
    return 'unknown';
  }
  switch (value.k) {
    case 'num': {
      const n = numberOf(element, value.proto);
      return n === null ? 'unknown' : n === value.v;
    }
    case 'ports': {
      const n = numberOf(element, false);
      return n === null ? 'unknown' : portMatches({ sport: value.v } as Packet, 'sport', [{ from: n, to: n }]);
    }
    case 'addr':
      return compareAddress(value.v, element);
    case 'iface':
      // nft writes interface wildcards with a trailing `*`.
      return typeof element === 'string' ? interfaceNameMatches(element.endsWith('*') ? `${element.slice(0, -1)}+` : element, value.v) : 'unknown';
    case 'str':
      return typeof element === 'string' ? element === value.v : 'unknown';
    case 'flags':
      if (typeof element === 'string') return value.v.includes(element);
      if (Array.isArray(element)) return element.some((e) => typeof e === 'string' && value.v.includes(e));
      return 'unknown';
    default:
      return 'unknown';
  }
}

function rangeMatches(value: Value, low: Json, high: Json): Tri {
  if (value.k === 'num' || value.k === 'ports') {
    const from = numberOf(low, value.k === 'num' && value.proto);
    const to = numberOf(high, value.k === 'num' && value.proto);
    if (from === null || to === null) return 'unknown';
    return value.k === 'num' ? value.v >= from && value.v <= to : portMatches({ sport: value.v } as Packet, 'sport', [{ from, to }]);
  }
  if (value.k === 'addr') {
    const address = parseAddress(value.v);
    const from = typeof low === 'string' ? parseAddress(low) : null;
    const to = typeof high === 'string' ? parseAddress(high) : null;
    if (address === null || from === null || to === null) return 'unknown';
    return address.version === from.version && address.value >= from.value && address.value <= to.value;
  }
  return 'unknown';
}

/** Evaluates `{"match": {op, left, right}}` on the packet. */
export function evaluateMatch(match: Record<string, Json>, p: Packet, sets: SetLookup): Tri {
  const value = leftValue(match.left, p);
  if (value.k === 'absent') return false;
  if (value.k === 'unknown') return 'unknown';
  const op = match.op;
  if (op === '==' || op === 'in') return elementMatches(value, match.right, sets);
  if (op === '!=') return negate(elementMatches(value, match.right, sets), true);
  if (op === '<' || op === '>' || op === '<=' || op === '>=') {
    const n = value.k === 'num' ? numberOf(match.right, value.proto) : null;
    if (n === null || value.k !== 'num') return 'unknown';
    return op === '<' ? value.v < n : op === '>' ? value.v > n : op === '<=' ? value.v <= n : value.v >= n;
  }
  return 'unknown';
}

/** The value a verdict-map key has on this packet, matched against each element of the map. */
export function matchKey(key: Json, element: Json, p: Packet, sets: SetLookup): Tri | 'absent' {
  const value = leftValue(key, p);
  if (value.k === 'absent') return 'absent';
  if (value.k === 'unknown') return 'unknown';
  return elementMatches(value, element, sets);
}
