/** Small three-valued building blocks shared by the iptables and nft interpreters. */
import { networkContains, parseAddress, type Network } from './address.js';
import type { Packet, Tri } from './model.js';

export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** Does the packet's port fall in any of the ranges? The source port is a range (ephemeral), so it can be unknown. */
export function portMatches(packet: Packet, which: 'sport' | 'dport', ranges: readonly PortRange[]): Tri {
  if (which === 'dport') return ranges.some((r) => packet.dport >= r.from && packet.dport <= r.to);
  const { from, to } = packet.sport;
  if (ranges.some((r) => r.from <= from && r.to >= to)) return true;
  if (ranges.every((r) => r.to < from || r.from > to)) return false;
  return 'unknown';
}

export function negate(value: Tri, negated: boolean): Tri {
  if (!negated || value === 'unknown') return value;
  return !value;
}

/** AND of three-valued results: false wins, then unknown. */
export function allOf(values: readonly Tri[]): Tri {
  let result: Tri = true;
  for (const value of values) {
    if (value === false) return false;
    if (value === 'unknown') result = 'unknown';
  }
  return result;
}

/** OR of three-valued results: true wins, then unknown. */
export function anyOf(values: readonly Tri[]): Tri {
  let result: Tri = false;
  for (const value of values) {
    if (value === true) return true;
    if (value === 'unknown') result = 'unknown';
  }
  return result;
}

export function addressIn(address: string, network: Network): boolean {
  const parsed = parseAddress(address);
  return parsed !== null && networkContains(network, parsed);
}

/** iptables interface names: a trailing `+` is a prefix wildcard (`eth+`). */
export function interfaceNameMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  sctp: 132,
  udplite: 136,
  dccp: 33,
};

/** "tcp", "6" or 6 → 6; null when the name is not one we know. */
export function protocolNumber(value: string | number): number | null {
  if (typeof value === 'number') return value;
  if (/^\d+$/.test(value)) return Number(value);
  return PROTOCOL_NUMBERS[value.toLowerCase()] ?? null;
}
