/**
 * Gives meaning to parsed iptables-save rules: each option becomes a three-valued condition on the
 * packet, each target a verdict. Options we do not understand become "unknown" conditions, never
 * silently true or false.
 */
import { parseAddress, parseNetwork } from './address.js';
import { addressIn, anyOf, interfaceNameMatches, negate, portMatches, protocolNumber, type PortRange } from './conditions.js';
import type { BaseChain, Chain, Condition, Hook, Packet, Rule, RuleOrigin, Tri, Verdict } from './model.js';
import type { IptablesOption, IptablesRuleLine, IptablesSave } from './iptables-save.js';

/** Targets that do something to the packet (log, mark, …) and let it go on through the chain. */
const NON_TERMINATING_TARGETS = new Set([
  'LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'TRACE', 'CLASSIFY', 'DSCP', 'TOS', 'TCPMSS', 'AUDIT', 'CHECKSUM',
  'SECMARK', 'CONNSECMARK', 'TTL', 'HL', 'IDLETIMER', 'LED', 'RATEEST', 'TEE', 'SET', 'HMARK', 'CT', 'NOTRACK',
  'TCPOPTSTRIP', 'ECN',
]);

/** Modules that are only the home of their options (tcp for --dport …): loading them alone matches everything. */
const NEUTRAL_MODULES = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'multiport', 'conntrack', 'state', 'comment', 'addrtype', 'iprange', 'pkttype', 'icmp', 'icmp6']);

const PORT_MODULES: Readonly<Record<string, number>> = { tcp: 6, udp: 17, udplite: 136, sctp: 132, dccp: 33 };

const TCP_FLAG_BITS: Readonly<Record<string, number>> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128, ALL: 255, NONE: 0 };
/** The first packet of a TCP connection carries SYN alone. */
const FIRST_PACKET_TCP_FLAGS = TCP_FLAG_BITS.SYN ?? 2;

/** An option as iptables-save writes it (`-m tcp --dport 8080`, `! -i docker0`). */
export function describe(option: IptablesOption): string {
  const text = [option.module === null ? '' : `-m ${option.module}`, option.negated ? '!' : '', option.option, ...option.values];
  return text.filter((part) => part !== '').join(' ');
}

function condition(option: IptablesOption, test: (packet: Packet) => Tri): Condition {
  return { text: describe(option), test: (packet) => negate(test(packet), option.negated) };
}

function unknown(option: IptablesOption): Condition {
  return { text: describe(option), test: () => 'unknown' };
}

/** `80`, `1000:2000`, `:1023`, `1024:` (iptables port syntax). */
export function parsePortRange(text: string): PortRange | null {
  const m = /^(\d*)(?::(\d*))?$/.exec(text);
  if (m === null || (m[1] === '' && m[2] === undefined)) return null;
  const from = m[1] === '' || m[1] === undefined ? 0 : Number(m[1]);
  const to = m[2] === undefined ? from : m[2] === '' ? 65535 : Number(m[2]);
  return from <= to && to <= 65535 ? { from, to } : null;
}

export function parsePortList(values: readonly string[]): PortRange[] | null {
  const ranges: PortRange[] = [];
  for (const part of values.join(',').split(',')) {
    const range = parsePortRange(part);
    if (range === null) return null;
    ranges.push(range);
  }
  return ranges;
}

function tcpFlags(text: string): number | null {
  let bits = 0;
  for (const name of text.split(',')) {
    const bit = TCP_FLAG_BITS[name.toUpperCase()];
    if (bit === undefined) return null;
    bits |= bit;
  }
  return bits;
}

function builtinCondition(option: IptablesOption): Condition {
  const value = option.values[0] ?? '';
  switch (option.option) {
    case '-p': {
      if (value === 'all' || value === '0') return condition(option, () => true);
      const number = protocolNumber(value);
      return number === null ? unknown(option) : condition(option, (p) => p.protocol === number);
    }
    case '-s':
    case '-d': {
      const network = parseNetwork(value);
      if (network === null) return unknown(option);
      return condition(option, (p) => addressIn(option.option === '-s' ? p.saddr : p.daddr, network));
    }
    case '-i':
    case '-o':
      // The kernel compares against an empty name when the hook has no such interface (no -i on OUTPUT).
      return condition(option, (p) => interfaceNameMatches(value, (option.option === '-i' ? p.iif : p.oif) ?? ''));
    case '-f':
      // -f matches second and later fragments; a connection's first packet is never one.
      return condition(option, () => false);
    default:
      return unknown(option);
  }
}

