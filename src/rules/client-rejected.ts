import { isIP } from 'node:net';
import { clientRejection, type ClientRejection } from '../causes/rejections.js';
import type { DoctorFacts, Rule } from '../doctor/types.js';
import { numericAddress } from '../render/address.js';
import type { Finding } from '../types.js';
import { covers, finding, listeners } from './helpers.js';

function isLoopbackAddress(address: string | null): boolean {
  return address !== null && (address.startsWith('127.') || address === '::1' || address === '::ffff:127.0.0.1');
}

/** The setting, what it did, and the one thing to do about it. */
function explain(r: ClientRejection, facts: DoctorFacts, at: string): { setting: string; detail: string; fix: string } {
  const port = facts.target.port;
  const client = r.clientAddress ?? 'this client';
  const mask = r.clientAddress !== null && isIP(r.clientAddress) === 6 ? 128 : 32;
  switch (r.kind) {
    case 'protected-mode': {
      const loopbackServed = listeners(facts, { current: true }).some((l) => covers(l.address, '127.0.0.1'));
      return {
        setting: 'protected-mode (redis.conf), with no password set',
        detail: `${r.server} at ${at} answered "-DENIED …protected mode…": with protected-mode on and no password, it only serves clients on the loopback interface, and it saw this one come from ${client}${isLoopbackAddress(r.clientAddress) ? '' : ' (not loopback)'}. Its bind setting lets it listen there, protected mode turns the client away.`,
        fix: loopbackServed
          ? `Connect to 127.0.0.1:${port} instead of ${at}: protected mode only lets loopback clients in (to serve others, set a password with 'requirepass' in redis.conf).`
          : `Give Redis a password ('requirepass' in redis.conf, or 'CONFIG SET requirepass …') so protected mode lets ${client} in, then connect with it.`,
      };
    }
    case 'pg-hba':
      return {
        setting: 'pg_hba.conf (and listen_addresses)',
        detail: `PostgreSQL at ${at} answered "${r.message}": no line of pg_hba.conf matches a connection from ${client}. portdoctor's probe asked as user and database "portdoctor-probe" without TLS, so lines that name particular users or databases, or only hostssl, did not match it: your own login may still match.${isLoopbackAddress(r.clientAddress) ? '' : ` A client from ${client} also needs listen_addresses to include an address it can reach.`}`,
        fix: `Add 'host all all ${client}/${mask} scram-sha-256' to pg_hba.conf (narrow "all all" to your database and user), then reload: 'SELECT pg_reload_conf();'.`,
      };
    case 'host-not-allowed':
      return {
        setting: 'the account grants (user@host), and bind-address',
        detail: `${r.server} at ${at} answered error 1130 "${r.message}": no account may log in from ${client}, whatever the user name. ${isLoopbackAddress(r.clientAddress) ? `Accounts for 'localhost' match only socket connections once the server skips name resolution (skip-name-resolve); a TCP client on ${client} needs an account for '${client}'.` : `Its bind-address lets it listen there, but no grant covers ${client}.`}`,
        fix: `Create the account for that host and grant it: CREATE USER 'app'@'${client}' IDENTIFIED BY '…'; GRANT ALL ON appdb.* TO 'app'@'${client}';`,
      };
    case 'host-blocked':
      return {
        setting: 'max_connect_errors',
        detail: `${r.server} at ${at} answered error 1129 "${r.message}": after too many failed handshakes from ${client} it refuses that host until the host cache is flushed.`,
        fix: `Run 'FLUSH HOSTS;' (or 'mariadb-admin flush-hosts'), then find the client that fails its handshakes; raise max_connect_errors if they are expected.`,
      };
  }
}

/**
 * The server refuses the client itself, by its address: Redis in protected mode, PostgreSQL
 * without a pg_hba.conf line for it, MySQL/MariaDB without a grant for its host (1130) or with
 * the host blocked (1129). Read from what the server said to the probe; names the setting and
 * the client address the server saw. pg_hba's verdict depends on the user and database asked
 * for, which are the probe's, not yours: that one is a warning.
 */
export const clientRejected: Rule = {
  step: 'port-usage',
  codes: ['client-rejected'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const attempt of facts.probe?.attempts ?? []) {
      const fp = attempt.fingerprint;
      if (fp === null) continue;
      const r = clientRejection(fp, attempt.localAddress ?? null);
      if (r === null || seen.has(`${r.kind}:${r.clientAddress}`)) continue;
      seen.add(`${r.kind}:${r.clientAddress}`);
      const at = numericAddress(attempt.address, facts.target.port);
      const { setting, detail, fix } = explain(r, facts, at);
      findings.push(
        finding(
          'client-rejected',
          r.kind === 'pg-hba' ? 'warning' : 'error',
          `${r.server} at ${at} refuses connections from ${r.clientAddress ?? 'this client'} (${setting})`,
          detail,
          fix,
          { address: attempt.address, server: r.server, kind: r.kind, clientAddress: r.clientAddress, message: r.message, setting },
        ),
      );
    }
    return findings;
  },
};
