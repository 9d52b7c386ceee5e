import type { Family, Protocol } from '../../../types.js';

/**
 * What the doctor asks: would loopback traffic to this address and port get through?
 *
 * @example
 * const query: FirewallQuery = { protocol: 'tcp', family: 'ipv6', address: '::1', port: 8080 };
 */
export interface FirewallQuery {
  readonly protocol: Protocol;
  readonly family: Family;
  readonly address: string;
  readonly port: number;
}

/** The rule (or chain policy) that decided a packet's fate, quoted as the user would see it. */
export interface FirewallRuleMatch {
  readonly verdict: 'drop' | 'reject' | 'accept';
  /** Which tool's rule set the quoted rule comes from. */
  readonly source: 'iptables' | 'ip6tables' | 'nft';
  /** For iptables/ip6tables: the back-end the rule lives in; null for nft. */
  readonly backend: 'nft' | 'legacy' | null;
  /** `filter` for iptables; `inet filter` (family and name) for nft. */
  readonly table: string;
  /** The chain holding the rule: a user chain when the rule was reached by a jump. */
  readonly chain: string;
  /** The hook the packet was traversing when it met the rule. */
  readonly hook: 'input' | 'output';
  /** An iptables-save line (`-A INPUT …`, or `-P INPUT DROP` for a policy), or nft rule text. */
  readonly rule: string;
  /** True when the chain policy decided, not a rule. */
  readonly policy: boolean;
}

export interface FirewallSourceStatus {
  /** The tool that was run, e.g. `iptables-nft-save`, `nft`. */
  readonly name: string;
  readonly read: boolean;
  /** Why it could not be read (null when it was). */
  readonly reason: string | null;
}

/**
 * The answer of `collectFirewall`.
 *
 * @example
 * // { blocked: { verdict: 'drop', source: 'iptables', backend: 'nft', table: 'filter', chain: 'INPUT',
 * //   hook: 'input', rule: '-A INPUT -i lo -p tcp -m tcp --dport 8080 -j DROP', policy: false },
 * //   sources: [{ name: 'nft', read: true, reason: null }, …], uninterpreted: [] }
 */
export interface FirewallReport {
  /** The first drop/reject on the packet's path, or null when nothing certainly blocks it. */
  readonly blocked: FirewallRuleMatch | null;
  /** What was read, and why the rest was not. */
  readonly sources: readonly FirewallSourceStatus[];
  /** Rules on the path we could not evaluate: one of them might still block (or let through) the packet. */
  readonly uninterpreted: readonly string[];
}
