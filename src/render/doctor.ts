import type { DoctorReport, Step } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { formatTarget } from '../target.js';
import type { Finding } from '../types.js';
import { styler, type Styler } from './color.js';
import { wrap } from './wrap.js';

export interface DoctorRenderOptions {
  readonly color: boolean;
  readonly width: number;
  /** Show every evidence line (--verbose). */
  readonly verbose: boolean;
}

function stepMark(status: Step['status'], style: Styler): string {
  switch (status) {
    case 'ok':
      return style.green('✔');
    case 'problem':
      return style.red('✖');
    case 'warning':
      return style.yellow('!');
    case 'info':
      return style.cyan('i');
    default:
      return style.dim('-');
  }
}

function findingMark(finding: Finding, style: Styler): string {
  return finding.severity === 'error' ? style.red('✖') : finding.severity === 'warning' ? style.yellow('!') : style.cyan('i');
}

/**
 * The human report: the troubleshooting steps in order, each with what was seen and its findings,
 * then the fixes, most likely first. Everything shown here is also in the JSON.
 */
export function renderDoctor(report: DoctorReport, options: DoctorRenderOptions): string {
  const style = styler(options.color);
  const out: string[] = [];
  const views = report.target.views.join(' + ');
  out.push(style.bold(`portdoctor ${formatTarget(report.target)} (${report.target.protocol.toUpperCase()}, ${views} view${report.target.views.length > 1 ? 's' : ''})`));
  if (report.replay !== undefined) {
    const r = report.replay;
    out.push(style.yellow(wrap(`Replayed from ${r.file ?? 'a snapshot'}: ${r.os} ${r.release}, recorded ${r.capturedAt}${r.user.elevated ? ` as ${adviceFor(r.os).privilegedUser}` : ` without ${adviceFor(r.os).privilege}`}. Connect probes and trial binds need the live machine and were not run.`, options.width, '')));
  }
  out.push('');
  const steps = report.steps.filter((s) => s.id !== 'what-to-do');
  steps.forEach((step, index) => {
    out.push(`${stepMark(step.status, style)} ${index + 1}. ${style.bold(step.title)}`);
    for (const line of step.lines) out.push(style.dim(wrap(line, options.width, '     ')));
    for (const code of new Set(step.findings)) {
      for (const f of report.findings.filter((x) => x.code === code)) {
        if (!report.steps.find((s) => s.id === step.id)?.findings.includes(f.code)) continue;
        // The title wraps like the detail (titles quote addresses and can run past 80 columns);
        // the mark takes the first line's indent, and the code stays dim wherever it lands.
        const tag = `[${f.code}]`;
        const title = wrap(`${f.title} ${tag}`, options.width, '     ');
        out.push(`   ${findingMark(f, style)} ${title.slice(5, -tag.length)}${style.dim(tag)}`);
        out.push(wrap(f.detail, options.width, '     '));
        if (options.verbose) out.push(style.dim(wrap(`evidence: ${JSON.stringify(f.evidence)}`, options.width, '     ')));
      }
    }
  });
  const fixes = report.findings.filter((f) => f.severity !== 'info' || f.code === 'permission-hidden' || f.code === 'firewall-unreadable');
  out.push('');
  out.push(`${report.ok ? style.green('✔') : style.red('✖')} ${style.bold('What to do')}`);
  if (fixes.length === 0) out.push('     Nothing: no problem found.');
  const seen = new Set<string>();
  let n = 0;
  for (const f of fixes) {
    if (seen.has(f.fix)) continue;
    seen.add(f.fix);
    n++;
    const label = `${n}.`.padStart(3);
    out.push(`  ${label} ${wrap(f.fix, options.width, '      ').trimStart()}`);
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  out.push('');
  out.push(style.dim(`${errors} problem${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} · ${report.elapsedMs} ms · --json for the data`));
  return out.join('\n');
}