function ctStateCondition(option: IptablesOption): Condition {
  // The packet we ask about opens the connection: its state is NEW, its direction ORIGINAL.
  const states = (option.values[0] ?? '').split(',').map((s) => s.toUpperCase());
  return condition(option, () => states.includes('NEW'));
}

function moduleCondition(option: IptablesOption, module: string): Condition {
  const { option: name, values } = option;
  const proto = PORT_MODULES[module];
  if (proto !== undefined) {
    if (name === '--dport' || name === '--destination-port' || name === '--sport' || name === '--source-port') {
      const ranges = parsePortList(values);
      if (ranges === null) return unknown(option);
      const which = name === '--dport' || name === '--destination-port' ? 'dport' : 'sport';
      // A port match only applies to its own protocol; on any other packet it fails, negated or not.
      return { text: describe(option), test: (p) => (p.protocol !== proto ? false : negate(portMatches(p, which, ranges), option.negated)) };
    }
    if (module === 'tcp' && name === '--syn') return condition(option, (p) => p.protocol === 6);
    if (module === 'tcp' && name === '--tcp-flags' && values.length === 2) {
      const mask = tcpFlags(values[0] ?? '');
      const comp = tcpFlags(values[1] ?? '');
      if (mask === null || comp === null) return unknown(option);
      return { text: describe(option), test: (p) => (p.protocol !== 6 ? false : negate((FIRST_PACKET_TCP_FLAGS & mask) === comp, option.negated)) };
    }
    return unknown(option);
  }
  switch (module) {
    case 'multiport': {
      const ranges = parsePortList(values);
      if (ranges === null) return unknown(option);
      const applies = (p: Packet): boolean => p.protocol === 6 || p.protocol === 17;
      if (name === '--dports' || name === '--destination-ports') return condition(option, (p) => applies(p) && portMatches(p, 'dport', ranges));
      if (name === '--sports' || name === '--source-ports') return condition(option, (p) => (applies(p) ? portMatches(p, 'sport', ranges) : false));
      if (name === '--ports') return condition(option, (p) => (applies(p) ? anyOf([portMatches(p, 'dport', ranges), portMatches(p, 'sport', ranges)]) : false));
      return unknown(option);
    }
    case 'conntrack':
      if (name === '--ctstate') return ctStateCondition(option);
      if (name === '--ctdir') return condition(option, () => (values[0] ?? '').toUpperCase() === 'ORIGINAL');
      if (name === '--ctproto') {
        const number = protocolNumber(values[0] ?? '');
        return number === null ? unknown(option) : condition(option, (p) => p.protocol === number);
      }
      return unknown(option);
    case 'state':
      return name === '--state' ? ctStateCondition(option) : unknown(option);
    case 'comment':
      return condition(option, () => true);
    case 'addrtype':
      if (name === '--limit-iface-in' || name === '--limit-iface-out') return condition(option, () => true);
      if (name === '--dst-type' || name === '--src-type') {
        // Loopback traffic goes from a local address to a local address: both are of type LOCAL.
        const types = (values[0] ?? '').split(',').map((t) => t.toUpperCase());
        return condition(option, () => types.includes('LOCAL'));
      }
      return unknown(option);
    case 'iprange': {
      const [fromText, toText] = (values[0] ?? '').split('-');
      const from = parseAddress(fromText ?? '');
      const to = parseAddress(toText ?? '');
      if (from === null || to === null || (name !== '--src-range' && name !== '--dst-range')) return unknown(option);
      return condition(option, (p) => {
        const address = parseAddress(name === '--src-range' ? p.saddr : p.daddr);
        return address !== null && address.version === from.version && address.value >= from.value && address.value <= to.value;
      });
    }
    case 'pkttype': {
      const type = (values[0] ?? '').toLowerCase();
      return name === '--pkt-type' ? condition(option, () => type === 'unicast' || type === 'host') : unknown(option);
    }
    case 'icmp':
    case 'icmp6':
      // Only ICMP packets carry an ICMP type; ours is TCP or UDP, so the match fails either way.
      return { text: describe(option), test: () => false };
    default:
      return unknown(option);
  }
}

