import { numericAddress } from '../render/address.js';
import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { finding } from './helpers.js';

/** Firewall rules that drop or reject loopback traffic to the target, or rules we could not read. */
export const firewallRules: Rule = {
  step: 'firewall',
  codes: ['firewall-blocks', 'firewall-unreadable'],
  evaluate(facts) {
    const findings: Finding[] = [];
    // A probe that timed out is what a DROP rule looks like: with rules unread, that is the one
    // cause the doctor cannot rule out, so not reading them is then a problem in itself.
    const timedOut = facts.probe?.attempts.some((a) => a.status === 'timeout') ?? false;
    const unreadable = facts.firewall.find((check) => !check.result.ok);
    if (unreadable !== undefined && !unreadable.result.ok) {
      findings.push(
        finding(
          'firewall-unreadable',
          timedOut ? 'error' : 'info',
          'Firewall rules could not be read',
          `${unreadable.result.reason} The firewall was not checked, so a DROP or REJECT rule cannot be ruled out.${timedOut ? ' The probe timed out, which is what a DROP rule does.' : ''}`,
          unreadable.result.hint,
          { reason: unreadable.result.reason, completeness: 'none', probeTimedOut: timedOut },
        ),
      );
    }
    const partial = facts.firewall.find((check) => check.result.ok && check.result.value.completeness === 'partial');
    if (partial !== undefined && partial.result.ok) {
      const unread = partial.result.value.sources.filter((source) => !source.read && source.reason !== 'not installed');
      findings.push(
        finding(
          'firewall-unreadable',
          timedOut ? 'error' : 'warning',
          'Only part of the firewall could be read',
          `${unread.map((source) => `${source.name}: ${source.reason ?? 'failed'}`).join('; ')}. The rules that were read ${partial.result.value.blocked === null ? 'do not block it, but' : 'were checked, and'} a DROP or REJECT in the unread part cannot be ruled out.${timedOut ? ' The probe timed out, which is what a DROP rule does.' : ''}`,
          `Make ${unread.map((source) => source.name).join(' and ')} readable (run them yourself to see why they fail), then run portdoctor again.`,
          { completeness: 'partial', unread: unread.map((source) => ({ name: source.name, reason: source.reason })), probeTimedOut: timedOut },
        ),
      );
    }
    for (const check of facts.firewall) {
      if (!check.result.ok || check.result.value.blocked === null) continue;
      const match = check.result.value.blocked;
      if (match.verdict === 'accept') continue;
      const attempt = facts.probe?.attempts.find((a) => a.address === check.query.address);
      const effect = match.verdict === 'drop' ? 'dropped silently: clients hang until they time out' : 'rejected: clients see "connection refused" even though a server may be listening';
      const deleteHint = adviceFor(facts.os).firewallFix(match);
      findings.push(
        finding(
          'firewall-blocks',
          'error',
          `The firewall ${match.verdict === 'drop' ? 'drops' : 'rejects'} ${check.query.protocol.toUpperCase()} to ${numericAddress(check.query.address, check.query.port)}`,
          `Traffic to ${numericAddress(check.query.address, check.query.port)} is ${effect}. The ${match.policy ? 'policy' : 'rule'} in ${match.source} table ${match.table}, chain ${match.chain} (${match.hook} hook): ${match.rule}${attempt === undefined ? '' : `. The probe saw: ${attempt.status}`}.`,
          deleteHint,
          { address: check.query.address, family: check.query.family, protocol: check.query.protocol, port: check.query.port, rule: match, probe: attempt?.status ?? null },
        ),
      );
    }
    return findings;
  },
};
