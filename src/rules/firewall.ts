import { numericAddress } from '../render/address.js';
import type { Rule } from '../doctor/types.js';
import type { Finding } from '../types.js';
import { finding } from './helpers.js';

/** Firewall rules that drop or reject loopback traffic to the target, or rules we could not read. */
export const firewallRules: Rule = {
  step: 'firewall',
  codes: ['firewall-blocks', 'firewall-unreadable'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const unreadable = facts.firewall.find((check) => !check.result.ok);
    if (unreadable !== undefined && !unreadable.result.ok) {
      findings.push(
        finding(
          'firewall-unreadable',
          'info',
          'Firewall rules could not be read',
          `${unreadable.result.reason} The firewall was not checked, so a DROP or REJECT rule cannot be ruled out.`,
          unreadable.result.hint,
          { reason: unreadable.result.reason },
        ),
      );
    }
    for (const check of facts.firewall) {
      if (!check.result.ok || check.result.value.blocked === null) continue;
      const match = check.result.value.blocked;
      if (match.verdict === 'accept') continue;
      const attempt = facts.probe?.attempts.find((a) => a.address === check.query.address);
      const effect = match.verdict === 'drop' ? 'dropped silently: clients hang until they time out' : 'rejected: clients see "connection refused" even though a server may be listening';
      const deleteHint =
        match.source === 'nft'
          ? `Find the rule with 'nft -a list chain ${match.table} ${match.chain}' and delete it with 'nft delete rule ${match.table} ${match.chain} handle N', or insert an accept before it: 'nft insert rule ${match.table} ${match.chain} iifname "lo" accept'.`
          : match.policy
            ? `Accept loopback before the policy applies: '${match.source} -I ${match.chain} 1 -${match.hook === 'input' ? 'i' : 'o'} lo -j ACCEPT'.`
            : `Delete the rule with '${match.source} ${match.rule.replace(/^-A /, '-D ')}', or accept loopback first: '${match.source} -I ${match.chain} 1 -${match.hook === 'input' ? 'i' : 'o'} lo -j ACCEPT'.`;
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
