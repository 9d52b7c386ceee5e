/** Destination NAT as data: where a DNAT or REDIRECT rule sends connections to a port. */
import type { PortRange } from './conditions.js';

export type NatHook = 'prerouting' | 'output' | 'input' | 'postrouting';

/** How a base chain reaches the rule's chain: the hook, and the jump rules taken (conditions on them not evaluated). */
export interface NatPath {
  readonly hook: NatHook;
  /** The jumping rules, quoted, from the base chain down to the rule's chain; empty when the rule is in the base chain. */
  readonly jumps: readonly string[];
}

/**
 * One DNAT/REDIRECT rule (one entry per destination port range when the rule lists several).
 *
 * @example
 * // -A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
 * const rule: NatRedirect = {
 *   kind: 'dnat', family: 'ipv4', protocol: 'tcp', dport: { from: 8080, to: 8080 }, daddr: '127.0.0.1/32',
 *   daddrNegated: false, toAddress: '172.17.0.2', toPort: { from: 80, to: 80 }, conditions: ['! -i docker0'],
 *   rule: '-A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
 *   source: 'iptables', backend: 'nft', table: 'nat', chain: 'DOCKER', paths: [{ hook: 'output', jumps: ['-A OUTPUT …'] }],
 * };
 */
export interface NatRedirect {
  readonly kind: 'dnat' | 'redirect';
  /** null when an inet-family nft rule applies to both. */
  readonly family: 'ipv4' | 'ipv6' | null;
  /** `tcp`, `udp`, …; null when the rule does not name one (any protocol). */
  readonly protocol: string | null;
  /** Destination ports matched; null when any. */
  readonly dport: PortRange | null;
  /** Destination address or network matched, as written (`127.0.0.1/32`); null when any. */
  readonly daddr: string | null;
  readonly daddrNegated: boolean;
  /** Where DNAT sends the connection; null for REDIRECT (the receiving interface's own address: 127.0.0.1 for local traffic). */
  readonly toAddress: string | null;
  /** The new destination port(s); null when the port is left as it was. */
  readonly toPort: PortRange | null;
  /** The rule's other conditions, quoted (`! -i docker0`, `fib daddr type local`): they must hold too. */
  readonly conditions: readonly string[];
  /** The rule as the user would see it (an iptables-save line or nft rule text). */
  readonly rule: string;
  readonly source: 'iptables' | 'ip6tables' | 'nft';
  /** For iptables: the back-end the rule lives in; null for nft. */
  readonly backend: 'nft' | 'legacy' | null;
  /** `nat` for iptables; `ip nat` (family and name) for nft. */
  readonly table: string;
  readonly chain: string;
  /** The hooks from which the chain is reached; empty when no base chain leads to it (the rule never runs). */
  readonly paths: readonly NatPath[];
}

export interface NatReading {
  readonly redirects: readonly NatRedirect[];
  /** DNAT/REDIRECT rules we could not read (a map, an address range, an iptables-nft rule without its twin): quoted, with why. */
  readonly unreadable: readonly string[];
}
