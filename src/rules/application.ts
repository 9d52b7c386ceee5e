import { numericAddress } from '../render/address.js';
import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { farEndExplains } from './forward-ends.js';
import { finding, listeners } from './helpers.js';

/**
 * What the application said once connected: the wrong protocol for the URL (https to a plain
 * HTTP server, or the reverse), an HTTP 5xx, a reset or immediate close after accepting, or
 * silence where the URL's protocol expects an answer.
 */
export const applicationRules: Rule = {
  step: 'port-usage',
  codes: ['wrong-protocol', 'app-error'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const stoppedOwner = listeners(facts, { current: true }).some((s) => s.processes.length > 0 && s.processes.every((p) => p.state === 'T' || p.state === 't' || p.state === 'Z'));
    // A forwarder that accepts and then drops the connection is passing on what its far end does:
    // the follow-forward findings name that far end, and "the application fails" would mislead.
    const explainedBehind = farEndExplains(facts);
    for (const attempt of facts.probe?.attempts ?? []) {
      const at = numericAddress(attempt.address, facts.target.port);
      const fp = attempt.fingerprint;
      const evidence = { address: attempt.address, status: attempt.status, error: attempt.error, fingerprint: fp };
      if (fp?.mismatch) {
        const scheme = facts.target.scheme ?? '';
        const fix =
          fp.mismatch.found === 'http' && fp.mismatch.expected === 'tls'
            ? `The server speaks plain HTTP: use http://${facts.target.host ?? 'localhost'}:${facts.target.port}${facts.target.path ?? ''} (or enable TLS on the server).`
            : fp.mismatch.found === 'tls'
              ? `The server speaks TLS: use https://${facts.target.host ?? 'localhost'}:${facts.target.port}${facts.target.path ?? ''}.`
              : `Check which service really runs on port ${facts.target.port} ('portdoctor who ${facts.target.port}') and use its protocol, or the right port for ${scheme}.`;
        findings.push(finding('wrong-protocol', 'error', `${at} speaks ${fp.mismatch.found}, not ${fp.mismatch.expected}`, `${fp.mismatch.message}`, fix, evidence));
        continue;
      }
      const status = fp?.detail.httpStatus;
      if (status !== undefined && status >= 500) {
        findings.push(
          finding(
            'app-error',
            'error',
            `${at} answers HTTP ${status}${fp?.detail.httpReason ? ` ${fp.detail.httpReason}` : ''}`,
            `The server accepted the connection and answered with a server error (${status}${fp?.detail.server ? `, Server: ${fp.detail.server}` : ''}). The network path works; the application is failing.${status === 502 || status === 504 ? ' A 502/504 usually comes from a proxy whose upstream is down: diagnose the upstream port too.' : ''}`,
            `Read the application's logs for the error behind the ${status}${status === 502 || status === 504 ? ", and check the proxy's upstream (e.g. 'portdoctor <upstream-port>')" : ''}.`,
            evidence,
          ),
        );
        continue;
      }
      if (stoppedOwner || explainedBehind) continue;
      // A close right after our *guessed* probe (no scheme given) may be the server refusing the
      // guess (redis hangs up on an HTTP request it takes for an attack): not proof of a failing app.
      const closedOnUs = fp?.closedImmediately === true && (fp.probeSent === 'none' || facts.target.scheme !== null);
      if (attempt.status === 'reset' || closedOnUs) {
        const how = attempt.status === 'reset' ? 'reset the connection' : 'closed the connection without a word';
        findings.push(
          finding(
            'app-error',
            'error',
            `${at} accepts connections, then ${attempt.status === 'reset' ? 'resets them' : 'closes them at once'}`,
            `Something listens and the handshake completes, but the application ${how}. Typical causes: it crashes per connection, rejects the client (allow-lists, max connections, TLS or protocol mismatch), or is shutting down.`,
            `Read the application's logs around the time of the probe; check its connection limits and access rules.`,
            evidence,
          ),
        );
        continue;
      }
      if (attempt.status === 'silent' && facts.target.scheme !== null) {
        findings.push(
          finding(
            'app-error',
            'error',
            `${at} accepts connections but does not answer`,
            `The handshake completes, but no ${facts.target.scheme} answer came within the probe's time. The application is hung, overloaded, or not the ${facts.target.scheme} server you expect.`,
            `Check what the process is doing (its logs, ${adviceFor(facts.os).inspectProcess(listeners(facts, { current: true })[0]?.processes[0]?.pid ?? null)}), and that port ${facts.target.port} is the ${facts.target.scheme} port.`,
            evidence,
          ),
        );
      }
    }
    return findings;
  },
};
