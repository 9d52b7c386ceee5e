/**
 * DNAT and REDIRECT rules of an iptables-save `nat` table (iptables-extensions(8): `-j DNAT
 * --to-destination [ipaddr[-ipaddr]][:port[-port]]`, `-j REDIRECT [--to-ports port[-port]]`).
 */
import { parsePortList, parsePortRange, describe } from './iptables-rule.js';
import type { IptablesRuleLine, IptablesSave, IptablesTable } from './iptables-save.js';
import { chainPaths, type ChainJump } from './nat-paths.js';
import type { NatHook, NatPath, NatRedirect } from './nat-types.js';
import type { PortRange } from './conditions.js';
import { protocolNumber } from './conditions.js';

const BUILTIN_HOOKS: Readonly<Record<string, NatHook>> = { PREROUTING: 'prerouting', OUTPUT: 'output', INPUT: 'input', POSTROUTING: 'postrouting' };
const PROTOCOL_NAMES: Readonly<Record<number, string>> = { 6: 'tcp', 17: 'udp', 132: 'sctp', 33: 'dccp', 136: 'udplite' };

export interface RuleOrigin {
  readonly source: 'iptables' | 'ip6tables';
  readonly backend: 'nft' | 'legacy' | null;
}

type Target = { readonly toAddress: string | null; readonly toPort: PortRange | null };

/** `172.17.0.2:80`, `172.17.0.2`, `[fd00::2]:80`, `:8080`, `10.0.0.1:8000-8010`; null for address ranges and other shapes. */
export function parseToDestination(text: string): Target | null {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d+(?:-\d+)?))?$/.exec(text);
  const v4 = /^([0-9.]*)(?::(\d+(?:-\d+)?))?$/.exec(text);
  const bare6 = /^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*$/.test(text) && !text.includes('.') ? text : null;
  const [address, ports] = v6 !== null ? [v6[1] ?? '', v6[2]] : v4 !== null ? [v4[1] ?? '', v4[2]] : bare6 !== null ? [bare6, undefined] : [null, undefined];
  if (address === null) return null;
  const toPort = ports === undefined ? null : parsePortRange(ports.replace('-', ':'));
  if (ports !== undefined && toPort === null) return null;
  if (address === '' && toPort === null) return null;
  return { toAddress: address === '' ? null : address, toPort };
}

function natTarget(rule: IptablesRuleLine): { kind: 'dnat' | 'redirect'; target: Target } | string | null {
  const target = rule.target;
  if (target === null || (target.name !== 'DNAT' && target.name !== 'REDIRECT')) return null;
  const options = target.options;
  const values = (name: string): string[] => options.flatMap((o, i) => (o === name && options[i + 1] !== undefined ? [options[i + 1] ?? ''] : []));
  if (target.name === 'REDIRECT') {
    const ports = values('--to-ports');
    if (ports.length > 1) return 'several --to-ports';
    const toPort = ports[0] === undefined ? null : parsePortRange((ports[0] ?? '').replace('-', ':'));
    if (ports[0] !== undefined && toPort === null) return `--to-ports ${ports[0]} not understood`;
    return { kind: 'redirect', target: { toAddress: null, toPort } };
  }
  const destinations = values('--to-destination');
  if (destinations.length !== 1) return destinations.length === 0 ? 'DNAT without --to-destination' : 'several --to-destination (kernel round-robin)';
  const parsed = parseToDestination(destinations[0] ?? '');
  if (parsed === null) return `--to-destination ${destinations[0]} is not one address (an address range is load-balanced)`;
  return { kind: 'dnat', target: parsed };
}

/**
 * The redirects one iptables-save rule makes (several when it lists several ports), or why it cannot
 * be read; an empty list when it is not a DNAT/REDIRECT rule.
 */
export function iptablesNatRedirects(rule: IptablesRuleLine, table: string, origin: RuleOrigin, paths: readonly NatPath[]): NatRedirect[] | string {
  const nat = natTarget(rule);
  if (nat === null) return [];
  if (typeof nat === 'string') return `${rule.line} (${nat})`;
  if (rule.unparsable) return `${rule.line} (the rule could not be parsed)`;
  let protocol: string | null = null;
  let daddr: string | null = null;
  let daddrNegated = false;
  let dports: (PortRange | null)[] = [null];
  const conditions: string[] = [];
  for (const option of rule.options) {
    const value = option.values[0] ?? '';
    if (option.module === null && option.option === '-p' && !option.negated) {
      const number = protocolNumber(value);
      protocol = value === 'all' || value === '0' ? null : number === null ? value : (PROTOCOL_NAMES[number] ?? value);
    } else if (option.module === null && option.option === '-d') {
      daddr = value;
      daddrNegated = option.negated;
    } else if ((option.option === '--dport' || option.option === '--destination-port') && !option.negated) {
      const range = parsePortRange(value);
      if (range === null) return `${rule.line} (--dport ${value} not understood)`;
      dports = [range];
    } else if ((option.option === '--dports' || option.option === '--destination-ports') && option.module === 'multiport' && !option.negated) {
      const ranges = parsePortList(option.values);
      if (ranges === null) return `${rule.line} (--dports ${option.values.join(',')} not understood)`;
      dports = ranges;
    } else if (option.module !== 'comment') conditions.push(describe(option));
  }
  const family = origin.source === 'iptables' ? 'ipv4' : 'ipv6';
  return dports.map((dport) => ({ kind: nat.kind, family, protocol, dport, daddr, daddrNegated, ...nat.target, conditions, rule: rule.line, ...origin, table, chain: rule.chain, paths }));
}

/** Jumps between the chains of one table (rules whose target is one of the table's chains). */
export function iptablesJumps(table: IptablesTable): ChainJump[] {
  const names = new Set(table.chains.map((c) => c.name));
  return table.rules.filter((r) => r.target !== null && names.has(r.target.name)).map((r) => ({ from: r.chain, to: r.target?.name ?? '', quote: r.line }));
}

/** Paths from the built-in chains (PREROUTING, OUTPUT, …) of a table to each of its chains. */
export function iptablesPaths(table: IptablesTable): Map<string, NatPath[]> {
  const bases = table.chains.filter((c) => BUILTIN_HOOKS[c.name] !== undefined).map((c) => ({ chain: c.name, hook: BUILTIN_HOOKS[c.name] ?? 'output' }));
  return chainPaths(bases, iptablesJumps(table));
}

/** Every DNAT/REDIRECT rule of an iptables-save output's nat table. */
export function iptablesNat(save: IptablesSave, origin: RuleOrigin): { redirects: NatRedirect[]; unreadable: string[] } {
  const redirects: NatRedirect[] = [];
  const unreadable: string[] = [];
  for (const table of save.tables) {
    if (table.name !== 'nat' || save.incompatible.includes(table.name)) continue;
    const paths = iptablesPaths(table);
    for (const rule of table.rules) {
      const result = iptablesNatRedirects(rule, table.name, origin, paths.get(rule.chain) ?? []);
      if (typeof result === 'string') unreadable.push(`${origin.source}: ${result}`);
      else redirects.push(...result);
    }
  }
  return { redirects, unreadable };
}
