/**
 * The common shape both parsers (iptables-save text, nft JSON) produce and the evaluator walks.
 * A condition answers with three values because some matches (owner, mark, rate limits, ipsets)
 * cannot be decided from the question alone: "unknown" keeps the evaluator honest instead of guessing.
 */
import type { FirewallRuleMatch } from './types.js';

export type Tri = true | false | 'unknown';

export type Hook = 'input' | 'output';

/** The first packet of the connection, as the firewall sees it on one hook. */
export interface Packet {
  readonly family: 'ipv4' | 'ipv6';
  /** IANA protocol number: 6 tcp, 17 udp. */
  readonly protocol: 6 | 17;
  readonly protocolName: 'tcp' | 'udp';
  readonly saddr: string;
  readonly daddr: string;
  /** The source port is ephemeral: any port in this range (from ip_local_port_range). */
  readonly sport: { readonly from: number; readonly to: number };
  readonly dport: number;
  readonly hook: Hook;
  /** Interface names: the input interface on the input hook, the output one on output; null where the kernel has none. */
  readonly iif: string | null;
  readonly oif: string | null;
}

export interface Condition {
  /** Shown when the condition is unknown, e.g. `-m owner --uid-owner 1000`. */
  readonly text: string;
  test(packet: Packet): Tri;
}

export type Verdict =
  | { readonly kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { readonly kind: 'jump' | 'goto'; readonly target: string }
  /** A verdict map: the key picks one of several verdicts. */
  | { readonly kind: 'map'; readonly choose: (packet: Packet) => { readonly verdicts: readonly Verdict[]; readonly certain: boolean } }
  /** A target we cannot follow (NFQUEUE, DNAT, …): the packet may stop here or go on. */
  | { readonly kind: 'unknown'; readonly text: string };

export interface Rule {
  readonly conditions: readonly Condition[];
  readonly verdict: Verdict;
  /** The rule as the user would see it. */
  readonly quote: string;
  readonly origin: RuleOrigin;
  /** Set when the parser could not understand part of the rule (beyond its conditions). */
  readonly problem?: string;
}

export type RuleOrigin = Pick<FirewallRuleMatch, 'source' | 'backend' | 'table' | 'chain'>;

export interface Chain {
  readonly name: string;
  readonly rules: readonly Rule[];
}

/** A chain attached to a hook: where evaluation starts. */
export interface BaseChain {
  readonly chain: Chain;
  readonly hook: Hook;
  readonly priority: number;
  /** Which packet families it sees. */
  readonly families: readonly ('ipv4' | 'ipv6')[];
  readonly policy: 'accept' | 'drop';
  readonly policyQuote: string;
  readonly origin: RuleOrigin;
  /** The table's chains, for jumps. */
  readonly lookup: (name: string) => Chain | undefined;
}
