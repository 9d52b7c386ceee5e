import { performance } from 'node:perf_hooks';
import { parseTarget, type Target } from '../target.js';
import { collectFacts } from './collect.js';
import { diagnose } from './diagnose.js';
import type { DoctorOptions, DoctorReport } from './types.js';

export type { DoctorFacts, DoctorOptions, DoctorReport, DoctorView, Rule, Step, StepId } from './types.js';
export { diagnose } from './diagnose.js';
export { collectFacts } from './collect.js';

/**
 * Diagnoses a port, host:port or URL: who holds it, whether a client can reach it (every address
 * the name resolves to, both families), whether a server could bind it, firewall rules, loopback
 * and localhost resolution. Expected problems are findings in the report, never exceptions.
 *
 * @example
 * const report = await doctor('localhost:3000');
 * if (!report.ok) for (const f of report.findings) console.log(f.code, f.title, '→', f.fix);
 */
export async function doctor(target: Target | string, options: DoctorOptions & { udp?: boolean } = {}): Promise<DoctorReport> {
  const started = performance.now();
  const parsed = typeof target === 'string' ? parseTarget(target, options.udp === true ? { udp: true } : {}) : target;
  const facts = await collectFacts(parsed, options);
  return diagnose(facts, Math.round((performance.now() - started) * 10) / 10);
}
