/**
 * A pure parser for `nft -j list ruleset`, and the conversion of its tables into base chains for
 * the evaluator. Tables that iptables-nft made (`ip filter`, …) appear here too; for those the
 * caller passes a companion that interprets their `xt` (iptables extension) expressions and quotes
 * the rules as iptables-save lines, so one rule is never reported from two sources.
 */
import { evaluateMatch, isObject, matchKey, type Json, type SetLookup } from './nft-expr.js';
import { formatNftRule, formatValue } from './nft-text.js';
import type { BaseChain, Chain, Condition, Hook, Packet, Rule, RuleOrigin, Tri, Verdict } from './model.js';

export interface NftChainInfo {
  readonly name: string;
  readonly hook: string | null;
  readonly type: string | null;
  readonly priority: number;
  readonly policy: 'accept' | 'drop';
  /** The device for netdev ingress/egress chains. */
  readonly device: string | null;
}

export interface NftRuleInfo {
  readonly chain: string;
  readonly expr: readonly Json[];
}

export interface NftTable {
  readonly family: string;
  readonly name: string;
  readonly chains: readonly NftChainInfo[];
  readonly rules: readonly NftRuleInfo[];
  readonly sets: ReadonlyMap<string, readonly Json[]>;
}

export interface NftRuleset {
  readonly tables: readonly NftTable[];
}

function str(value: Json): string | null {
  return typeof value === 'string' ? value : null;
}

/** Parses `nft -j list ruleset`; null when the text is not nft's JSON. */
export function parseNftJson(text: string): NftRuleset | null {
  let data: Json;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || !Array.isArray(data.nftables)) return null;
  const tables = new Map<string, { family: string; name: string; chains: NftChainInfo[]; rules: NftRuleInfo[]; sets: Map<string, Json[]> }>();
  const tableOf = (family: string, name: string) => {
    const key = `${family} ${name}`;
    let table = tables.get(key);
    if (table === undefined) {
      table = { family, name, chains: [], rules: [], sets: new Map() };
      tables.set(key, table);
    }
    return table;
  };
  for (const item of data.nftables) {
    if (!isObject(item)) continue;
    if (isObject(item.table)) {
      const family = str(item.table.family);
      const name = str(item.table.name);
      if (family !== null && name !== null) tableOf(family, name);
    } else if (isObject(item.chain)) {
      const c = item.chain;
      const family = str(c.family);
      const table = str(c.table);
      const name = str(c.name);
      if (family === null || table === null || name === null) continue;
      tableOf(family, table).chains.push({
        name,
        hook: str(c.hook),
        type: str(c.type),
        priority: typeof c.prio === 'number' ? c.prio : 0,
        policy: c.policy === 'drop' ? 'drop' : 'accept',
        device: str(c.dev),
      });
    } else if (isObject(item.rule)) {
      const r = item.rule;
      const family = str(r.family);
      const table = str(r.table);
      const chain = str(r.chain);
      if (family === null || table === null || chain === null || !Array.isArray(r.expr)) continue;
      tableOf(family, table).rules.push({ chain, expr: r.expr });
    } else if (isObject(item.set) || isObject(item.map)) {
      const s = (item.set ?? item.map) as Record<string, Json>;
      const family = str(s.family);
      const table = str(s.table);
      const name = str(s.name);
      if (family === null || table === null || name === null) continue;
      tableOf(family, table).sets.set(name, Array.isArray(s.elem) ? s.elem : []);
    }
  }
  return { tables: [...tables.values()] };
}

/** iptables-nft's view of one of its tables, to read the `xt` expressions nft cannot show. */
export interface IptablesCompanion {
  /** The iptables rule at the same position in the same chain (rule order is shared). */
  rule(chain: string, index: number): Rule | undefined;
  /** True when the table holds only what iptables-nft writes: quote its rules as iptables-save lines. */
  readonly quoteAsIptables: boolean;
  readonly origin: (chain: string) => RuleOrigin;
}

const FAMILIES: Readonly<Record<string, readonly ('ipv4' | 'ipv6')[]>> = { ip: ['ipv4'], ip6: ['ipv6'], inet: ['ipv4', 'ipv6'] };

/** Statements that do their thing and let the packet go on (they do not filter). */
const PASSIVE_STATEMENTS = new Set(['counter', 'log', 'mangle', 'notrack', 'set', 'dup', 'ct helper', 'ct timeout', 'ct expectation', 'comment']);
/** Statements that end the chain in a way we do not follow (NAT rewrites, queue to userspace, …). */
const OPAQUE_VERDICTS = new Set(['queue', 'snat', 'dnat', 'masquerade', 'redirect', 'tproxy', 'synproxy', 'fwd']);

function verdictOfStatement(expr: Record<string, Json>): Verdict | null {
  if ('accept' in expr) return { kind: 'accept' };
  if ('drop' in expr) return { kind: 'drop' };
  if ('reject' in expr) return { kind: 'reject' };
  if ('return' in expr) return { kind: 'return' };
  if ('continue' in expr) return { kind: 'continue' };
  for (const kind of ['jump', 'goto'] as const) {
    const target = expr[kind];
    if (isObject(target) && typeof target.target === 'string') return { kind, target: target.target };
  }
  return null;
}

