import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { inSpan } from '../port.js';
import { finding } from './helpers.js';

/**
 * Windows refuses every bind inside its excluded port ranges (netsh … show excludedportrange),
 * which WinNAT reserves for Hyper-V, WSL2 and Docker Desktop: `listen EACCES` while nothing at all
 * listens on the port. The most common Windows failure, and one no holder explains.
 */
export const portExcluded: Rule = {
  step: 'port-usage',
  codes: ['port-excluded'],
  evaluate(facts) {
    if (!facts.portSettings.ok) return [];
    const port = facts.target.port;
    const range = (facts.portSettings.value.excludedRanges ?? []).find((r) => r.protocol === facts.target.protocol && inSpan(port, r));
    if (range === undefined) return [];
    const text = adviceFor(facts.os).excludedPort({ port, range, protocol: facts.target.protocol });
    const denied = facts.binds.filter((b) => !b.ok && b.code === 'EACCES');
    return [
      finding(
        'port-excluded',
        facts.views.includes('server') ? 'error' : 'warning',
        `Port ${port} is in an excluded port range (${range.from}-${range.to}): no program may listen on it`,
        `${text.detail}${denied.length > 0 ? ' A trial bind here failed with EACCES.' : ''}`,
        text.fix,
        { port, range, reservedBy: range.administered ? 'administrator' : 'system (WinNAT / Hyper-V)', trialBindDenied: denied.length > 0 },
      ),
    ];
  },
};
