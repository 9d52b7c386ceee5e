/**
 * Walks a packet through the base chains of every rule set, in hook and priority order, and
 * finds the first rule that certainly drops or rejects it.
 *
 * Unknown conditions fork the walk: a rule we cannot decide might match or not, so both paths are
 * followed and each chain yields the SET of outcomes it could have. A base chain blocks only when
 * every possible outcome is a drop/reject — so an unreadable rule never produces a false "blocked",
 * and it is reported in `uninterpreted` instead. The walk stays linear: a chain's outcomes depend
 * only on the fixed packet, so forking is a union, not a tree of paths.
 */
import { allOf } from './conditions.js';
import type { BaseChain, Chain, Hook, Packet, Rule, Tri, Verdict } from './model.js';
import type { FirewallRuleMatch } from './types.js';

type OutcomeKind = 'accept' | 'drop' | 'reject' | 'return' | 'unknown';

interface Outcome {
  readonly kind: OutcomeKind;
  readonly rule: Rule | null;
  /** The chain the deciding rule sits in. */
  readonly chain: string;
  /** False when reaching it assumed an undecidable rule matched. */
  readonly certain: boolean;
}

export interface Evaluation {
  readonly blocked: FirewallRuleMatch | null;
  readonly uninterpreted: readonly string[];
}

/** iptables forbids loops and nft checks them too; the limit only guards against a malformed input. */
const MAX_JUMP_DEPTH = 64;

class Walker {
  readonly uninterpreted = new Set<string>();

  constructor(
    private readonly packet: Packet,
    private readonly base: BaseChain,
  ) {}

  private note(rule: Rule, why: string): void {
    const where = `${rule.origin.source} ${rule.origin.table} ${rule.origin.chain}`;
    this.uninterpreted.add(`${where}: ${rule.quote} (${why})`);
  }

  private test(rule: Rule): Tri {
    const results: Tri[] = [];
    const unknown: string[] = [];
    for (const condition of rule.conditions) {
      const result = condition.test(this.packet);
      if (result === false) return false;
      if (result === 'unknown') unknown.push(condition.text);
      results.push(result);
    }
    const value = allOf(results);
    if (value === 'unknown') this.note(rule, `cannot evaluate ${unknown.join(', ')}`);
    return value;
  }

  /** Outcomes of running `chain`; 'return' means control comes back to the caller. */
  run(chain: Chain, certain: boolean, depth: number): Outcome[] {
    const outcomes: Outcome[] = [];
    if (depth > MAX_JUMP_DEPTH) {
      outcomes.push({ kind: 'unknown', rule: null, chain: chain.name, certain: false });
      return outcomes;
    }
    for (const rule of chain.rules) {
      const matched = this.test(rule);
      if (matched === false) continue;
      const ruleCertain = certain && matched === true;
      const { ends, fallsThrough } = this.applyVerdict(rule, rule.verdict, chain, ruleCertain, depth);
      outcomes.push(...ends);
      // A rule that certainly matched and certainly ended the chain: nothing after it runs.
      if (matched === true && !fallsThrough) return outcomes;
    }
    outcomes.push({ kind: 'return', rule: null, chain: chain.name, certain });
    return outcomes;
  }

