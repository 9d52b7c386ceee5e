/**
 * DNAT and REDIRECT statements of nft's JSON (libnftables-json(5): `{"dnat": {"addr", "port",
 * "family"}}`, `{"redirect": {"port"}}`), with the matches that select them. Rules iptables-nft wrote
 * carry their target as an opaque `xt` expression; those are read from the iptables-save twin.
 */
import type { IptablesSave } from './iptables-save.js';
import { iptablesNatRedirects } from './nat-iptables.js';
import { chainPaths, type ChainJump } from './nat-paths.js';
import type { NatHook, NatPath, NatRedirect } from './nat-types.js';
import { isObject, type Json } from './nft-expr.js';
import type { NftRuleInfo, NftRuleset, NftTable } from './nft-json.js';
import { formatNftRule, formatValue } from './nft-text.js';
import { pairs } from './ruleset.js';
import type { PortRange } from './conditions.js';

const HOOKS = new Set<NatHook>(['prerouting', 'output', 'input', 'postrouting']);
const PASSIVE = new Set(['counter', 'comment']);

function portRange(value: Json): PortRange | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return { from: value, to: value };
  if (isObject(value) && Array.isArray(value.range) && value.range.length === 2) {
    const [from, to] = value.range.map((v) => (typeof v === 'number' ? v : NaN));
    if (from !== undefined && to !== undefined && from <= to && from >= 0 && to <= 65535) return { from, to };
  }
  return null;
}

/** Ports on the right of a dport match: a number, a range, or an anonymous set of those; null otherwise. */
function portRanges(value: Json): PortRange[] | null {
  if (isObject(value) && Array.isArray(value.set)) {
    const ranges = value.set.map(portRange);
    return ranges.every((r): r is PortRange => r !== null) ? ranges : null;
  }
  const one = portRange(value);
  return one === null ? null : [one];
}

function addressText(value: Json): string | null {
  if (typeof value === 'string') return value;
  if (isObject(value) && isObject(value.prefix) && typeof value.prefix.addr === 'string' && typeof value.prefix.len === 'number') return `${value.prefix.addr}/${value.prefix.len}`;
  return null;
}

interface Selection {
  family: 'ipv4' | 'ipv6' | null;
  protocol: string | null;
  dports: (PortRange | null)[];
  daddr: string | null;
  daddrNegated: boolean;
  conditions: string[];
}

/** Reads one match into the selection; false when it is a condition we only quote. */
function readMatch(match: Record<string, Json>, selection: Selection): boolean {
  const { left, right, op } = match;
  if (!isObject(left) || (op !== '==' && op !== '!=' && op !== 'in')) return false;
  const equal = op !== '!=';
  if (isObject(left.payload) && typeof left.payload.field === 'string' && typeof left.payload.protocol === 'string') {
    const { protocol, field } = left.payload;
    if ((protocol === 'ip' || protocol === 'ip6') && field === 'daddr') {
      const address = addressText(right);
      if (address === null) return false;
      selection.daddr = address;
      selection.daddrNegated = !equal;
      selection.family = protocol === 'ip' ? 'ipv4' : 'ipv6';
      return true;
    }
    if ((protocol === 'tcp' || protocol === 'udp' || protocol === 'sctp' || protocol === 'th') && field === 'dport' && equal) {
      const ranges = portRanges(right);
      if (ranges === null) return false;
      selection.dports = ranges;
      if (protocol !== 'th') selection.protocol = protocol;
      return true;
    }
  }
  if (isObject(left.meta) && equal) {
    if (left.meta.key === 'l4proto' && typeof right === 'string') {
      selection.protocol = right;
      return true;
    }
    if (left.meta.key === 'nfproto' && (right === 'ipv4' || right === 'ipv6')) {
      selection.family = right;
      return true;
    }
  }
  return false;
}

type Nat = { kind: 'dnat' | 'redirect'; toAddress: string | null; toPort: PortRange | null; family: 'ipv4' | 'ipv6' | null };

function readNat(expr: Record<string, Json>): Nat | string | null {
  if ('redirect' in expr) {
    const redirect = expr.redirect;
    if (!isObject(redirect) || redirect.port === undefined) return { kind: 'redirect', toAddress: null, toPort: null, family: null };
    const toPort = portRange(redirect.port);
    return toPort === null ? `redirect to ${formatValue(redirect.port)} (a port map)` : { kind: 'redirect', toAddress: null, toPort, family: null };
  }
  if (!('dnat' in expr)) return null;
  const dnat = expr.dnat;
  if (!isObject(dnat) || typeof dnat.addr !== 'string') return `dnat to ${isObject(dnat) ? formatValue(dnat.addr) : '?'} (a map or a range, not one address)`;
  const toPort = dnat.port === undefined ? null : portRange(dnat.port);
  if (dnat.port !== undefined && toPort === null) return `dnat port ${formatValue(dnat.port)} (a map)`;
  const family = dnat.family === 'ip' ? 'ipv4' : dnat.family === 'ip6' ? 'ipv6' : dnat.addr.includes(':') ? 'ipv6' : 'ipv4';
  return { kind: 'dnat', toAddress: dnat.addr, toPort, family };
}

