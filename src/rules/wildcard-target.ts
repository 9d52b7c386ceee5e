import type { Rule } from '../doctor/types.js';
import { finding } from './helpers.js';

/**
 * The client was pointed at 0.0.0.0 or `::`: addresses a server binds to mean "every address",
 * but as a destination they mean nothing. Linux and macOS quietly connect to this machine
 * instead, so curl works; browsers refuse them (Chrome: ERR_ADDRESS_INVALID) and Windows fails
 * (WSAEADDRNOTAVAIL). The address usually comes from a server's "listening on 0.0.0.0:3000" line.
 */
export const wildcardTarget: Rule = {
  step: 'loopback-resolution',
  codes: ['wildcard-target'],
  evaluate(facts) {
    const host = facts.target.host;
    if (!facts.views.includes('client') || (host !== '0.0.0.0' && host !== '::')) return [];
    const port = facts.target.port;
    const v6 = host === '::';
    const written = v6 ? `[::]:${port}` : `0.0.0.0:${port}`;
    const instead = v6 ? `[::1]:${port}` : `127.0.0.1:${port}`;
    const scheme = facts.target.scheme === null ? '' : `${facts.target.scheme}://`;
    return [
      finding(
        'wildcard-target',
        'warning',
        `${written} is a listening address, not one to connect to`,
        `${host} means "every address of this machine" when a server binds it. As a destination it is not an address at all: Linux and macOS connect to this machine instead (so curl and portdoctor get through), but browsers refuse it (Chrome: ERR_ADDRESS_INVALID) and Windows clients fail with "address not valid in its context". Servers print it in "listening on ${written}", which is where it gets copied from.`,
        `Use ${scheme}${instead} (or ${scheme}localhost:${port}) instead of ${scheme}${written}; keep ${host} in the server's bind setting only.`,
        { target: host, port, instead },
      ),
    ];
  },
};