function mapVerdict(vmap: Record<string, Json>, sets: SetLookup): Verdict {
  const data = vmap.data;
  const named = typeof data === 'string' && data.startsWith('@') ? sets(data.slice(1)) : undefined;
  const elements: readonly Json[] = isObject(data) && Array.isArray(data.set) ? data.set : (named ?? []);
  const pairs = elements.filter((e): e is [Json, Json] => Array.isArray(e) && e.length === 2);
  return {
    kind: 'map',
    choose: (p: Packet) => {
      const verdicts: Verdict[] = [];
      let certain = named !== undefined || (isObject(data) && Array.isArray(data.set));
      for (const [key, target] of pairs) {
        const hit = matchKey(vmap.key, key, p, sets);
        if (hit === 'absent') return { verdicts: [], certain };
        if (hit === false) continue;
        const verdict = isObject(target) ? verdictOfStatement(target) : null;
        verdicts.push(verdict ?? { kind: 'unknown', text: `vmap element ${formatValue(target)}` });
        if (hit === true) return { verdicts, certain };
        certain = false;
      }
      return { verdicts, certain };
    },
  };
}

/** Converts one nft rule. `companion` handles rules that carry iptables `xt` expressions. */
function nftRule(info: NftRuleInfo, index: number, sets: SetLookup, origin: RuleOrigin, companion: IptablesCompanion | null): Rule {
  const hasXt = info.expr.some((e) => isObject(e) && 'xt' in e);
  const twin = companion?.rule(info.chain, index);
  if (twin !== undefined && (hasXt || companion?.quoteAsIptables === true)) {
    // The iptables rule has the full meaning of xt matches; native rules still evaluate from nft JSON.
    return hasXt ? twin : { ...nftRule(info, index, sets, origin, null), quote: twin.quote, origin: twin.origin };
  }
  const conditions: Condition[] = [];
  let verdict: Verdict = { kind: 'continue' };
  for (const expr of info.expr) {
    if (!isObject(expr)) {
      conditions.push({ text: JSON.stringify(expr), test: () => 'unknown' });
      continue;
    }
    const match = expr.match;
    if (isObject(match)) {
      conditions.push({ text: formatNftRule([expr]), test: (p): Tri => evaluateMatch(match, p, sets) });
      continue;
    }
    const direct = verdictOfStatement(expr);
    if (direct !== null) {
      verdict = direct;
      continue;
    }
    if (isObject(expr.vmap)) {
      verdict = mapVerdict(expr.vmap, sets);
      continue;
    }
    const key = Object.keys(expr)[0] ?? '';
    if (PASSIVE_STATEMENTS.has(key)) continue;
    if (OPAQUE_VERDICTS.has(key)) {
      verdict = { kind: 'unknown', text: formatNftRule([expr]) };
      continue;
    }
    // limit, quota, xt without its iptables twin, anything newer than this code: it may filter.
    conditions.push({ text: formatNftRule([expr]), test: () => 'unknown' });
  }
  return { conditions, verdict, quote: formatNftRule(info.expr), origin };
}

function isHook(hook: string | null): hook is Hook {
  return hook === 'input' || hook === 'output';
}

/**
 * The base chains (hooks input/output) of the ip, ip6 and inet tables. `companionFor` returns the
 * iptables view of a table iptables-nft owns; `skip` leaves a table out entirely.
 */
export function nftBaseChains(
  ruleset: NftRuleset,
  companionFor: (table: NftTable) => IptablesCompanion | null = () => null,
): BaseChain[] {
  const bases: BaseChain[] = [];
  for (const table of ruleset.tables) {
    const families = FAMILIES[table.family];
    if (families === undefined) continue;
    const companion = companionFor(table);
    const sets: SetLookup = (name) => table.sets.get(name);
    const tableName = `${table.family} ${table.name}`;
    const chains = new Map<string, Chain>();
    for (const info of table.chains) {
      const origin: RuleOrigin = { source: 'nft', backend: null, table: tableName, chain: info.name };
      const rules = table.rules.filter((r) => r.chain === info.name).map((r, i) => nftRule(r, i, sets, origin, companion));
      chains.set(info.name, { name: info.name, rules });
    }
    for (const info of table.chains) {
      const chain = chains.get(info.name);
      if (!isHook(info.hook) || chain === undefined) continue;
      const asIptables = companion?.quoteAsIptables === true;
      bases.push({
        chain,
        hook: info.hook,
        priority: info.priority,
        families,
        policy: info.policy,
        policyQuote: asIptables
          ? `-P ${info.name} ${info.policy.toUpperCase()}`
          : `type ${info.type ?? 'filter'} hook ${info.hook} priority ${info.priority}; policy ${info.policy};`,
        origin: asIptables && companion !== null ? companion.origin(info.name) : { source: 'nft', backend: null, table: tableName, chain: info.name },
        lookup: (name) => chains.get(name),
      });
    }
  }
  return bases;
}

/** Chains we do not evaluate that still see loopback packets: netdev ingress/egress on lo. */
export function nftUnevaluatedChains(ruleset: NftRuleset): string[] {
  const notes: string[] = [];
  for (const table of ruleset.tables) {
    if (table.family !== 'netdev') continue;
    for (const chain of table.chains) {
      if (chain.device === 'lo' && chain.hook !== null) {
        notes.push(`nft netdev ${table.name} ${chain.name}: hook ${chain.hook} on device lo is not evaluated`);
      }
    }
  }
  return notes;
}