/** One native nft rule → its redirects, why it cannot be read, or [] when it does not redirect. */
function nftRuleRedirects(info: NftRuleInfo, table: NftTable, paths: readonly NatPath[]): NatRedirect[] | string {
  let nat: Nat | null = null;
  const selection: Selection = { family: table.family === 'ip' ? 'ipv4' : table.family === 'ip6' ? 'ipv6' : null, protocol: null, dports: [null], daddr: null, daddrNegated: false, conditions: [] };
  const quote = formatNftRule(info.expr);
  for (const expr of info.expr) {
    if (!isObject(expr)) continue;
    const read = readNat(expr);
    if (typeof read === 'string') return `${quote} (${read})`;
    if (read !== null) {
      nat = read;
      continue;
    }
    if (isObject(expr.match) && readMatch(expr.match, selection)) continue;
    const key = Object.keys(expr)[0] ?? '';
    if (!PASSIVE.has(key)) selection.conditions.push(formatNftRule([expr]));
  }
  if (nat === null) return [];
  const found = nat;
  return selection.dports.map((dport) => ({
    kind: found.kind,
    family: found.family ?? selection.family,
    protocol: selection.protocol,
    dport,
    daddr: selection.daddr,
    daddrNegated: selection.daddrNegated,
    toAddress: found.toAddress,
    toPort: found.toPort,
    conditions: selection.conditions,
    rule: quote,
    source: 'nft' as const,
    backend: null,
    table: `${table.family} ${table.name}`,
    chain: info.chain,
    paths,
  }));
}

/** Jumps between the chains of a table; `quote` words a rule (its iptables-save twin's line when there is one). */
function nftJumps(table: NftTable, quote: (rule: NftRuleInfo, position: number) => string): ChainJump[] {
  const jumps: ChainJump[] = [];
  const index = new Map<string, number>();
  for (const rule of table.rules) {
    const position = index.get(rule.chain) ?? 0;
    index.set(rule.chain, position + 1);
    const targets = new Set<string>();
    const collect = (value: Json): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (isObject(value)) {
        for (const kind of ['jump', 'goto'] as const) {
          const target = value[kind];
          if (isObject(target) && typeof target.target === 'string') targets.add(target.target);
        }
        Object.values(value).forEach(collect);
      }
    };
    collect(rule.expr);
    for (const to of targets) jumps.push({ from: rule.chain, to, quote: quote(rule, position) });
  }
  return jumps;
}

const hasXt = (info: NftRuleInfo): boolean => info.expr.some((e) => isObject(e) && 'xt' in e);
const xtNatTarget = (info: NftRuleInfo): boolean =>
  info.expr.some((e) => isObject(e) && isObject(e.xt) && e.xt.type === 'target' && (e.xt.name === 'DNAT' || e.xt.name === 'REDIRECT'));

/**
 * Every DNAT/REDIRECT of nft's rule set. `twins` gives, for tables iptables-nft owns, its
 * iptables-save output (v4 for `ip`, v6 for `ip6`) to read the rules nft shows as `xt`.
 */
export function nftNat(ruleset: NftRuleset, twins: { readonly ip: IptablesSave | null; readonly ip6: IptablesSave | null }): { redirects: NatRedirect[]; unreadable: string[] } {
  const redirects: NatRedirect[] = [];
  const unreadable: string[] = [];
  for (const table of ruleset.tables) {
    if (table.family !== 'ip' && table.family !== 'ip6' && table.family !== 'inet') continue;
    const save = table.family === 'ip' ? twins.ip : table.family === 'ip6' ? twins.ip6 : null;
    const twin = save === null || save.incompatible.includes(table.name) ? undefined : save.tables.find((t) => t.name === table.name);
    const paired = twin !== undefined && pairs(table, twin);
    const twinLine = (info: NftRuleInfo, position: number) => (paired ? twin.rules.filter((r) => r.chain === info.chain)[position] : undefined);
    const bases = table.chains.filter((c) => c.hook !== null && HOOKS.has(c.hook as NatHook)).map((c) => ({ chain: c.name, hook: c.hook as NatHook }));
    const paths = chainPaths(bases, nftJumps(table, (info, position) => twinLine(info, position)?.line ?? formatNftRule(info.expr)));
    const origin = { source: table.family === 'ip' ? ('iptables' as const) : ('ip6tables' as const), backend: 'nft' as const };
    const index = new Map<string, number>();
    for (const info of table.rules) {
      const position = index.get(info.chain) ?? 0;
      index.set(info.chain, position + 1);
      const chainPathsOf = paths.get(info.chain) ?? [];
      if (hasXt(info)) {
        const line = twinLine(info, position);
        if (line === undefined) {
          if (xtNatTarget(info)) unreadable.push(`nft ${table.family} ${table.name} ${info.chain}: ${formatNftRule(info.expr)} (an iptables-nft rule whose iptables-save line could not be read)`);
          continue;
        }
        const result = iptablesNatRedirects(line, table.name, origin, chainPathsOf);
        if (typeof result === 'string') unreadable.push(`${origin.source}: ${result}`);
        else redirects.push(...result);
        continue;
      }
      const result = nftRuleRedirects(info, table, chainPathsOf);
      if (typeof result === 'string') unreadable.push(`nft ${table.family} ${table.name} ${info.chain}: ${result}`);
      else redirects.push(...result);
    }
  }
  return { redirects, unreadable };
}
