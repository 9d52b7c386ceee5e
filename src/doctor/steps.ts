import { numericAddress } from '../render/address.js';
import { inCurrentNetns, isListening } from '../inventory.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { identifyCauseLines, portUsageCauseLines } from './steps-causes.js';
import { forwardLines, forwardStepSkipped } from './steps-forward.js';
import { configurationLines, logLines } from './steps-project.js';
import type { DoctorFacts, Step, StepId } from './types.js';

function statusOf(findings: readonly Finding[]): Step['status'] {
  if (findings.some((f) => f.severity === 'error')) return 'problem';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  if (findings.length > 0) return 'info';
  return 'ok';
}

function identifyLines(facts: DoctorFacts): string[] {
  const held = facts.sockets.filter((s) => isListening(s) && s.port === facts.target.port);
  const unread = (facts.scan.unread ?? []).map((u) => `Not read: ${u.source} (${u.reason}): ${u.effect}.`);
  if (held.length === 0) return [`Nothing is bound to port ${facts.target.port} (TCP or UDP)${facts.privileged && facts.os === 'linux' ? ' in any network namespace' : ''}${unread.length > 0 ? ' in what could be read' : ''}.`, ...unread];
  const hint = adviceFor(facts.os).elevateHint;
  return [
    ...held.map((s) => {
      const owner = s.processes.length > 0 ? s.processes.map((p) => `${p.name} (pid ${p.pid}, ${p.user}${p.unit ? `, ${p.unit}` : ''}${p.container ? `, container ${p.container.slice(0, 12)}` : ''})`).join(', ') : s.ownerHidden ? `user ${s.user}'s process (hidden: ${hint})` : 'no visible process';
      const ns = inCurrentNetns(s) ? '' : ` [netns ${s.netns?.name ?? s.netns?.id}]`;
      return `${s.protocol.toUpperCase()} ${numericAddress(s.address, s.port)} ${s.state}${ns}: ${owner}`;
    }),
    ...unread,
  ];
}

function portUsageLines(facts: DoctorFacts): string[] {
  const lines: string[] = [];
  if (facts.replay !== null) {
    if (facts.views.includes('client')) lines.push('connect: not run (a replayed snapshot: probes need the live machine)');
    if (facts.views.includes('server')) lines.push('bind: not run (a replayed snapshot: trial binds need the live machine)');
  }
  for (const a of facts.probe?.attempts ?? []) {
    const fp = a.fingerprint;
    const what = fp && fp.protocol !== 'unknown' ? ` — ${fp.protocol}${fp.detail.httpStatus ? ` ${fp.detail.httpStatus}` : ''}${fp.detail.server ? ` (${fp.detail.server})` : ''}` : '';
    const latency = a.latencyMs === null ? '' : ` in ${a.latencyMs} ms`;
    lines.push(`connect ${numericAddress(a.address, facts.target.port)}: ${a.status}${latency}${a.error && a.status !== 'open' ? ` (${a.error})` : ''}${what}`);
  }
  // Numeric here: '*' would not say which wildcard (0.0.0.0 or ::) was tried.
  for (const b of facts.binds) lines.push(`bind ${numericAddress(b.address, b.port)}: ${b.ok ? `would succeed${b.dualStack === true ? ' (dual-stack)' : ''}` : b.code}`);
  return lines;
}

function firewallLines(facts: DoctorFacts): string[] {
  const lines: string[] = [];
  // Which dumpers were read is the same for every address: said once, at the end, not per line.
  const read = new Set<string>();
  const notes = new Set<string>();
  for (const check of facts.firewall) {
    const at = `${check.query.protocol.toUpperCase()} to ${numericAddress(check.query.address, check.query.port)}`;
    if (!check.result.ok) {
      lines.push(`${at}: not checked (${check.result.reason})`);
      continue;
    }
    const report = check.result.value;
    for (const source of report.sources) if (source.read) read.add(source.name);
    if (report.blocked !== null && report.blocked.verdict !== 'accept') lines.push(`${at}: ${report.blocked.verdict.toUpperCase()} by ${report.blocked.rule}`);
    // Never "nothing blocks it" from a partial read: the unread part may hold the rule.
    else if (report.completeness === 'partial') lines.push(`${at}: nothing blocks it in the rules that were read; the rest could not be read`);
    // A rule that could not be evaluated may still drop the packet: then only "no rule read blocks it".
    else if (report.uninterpreted.length > 0) lines.push(`${at}: no rule that could be evaluated blocks it; ${report.uninterpreted.length} rule(s) on its path could not be evaluated`);
    else lines.push(`${at}: nothing blocks it`);
    for (const note of report.notes ?? []) notes.add(note);
  }
  if (read.size > 0) lines.push(`rules read from ${[...read].join(', ')}`);
  lines.push(...notes);
  return [...new Set(lines)];
}

