import type { KillReport, KillResult, KillTarget } from '../actions/kill.js';
import type { KillPlan } from '../actions/kill-types.js';
import { adviceFor } from '../platform/advice.js';
import type { OsName } from '../platform/types.js';
import { displayAddress } from './address.js';
import { styler } from './color.js';
import { renderTable } from './table.js';

/** Ends a detail with one full stop: some (a known holder's fix) already carry their own. */
function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** "42s", "5m", "3h", "2d": how long ago a process started, which tells a stale server at a glance. */
export function formatAge(startedAt: string | null, now: number = Date.now()): string {
  if (startedAt === null) return '?';
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86_400)}d ago`;
}

function supervisionLine(target: KillTarget): string | null {
  const s = target.supervision;
  if (s === null) return null;
  switch (s.kind) {
    case 'systemd':
    case 'systemd-user':
      return `runs in systemd unit ${s.name}, which may restart it; to stop it for good: ${s.advice}`;
    case 'container':
      return `runs in container ${s.name}; a restart policy may bring it back; to stop it for good: ${s.advice}`;
    case 'netns':
      return `listens in network namespace ${s.name}, not in this one (a container or another network namespace); see: ${s.advice}`;
    case 'docker-proxy':
      return `docker's port forwarder; stop the container instead: ${s.advice}`;
    case 'known-holder':
      return `${s.name}; to free the port properly: ${s.advice}`;
    case 'windows-service':
      return `runs the Windows service ${s.name}, which may restart it; to stop it for good: ${s.advice}`;
  }
}

/**
 * What `kill` is about to do (or, with --dry-run, would do): the processes, who they are, and
 * what is left alone and why.
 */
export function renderKillPlan(plan: KillPlan, options: { color: boolean; width: number; signal: string; escalate: boolean; graceMs: number; os?: OsName }): string {
  const style = styler(options.color);
  const lines: string[] = [];
  if (plan.targets.length > 0) {
    const how = adviceFor(options.os ?? 'linux').signalPlan({ signal: options.signal, escalate: options.escalate, graceMs: options.graceMs });
    lines.push(`${plan.targets.length === 1 ? 'This process holds' : `These ${plan.targets.length} processes hold`} port ${plan.heldPorts.join(', ')} and will be sent ${how}:`);
    const rows = plan.targets.map((t) => [
      String(t.pid),
      t.ports.join(','),
      t.user,
      formatAge(t.startedAt),
      t.container === null ? (t.unit ?? '') : `container ${t.container.slice(0, 12)}`,
      `${style.bold(t.name)} ${style.dim(t.command)}`,
    ]);
    lines.push(renderTable([{ header: 'PID', right: true }, { header: 'PORT' }, { header: 'USER' }, { header: 'STARTED' }, { header: 'UNIT' }, { header: 'PROCESS' }], rows, options.width, style.dim));
    for (const target of plan.targets) {
      const note = supervisionLine(target);
      if (note !== null) lines.push(style.yellow(`! pid ${target.pid}: ${note}`));
    }
  }
  for (const skip of plan.skipped) lines.push(style.yellow(`- pid ${skip.pid} (${skip.name}) on port ${skip.ports.join(',')} is left alone: ${sentence(skip.detail)}`));
  for (const hidden of plan.hidden) {
    lines.push(style.yellow(`- ${hidden.protocol} ${displayAddress(hidden.address, hidden.port)} belongs to ${hidden.user} (uid ${hidden.uid}); its process is hidden from us: ${adviceFor(options.os ?? 'linux').elevateHint}.`));
  }
  return lines.join('\n');
}

const RESULT_LABEL: Record<KillResult, string> = {
  stopped: 'stopped',
  'already-gone': 'already gone',
  'permission-denied': 'permission denied',
  'still-holding': 'still holding the port',
};

/** The outcome: one line per process, then whether the port is free, respawns and advice. */
export function renderKillReport(report: KillReport, color: boolean): string {
  const style = styler(color);
  const lines: string[] = [];
  for (const k of report.killed) {
    const ok = k.result === 'stopped' || k.result === 'already-gone';
    const mark = ok ? style.green('✓') : style.red('✗');
    const signal = k.signal === null ? '' : ` (${k.signal})`;
    lines.push(`${mark} pid ${k.pid} ${k.name}: ${RESULT_LABEL[k.result]}${signal}${k.detail !== '' && !ok ? ` — ${k.detail}` : ''}`);
  }
  for (const r of report.respawned) {
    const who = r.pid === null ? 'a process we cannot see' : `pid ${r.pid} ${r.name ?? ''}`.trim();
    lines.push(style.yellow(`! port ${r.port} is held again by ${who}: something restarted it (a service manager or container).`));
  }
  const ports = report.plan.heldPorts.join(', ');
  lines.push(report.released ? style.green(`Port ${ports} is free now.`) : style.red(`Port ${ports} is still held.`));
  if (!report.released && report.advice.length > 0) lines.push(`Try: ${report.advice.join('   or   ')}`);
  return lines.join('\n');
}
