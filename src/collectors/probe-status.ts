/**
 * How a connection attempt ended, in the words of the JSON contract:
 * - `open`: connected (and the server answered, if we fingerprinted);
 * - `refused`: ECONNREFUSED — nothing listens there (or a firewall REJECTs with a TCP RST);
 * - `timeout`: no answer at all — SYN dropped by a firewall, or a host that is not there;
 * - `unreachable`: the kernel could not even send (no route, address not configured, EPERM from OUTPUT rules);
 * - `reset`: accepted, then reset before the server said anything;
 * - `silent`: accepted, but the server sent nothing within the budget (or closed without a word).
 *   For UDP: no reply and no ICMP error — see probe-udp.ts.
 */
export type ProbeStatus = 'open' | 'refused' | 'timeout' | 'unreachable' | 'reset' | 'silent';

/**
 * Maps a connect() errno to a status. Unknown codes count as unreachable: the connection did not
 * happen, and nothing suggests a listener or a silent drop.
 *
 * @example
 * statusOfConnectError('ECONNREFUSED'); // → 'refused'
 */
export function statusOfConnectError(code: string): ProbeStatus {
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  // EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL (e.g. ::1 on a host without IPv6), EAFNOSUPPORT, EPERM
  // (an OUTPUT rule), EINVAL (a link-local address without a scope), and anything unforeseen.
  return 'unreachable';
}

/** True for outcomes where a server took the connection (the exit-0 cases of `portdoctor probe`). */
export function isAccepted(status: ProbeStatus): boolean {
  return status === 'open' || status === 'silent';
}

/** True when something at the address answered at all (a client would have stopped trying others). */
export function isAnswered(status: ProbeStatus): boolean {
  return status === 'open' || status === 'silent' || status === 'reset';
}

/** Milliseconds since `start`, rounded to 0.1. */
export function elapsedMs(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}