function loopbackLines(facts: DoctorFacts): string[] {
  const lines: string[] = [];
  if (facts.loopback.ok) {
    const lo = facts.loopback.value;
    const addresses = [...lo.ipv4.map((a) => `${a.address}/${a.prefixLength}`), ...lo.ipv6.map((a) => `${a.address}/${a.prefixLength}`)];
    lines.push(`${lo.name} is ${lo.up ? 'up' : 'DOWN'}: ${addresses.join(', ') || 'no addresses'}${lo.ipv6Disabled ? ' (IPv6 disabled)' : ''}`);
  } else lines.push(`loopback not examined: ${facts.loopback.reason}`);
  const r = facts.resolution;
  if (r !== null && !r.literal) {
    if (r.error) lines.push(`${r.host} does not resolve (${r.error.code})`);
    else lines.push(`${r.host} → ${r.addresses.map((a) => a.address).join(', ')}; Node tries ${r.nodeOrder.join(', ')}${r.autoSelectFamily ? ' (happy eyeballs)' : ''}; curl tries ${r.getaddrinfoFirst ?? '-'} first`);
  }
  if (facts.hosts.ok) {
    const entries = facts.hosts.value.localhost.filter((m) => m.name === 'localhost');
    lines.push(`${facts.hosts.value.path}: localhost → ${entries.map((e) => `${e.address} (line ${e.line})`).join(', ') || 'no entry'}`);
  }
  return lines;
}

/** The troubleshooting steps in the order a seasoned admin walks them, each with what was seen. */
export function buildSteps(facts: DoctorFacts, findings: readonly Finding[], stepOf: ReadonlyMap<Finding, StepId>): Step[] {
  const of = (id: StepId): Finding[] => findings.filter((f) => stepOf.get(f) === id);
  const step = (id: StepId, title: string, lines: string[]): Step => {
    const own = of(id);
    return { id, title, status: statusOf(own), lines, findings: own.map((f) => f.code) };
  };
  const actionable = findings.filter((f) => f.severity !== 'info' || f.code === 'permission-hidden' || f.code === 'firewall-unreadable');
  return [
    step('identify-application', 'Identify the application on the port', [...identifyLines(facts), ...identifyCauseLines(facts)]),
    forwardStepSkipped(facts) && of('follow-forward').length === 0
      ? { id: 'follow-forward', title: 'Follow the forward', status: 'skipped', lines: forwardLines(facts), findings: [] }
      : step('follow-forward', 'Follow the forward', forwardLines(facts)),
    step('port-usage', 'Check port usage and conflicts', [...portUsageLines(facts), ...portUsageCauseLines(facts)]),
    step('firewall', 'Review firewall rules', firewallLines(facts)),
    step('loopback-resolution', 'Examine the loopback interface and name resolution', loopbackLines(facts)),
    facts.config === null ? { id: 'configuration', title: 'Examine configuration', status: 'skipped', lines: configurationLines(facts), findings: [] } : step('configuration', 'Examine configuration', configurationLines(facts)),
    facts.logs === null ? { id: 'logs', title: "Check the application's logs", status: 'skipped', lines: logLines(facts), findings: [] } : step('logs', "Check the application's logs", logLines(facts)),
    {
      id: 'what-to-do',
      title: 'What to do',
      status: findings.some((f) => f.severity === 'error') ? 'problem' : 'ok',
      lines: actionable.length === 0 ? ['Nothing: the port looks healthy.'] : actionable.map((f) => f.fix),
      findings: actionable.map((f) => f.code),
    },
  ];
}
