import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { numericAddress } from '../render/address.js';
import type { Finding } from '../types.js';
import { finding, holderText, listeners, socketEvidence, where } from './helpers.js';
import { reaches } from './reachability.js';

/**
 * A probe timed out at a live listener, and nothing the doctor read explains it: the accept
 * queue is empty (not-accepting would say otherwise), the holder runs (not process-stopped),
 * and every firewall rule was read and none drops it (else firewall-blocks or
 * firewall-unreadable). Something on the path swallows the packets: say so, and where to look,
 * rather than stay silent or call it healthy.
 */
export const noAnswer: Rule = {
  step: 'port-usage',
  codes: ['no-answer'],
  evaluate(facts) {
    const findings: Finding[] = [];
    for (const attempt of facts.probe?.attempts ?? []) {
      if (attempt.status !== 'timeout') continue;
      const listener = listeners(facts, { current: true }).find((l) => reaches(l, attempt));
      if (listener === undefined || listener.queue.recv > 0) continue;
      if (listener.processes.length > 0 && listener.processes.every((p) => p.state === 'T' || p.state === 't' || p.state === 'Z')) continue;
      const firewall = facts.firewall.find((check) => check.query.address === attempt.address);
      if (firewall === undefined || !firewall.result.ok) continue;
      const report = firewall.result.value;
      if (report.blocked !== null || report.completeness === 'partial') continue;
      const at = numericAddress(attempt.address, facts.target.port);
      const unevaluated = report.uninterpreted.length > 0 ? ` ${report.uninterpreted.length} firewall rule(s) on the path could not be evaluated and may be the cause: ${report.uninterpreted.slice(0, 3).join('; ')}.` : '';
      findings.push(
        finding(
          'no-answer',
          'error',
          `Connecting to ${at} times out, though ${listener.processes[0]?.name ?? 'a server'} listens there`,
          `${where(listener)} is held by ${holderText(listener)}, its accept queue is empty, and no firewall rule that portdoctor read drops the connection — yet the handshake never completed within the probe's time. Something between client and server swallows the packets.${unevaluated}`,
          adviceFor(facts.os).noAnswer(facts.target.port, listener.processes[0]?.pid ?? null),
          { address: attempt.address, listener: socketEvidence(listener), firewallSources: report.sources, uninterpreted: report.uninterpreted },
        ),
      );
    }
    return findings;
  },
};
