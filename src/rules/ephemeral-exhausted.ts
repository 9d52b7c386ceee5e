import type { EphemeralPressure } from '../platform/advice-causes-types.js';
import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { numericAddress } from '../render/address.js';
import type { Finding } from '../types.js';
import { finding } from './helpers.js';

/** The kernel's default range (32768-60999) has 28232 ports; a range under half of that was narrowed on purpose. */
const NARROW_RANGE = 14116;
/** Without a failed connect, warn once the connections to one destination take this share of the range. */
const WARN_SHARE = 0.8;
/** With a failed connect (EADDRNOTAVAIL), this share is enough to name exhaustion as the cause. */
const CAUSE_SHARE = 0.5;

/**
 * The client ran out of local ports to one destination: connect() fails with EADDRNOTAVAIL
 * because every port of the ephemeral range is already paired with that address and port (the
 * 4-tuple must be unique), by connections in TIME-WAIT or still open. Counted from this
 * namespace's socket table before the probe; confirmed by the probe's own EADDRNOTAVAIL.
 */
export const ephemeralExhausted: Rule = {
  step: 'port-usage',
  codes: ['ephemeral-exhausted'],
  evaluate(facts) {
    const ports = facts.causes.clientPorts;
    if (ports === null) return [];
    const size = ports.range.to - ports.range.from + 1;
    const findings: Finding[] = [];
    for (const d of ports.destinations) {
      const failed = (facts.probe?.attempts ?? []).filter((a) => a.address === d.address && a.error === 'EADDRNOTAVAIL');
      const share = d.total / size;
      if (!(failed.length > 0 ? share >= CAUSE_SHARE : share >= WARN_SHARE)) continue;
      const timeWait = d.byState['TIME-WAIT'] ?? 0;
      const pressure: EphemeralPressure = size < NARROW_RANGE ? 'narrow-range' : timeWait * 2 >= d.total && ports.timeWaitReuse !== 1 ? 'time-wait' : 'established';
      const at = numericAddress(d.address, d.port);
      const states = Object.entries(d.byState)
        .sort(([, a], [, b]) => b - a)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ');
      findings.push(
        finding(
          'ephemeral-exhausted',
          failed.length > 0 ? 'error' : 'warning',
          `${d.total} connections to ${at} take ${Math.round(share * 100)}% of the ${size} client ports (${ports.range.from}-${ports.range.to})`,
          `A connection is told apart by its four ends, so each one to ${at} needs its own local port from the ${ports.range.from}-${ports.range.to} range. ${d.total} already hold one (${states})${failed.length > 0 ? `, and connecting to ${at} failed with EADDRNOTAVAIL ("cannot assign requested address"): there is no port left for it` : ': a few more and new connections fail with EADDRNOTAVAIL'}. Closed connections keep their port for about 60 s in TIME-WAIT${ports.timeWaitReuse === null ? '' : ` (TIME-WAIT reuse for new connections: ${ports.timeWaitReuse === 0 ? 'off' : ports.timeWaitReuse === 1 ? 'on' : 'loopback only'})`}; a client that opens a connection per request instead of reusing one fills the range.`,
          adviceFor(facts.os).ephemeralFix({ pressure, range: ports.range, destination: at, count: d.total }),
          { destination: d.address, port: d.port, connections: d.total, byState: d.byState, range: ports.range, rangeSize: size, timeWaitReuse: ports.timeWaitReuse, connectFailed: failed.length > 0, pressure },
        ),
      );
    }
    return findings;
  },
};
