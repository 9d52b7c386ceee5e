import type { Collected } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { FirewallQuery, FirewallReport, FirewallRuleMatch, FirewallSourceStatus, LoadedFirewall } from '../types.js';
import { parsePfInfo, parsePfRules, parsePfSkippedInterfaces, parseSocketFilterFw, type PfRule, type SocketFilterState } from './firewall.js';
import { failureOf, runSpec } from './read-sources.js';
import { DARWIN_COMMANDS } from './sources.js';

type FilterRule = Extract<PfRule, { kind: 'filter' }>;

/** What the Application Firewall means here: it never filters loopback. */
export function applicationFirewallNote(state: SocketFilterState | null): string {
  if (state === null || state.enabled === null) return "The Application Firewall's state could not be read; it filters connections from the network to applications, not loopback, either way.";
  if (!state.enabled) return 'The Application Firewall is off.';
  const extras = [state.blockAll === true ? 'blocking all incoming connections' : null, state.stealth === true ? 'in stealth mode' : null].filter((e) => e !== null);
  return `The Application Firewall is on${extras.length > 0 ? ` (${extras.join(', ')})` : ''}: it decides which applications may accept connections from the network; it does not filter loopback (127.0.0.1, ::1).`;
}

/** Options pf prints after a rule's addresses that do not narrow which connections it matches. */
const HARMLESS_TAIL = /^(?:\s+(?:flags \S+|keep state|modulate state|synproxy state|no state|label "[^"]*"))*$/;

/**
 * Whether a rule on lo0 (or on every interface) certainly matches the connection: it names no
 * addresses (`all`), or `from any to any` / `to ADDRESS` with exactly this port. Anything else
 * (ranges, lists, tables, macros, source restrictions) is not interpreted.
 */
function clearlyMatches(rule: FilterRule, query: FirewallQuery): boolean {
  const text = rule.text;
  const clause = /\bfrom any to (any|[0-9a-fA-F.:]+)(?: port (?:= )?(\d{1,5}))?(.*)$/.exec(text);
  if (clause !== null) {
    const [, to = '', port, tail = ''] = clause;
    if (to !== 'any' && to !== query.address) return false;
    if (port !== undefined && Number(port) !== query.port) return false;
    return HARMLESS_TAIL.test(tail) && !rule.portsUninterpreted;
  }
  const all = /\ball(.*)$/.exec(text);
  return all !== null && HARMLESS_TAIL.test(all[1] ?? '') && rule.ports.length === 0 && !rule.portsUninterpreted;
}

function verdictOf(rule: FilterRule): FirewallRuleMatch['verdict'] {
  if (rule.action === 'pass') return 'accept';
  return /^block (?:return|return-rst|return-icmp)/.test(rule.text) ? 'reject' : 'drop';
}

function matchOf(rule: FilterRule, direction: 'in' | 'out'): FirewallRuleMatch {
  return { verdict: verdictOf(rule), source: 'pf', backend: null, table: 'main ruleset', chain: direction, hook: direction === 'out' ? 'output' : 'input', rule: rule.text, policy: false };
}

/**
 * pf's verdict for loopback traffic to one address and port. A connection over loopback leaves
 * through lo0 and comes back in through it, so each direction is judged on its own: among the
 * rules on lo0 for that direction, the last that clearly matches wins (pf's rule), a `quick` one
 * at once; nothing matching means pass (pf's default). Rules for every interface (no `on`) and
 * rules on lo0 that might match but are not understood are listed, not interpreted. Pure.
 *
 * @example
 * evaluatePf(parsePfRules('block drop in quick on lo0 proto tcp from any to any port = 3000\n'), { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 3000 }).blocked?.verdict; // 'drop'
 */
export function evaluatePf(rules: readonly PfRule[], query: FirewallQuery): { blocked: FirewallRuleMatch | null; uninterpreted: string[]; anchors: string[] } {
  const uninterpreted = new Set<string>();
  const anchors: string[] = [];
  for (const rule of rules) {
    if (rule.kind === 'anchor' && rule.anchorType === 'anchor') anchors.push(rule.name);
    if (rule.kind === 'uninterpreted') uninterpreted.add(rule.text);
  }
  const filters = rules.filter((rule): rule is FilterRule => rule.kind === 'filter');
  for (const direction of ['out', 'in'] as const) {
    let decided: FilterRule | null = null;
    for (const rule of filters) {
      if (rule.direction !== null && rule.direction !== direction) continue;
      if (rule.family !== null && (rule.family === 'inet') !== (query.family === 'ipv4')) continue;
      if (rule.protocol !== null && rule.protocol !== query.protocol) continue;
      const onLoopback = rule.onLoopback || rule.interface === 'lo';
      if (rule.interface !== null && !onLoopback) continue;
      if (!onLoopback || !clearlyMatches(rule, query)) {
        uninterpreted.add(rule.text);
        continue;
      }
      decided = rule;
      if (rule.quick) break;
    }
    if (decided !== null && decided.action === 'block') return { blocked: matchOf(decided, direction), uninterpreted: inRuleOrder(rules, uninterpreted), anchors };
  }
  return { blocked: null, uninterpreted: inRuleOrder(rules, uninterpreted), anchors };
}

const inRuleOrder = (rules: readonly PfRule[], texts: ReadonlySet<string>): string[] => [...new Set(rules.map((r) => r.text).filter((text) => texts.has(text)))];

const unreadable = (reason: string, hint: string): LoadedFirewall => ({ check: (queries) => queries.map(() => ({ ok: false, reason, hint })) });

/**
 * Reads pf (`pfctl -s info`, `-sr`, `-s Interfaces -v`: root only) and the Application Firewall's
 * state, ready to answer any number of queries. Rules that cannot be read are never taken to mean
 * that nothing blocks: without root the answer is "unreadable".
 */
export async function loadDarwinFirewall(reader: SourceReader): Promise<LoadedFirewall> {
  const [socketFilter, info, rulesRun, interfacesRun] = await Promise.all([
    runSpec(reader, DARWIN_COMMANDS.socketFilter),
    runSpec(reader, DARWIN_COMMANDS.pfInfo),
    runSpec(reader, DARWIN_COMMANDS.pfRules),
    runSpec(reader, DARWIN_COMMANDS.pfInterfaces),
  ]);
  const appFirewall = applicationFirewallNote(socketFilter.ok ? parseSocketFilterFw(socketFilter.stdout) : null);
  const pf = parsePfInfo(`${info.stdout}\n${info.stderr}`);
  if (pf.enabled === null) {
    return unreadable(
      `pf's state could not be read ('pfctl -s info': ${info.ok ? 'no Status line' : failureOf(info)}; it needs root). ${appFirewall}`,
      "Run portdoctor with sudo, or look yourself: 'sudo pfctl -s info' and 'sudo pfctl -sr'.",
    );
  }
  const infoStatus: FirewallSourceStatus = { name: 'pfctl -s info', read: true, reason: null };
  if (!pf.enabled) {
    const report: FirewallReport = { blocked: null, sources: [infoStatus], uninterpreted: [], notes: ["pf is disabled ('pfctl -s info'): it filters nothing.", appFirewall] };
    return { check: (queries) => queries.map(() => ({ ok: true, value: report })) };
  }
  const skipped = interfacesRun.ok ? parsePfSkippedInterfaces(interfacesRun.stdout) : null;
  if (skipped !== null && (skipped.includes('lo0') || skipped.includes('lo'))) {
    const report: FirewallReport = { blocked: null, sources: [infoStatus, { name: 'pfctl -s Interfaces -v', read: true, reason: null }], uninterpreted: [], notes: ["pf skips lo0 ('set skip on lo0'): loopback traffic is not filtered.", appFirewall] };
    return { check: (queries) => queries.map(() => ({ ok: true, value: report })) };
  }
  if (!rulesRun.ok) {
    const sources = [infoStatus, { name: 'pfctl -sr', read: false, reason: failureOf(rulesRun) }];
    return { check: (queries) => queries.map(() => ({ ok: true, value: { blocked: null, sources, uninterpreted: [], completeness: 'partial', notes: ['pf is enabled, but its rules could not be read.', appFirewall] } })) };
  }
  const rules = parsePfRules(rulesRun.stdout);
  const skipUnknown = skipped === null ? [`Whether pf skips lo0 could not be read ('pfctl -s Interfaces -v': ${interfacesRun.ok ? 'no interface listed' : failureOf(interfacesRun)}).`] : [];
  return {
    check: (queries) =>
      queries.map((query): Collected<FirewallReport> => {
        const { blocked, uninterpreted, anchors } = evaluatePf(rules, query);
        const anchorSources = anchors.map((name) => ({ name: `pfctl -a '${name}' -sr`, read: false, reason: `the rules inside anchor ${name} are not listed by 'pfctl -sr' and were not read` }));
        return {
          ok: true,
          value: {
            blocked,
            sources: [infoStatus, { name: 'pfctl -sr', read: true, reason: null }, ...anchorSources],
            uninterpreted,
            ...(anchorSources.length > 0 && blocked === null ? { completeness: 'partial' as const } : {}),
            notes: ['pf is enabled.', ...skipUnknown, appFirewall],
          },
        };
      }),
  };
}