function verdictOf(rule: IptablesRuleLine, chainNames: ReadonlySet<string>): Verdict {
  const target = rule.target;
  if (target === null) return { kind: 'continue' };
  if (chainNames.has(target.name)) return { kind: target.goto ? 'goto' : 'jump', target: target.name };
  switch (target.name) {
    case 'ACCEPT':
      return { kind: 'accept' };
    case 'DROP':
      return { kind: 'drop' };
    case 'REJECT':
      return { kind: 'reject' };
    case 'RETURN':
      return { kind: 'return' };
    default:
      return NON_TERMINATING_TARGETS.has(target.name) ? { kind: 'continue' } : { kind: 'unknown', text: `-j ${target.name}` };
  }
}

/** Turns one parsed rule into the evaluator's model. */
export function iptablesRule(rule: IptablesRuleLine, chainNames: ReadonlySet<string>, origin: RuleOrigin): Rule {
  if (rule.unparsable) {
    return { conditions: [{ text: 'an unparsable rule', test: () => 'unknown' }], verdict: { kind: 'unknown', text: 'an unparsable rule' }, quote: rule.line, origin };
  }
  const conditions: Condition[] = [];
  for (const option of rule.options) {
    conditions.push(option.module === null ? builtinCondition(option) : moduleCondition(option, option.module));
  }
  const withOptions = new Set(rule.options.map((o) => o.module));
  for (const module of rule.modules) {
    // A module with no options of its own that we do not know (e.g. `-m socket`) still filters packets.
    if (!withOptions.has(module) && !NEUTRAL_MODULES.has(module)) conditions.push({ text: `-m ${module}`, test: () => 'unknown' });
  }
  return { conditions, verdict: verdictOf(rule, chainNames), quote: rule.line, origin };
}

/** Hook priorities of the iptables tables (include/uapi/linux/netfilter_ipv4.h, NF_IP_PRI_*). */
const TABLE_PRIORITY: Readonly<Record<string, Partial<Record<Hook, number>>>> = {
  raw: { input: -300, output: -300 },
  mangle: { input: -150, output: -150 },
  nat: { output: -100, input: 100 },
  filter: { input: 0, output: 0 },
  security: { input: 50, output: 50 },
};

const HOOK_CHAINS: Readonly<Record<Hook, string>> = { input: 'INPUT', output: 'OUTPUT' };

/** The base chains (INPUT / OUTPUT of each table) of one iptables-save output, ready to evaluate. */
export function iptablesBaseChains(save: IptablesSave, source: 'iptables' | 'ip6tables', backend: 'nft' | 'legacy' | null): BaseChain[] {
  const family = source === 'iptables' ? 'ipv4' : 'ipv6';
  const bases: BaseChain[] = [];
  for (const table of save.tables) {
    const chainNames = new Set(table.chains.map((c) => c.name));
    const chains = new Map<string, Chain>();
    for (const { name } of table.chains) {
      const origin: RuleOrigin = { source, backend, table: table.name, chain: name };
      const rules = table.rules.filter((r) => r.chain === name).map((r) => iptablesRule(r, chainNames, origin));
      chains.set(name, { name, rules });
    }
    for (const hook of ['input', 'output'] as const) {
      const priority = TABLE_PRIORITY[table.name]?.[hook];
      const name = HOOK_CHAINS[hook];
      const declared = table.chains.find((c) => c.name === name);
      const chain = chains.get(name);
      if (priority === undefined || declared === undefined || chain === undefined) continue;
      const policy = declared.policy === 'DROP' ? 'drop' : 'accept';
      bases.push({
        chain,
        hook,
        priority,
        families: [family],
        policy,
        policyQuote: `-P ${name} ${declared.policy ?? 'ACCEPT'}`,
        origin: { source, backend, table: table.name, chain: name },
        lookup: (n) => chains.get(n),
      });
    }
  }
  return bases;
}
