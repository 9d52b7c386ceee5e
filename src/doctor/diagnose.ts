import { RULES } from '../rules/index.js';
import { supersede } from '../rules/supersede.js';
import type { Finding, Severity } from '../types.js';
import { buildSteps } from './steps.js';
import type { DoctorFacts, DoctorReport, StepId } from './types.js';

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, info: 2 };

/**
 * Facts → report: every rule runs (they are pure), findings are ordered by severity and then by
 * rule order (most likely cause first), and the steps are summarised. A rule that throws is a
 * bug; it becomes an `internal-error` finding instead of hiding the others.
 */
export function diagnose(facts: DoctorFacts, elapsedMs = 0): DoctorReport {
  const stepOf = new Map<Finding, StepId>();
  const findings: Finding[] = [];
  RULES.forEach((rule) => {
    let produced: readonly Finding[];
    try {
      produced = rule.evaluate(facts);
    } catch (error) {
      produced = [
        {
          code: 'internal-error',
          severity: 'warning',
          title: `A check failed: ${rule.codes.join(', ')}`,
          detail: `portdoctor hit a bug while checking ${rule.codes.join(', ')}: ${error instanceof Error ? error.message : String(error)}. The other checks still ran.`,
          fix: 'Please report this with the output of --json --verbose.',
          evidence: { codes: rule.codes },
        },
      ];
    }
    for (const finding of produced) {
      stepOf.set(finding, rule.step);
      findings.push(finding);
    }
  });
  // A specific cause demotes the generic finding it explains; the demoted one keeps its step.
  const explained = supersede(findings);
  explained.forEach((f, i) => {
    const step = stepOf.get(findings[i]!);
    if (f !== findings[i] && step !== undefined) stepOf.set(f, step);
  });
  findings.splice(0, findings.length, ...explained);
  // Array.prototype.sort is stable: within a severity, rule order is kept.
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return {
    target: { ...facts.target, views: facts.views },
    ok: !findings.some((f) => f.severity === 'error'),
    findings,
    probes: facts.probe?.attempts ?? [],
    sockets: facts.sockets,
    steps: buildSteps(facts, findings, stepOf),
    facts: {
      resolution: facts.resolution,
      loopback: facts.loopback,
      hosts: facts.hosts,
      portSettings: facts.portSettings,
      firewall: facts.firewall,
      binds: facts.binds,
      scan: facts.scan,
      config: facts.config,
      logOwner: facts.logOwner,
      logs: facts.logs,
      causes: facts.causes,
      forwards: facts.forwards,
    },
    elapsedMs,
    ...(facts.replay === null ? {} : { replay: facts.replay }),
  };
}