  private applyVerdict(
    rule: Rule,
    verdict: Verdict,
    chain: Chain,
    certain: boolean,
    depth: number,
  ): { ends: Outcome[]; fallsThrough: boolean } {
    switch (verdict.kind) {
      case 'accept':
      case 'drop':
      case 'reject':
      case 'return':
        return { ends: [{ kind: verdict.kind, rule, chain: chain.name, certain }], fallsThrough: false };
      case 'continue':
        return { ends: [], fallsThrough: true };
      case 'unknown':
        this.note(rule, `cannot follow ${verdict.text}`);
        return { ends: [{ kind: 'unknown', rule, chain: chain.name, certain: false }], fallsThrough: true };
      case 'jump':
      case 'goto': {
        const target = this.base.lookup(verdict.target);
        if (target === undefined) {
          this.note(rule, `chain ${verdict.target} not found`);
          return { ends: [{ kind: 'unknown', rule, chain: chain.name, certain: false }], fallsThrough: true };
        }
        const sub = this.run(target, certain, depth + 1);
        const ends = sub.filter((o) => o.kind !== 'return');
        const returns = sub.some((o) => o.kind === 'return');
        if (verdict.kind === 'jump') return { ends, fallsThrough: returns };
        // goto: a return in the target returns from *this* chain, as if it ended here.
        if (returns) ends.push({ kind: 'return', rule: null, chain: chain.name, certain });
        return { ends, fallsThrough: false };
      }
      case 'map': {
        const choice = verdict.choose(this.packet);
        if (!choice.certain) this.note(rule, 'cannot evaluate the verdict map key');
        const ends: Outcome[] = [];
        let fallsThrough = choice.verdicts.length === 0 || !choice.certain;
        for (const v of choice.verdicts) {
          const r = this.applyVerdict(rule, v, chain, certain && choice.certain, depth);
          ends.push(...r.ends);
          fallsThrough ||= r.fallsThrough;
        }
        return { ends, fallsThrough };
      }
    }
  }
}

function isBlocking(kind: OutcomeKind): kind is 'drop' | 'reject' {
  return kind === 'drop' || kind === 'reject';
}

function toMatch(base: BaseChain, outcome: Outcome, verdict: 'drop' | 'reject'): FirewallRuleMatch {
  if (outcome.rule === null) {
    return { ...base.origin, verdict, hook: base.hook, rule: base.policyQuote, policy: true };
  }
  return { ...outcome.rule.origin, verdict, hook: base.hook, rule: outcome.rule.quote, policy: false };
}

/** The base chain's possible fates for the packet: blocked (and by what) or possibly let through. */
function evaluateBase(packet: Packet, base: BaseChain, uninterpreted: Set<string>): FirewallRuleMatch | null {
  const walker = new Walker(packet, base);
  const outcomes = walker
    .run(base.chain, true, 0)
    // Falling off (or returning from) a base chain applies its policy.
    .map((o): Outcome => (o.kind === 'return' ? { kind: base.policy, rule: null, chain: base.chain.name, certain: o.certain } : o));
  for (const note of walker.uninterpreted) uninterpreted.add(note);
  if (outcomes.length === 0 || !outcomes.every((o) => isBlocking(o.kind))) return null;
  const chosen = outcomes.find((o) => o.certain) ?? outcomes[0];
  if (chosen === undefined || !isBlocking(chosen.kind)) return null;
  return toMatch(base, chosen, chosen.kind);
}

const HOOK_ORDER: readonly Hook[] = ['output', 'input'];

/** Packets for each hook: locally generated, out through lo, then in through lo. */
export function packetOnHook(packet: Omit<Packet, 'hook' | 'iif' | 'oif'>, hook: Hook, device = 'lo'): Packet {
  return hook === 'output' ? { ...packet, hook, iif: null, oif: device } : { ...packet, hook, iif: device, oif: null };
}

/**
 * Evaluates the packet against all base chains. An accept only ends its own base chain; every
 * other base chain on the hook still runs, so a drop in any of them drops the packet.
 */
export function evaluatePath(packet: Omit<Packet, 'hook' | 'iif' | 'oif'>, bases: readonly BaseChain[]): Evaluation {
  const uninterpreted = new Set<string>();
  for (const hook of HOOK_ORDER) {
    const onHook = bases
      .filter((b) => b.hook === hook && b.families.includes(packet.family))
      .sort((a, b) => a.priority - b.priority);
    const hookPacket = packetOnHook(packet, hook);
    for (const base of onHook) {
      const blocked = evaluateBase(hookPacket, base, uninterpreted);
      if (blocked !== null) return { blocked, uninterpreted: [...uninterpreted] };
    }
  }
  return { blocked: null, uninterpreted: [...uninterpreted] };
}
