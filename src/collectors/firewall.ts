/**
 * Would the firewall drop or reject loopback traffic to this address and port? The platform's
 * back-end reads the rules (Linux: iptables and nftables; macOS: pf) and quotes the one that stops
 * the packet; what it could not read is said, never taken as "nothing blocks it".
 */
import { isIP } from 'node:net';
import { PortdoctorError } from '../errors.js';
import { platform } from '../platform/index.js';
import type { FirewallOptions, FirewallQuery, FirewallReport, LoadedFirewall } from '../platform/types.js';
import type { Collected } from '../types.js';

export type { FirewallOptions as CollectFirewallOptions, FirewallQuery, FirewallReport, FirewallRuleMatch, FirewallSourceStatus, LoadedFirewall } from '../platform/types.js';

/** Bad input throws before any tool runs: an address of the wrong family, a port out of range. */
function validate(query: FirewallQuery): void {
  const version = isIP(query.address);
  if (version !== (query.family === 'ipv4' ? 4 : 6)) {
    throw new PortdoctorError('bad-target', `${query.address} is not an ${query.family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`, {
      hint: 'Give a numeric address of the stated family, e.g. 127.0.0.1 or ::1.',
    });
  }
  if (!Number.isInteger(query.port) || query.port < 1 || query.port > 65535) {
    throw new PortdoctorError('bad-port', `${query.port} is outside the port range 1-65535.`, { hint: 'A port is a whole number from 1 to 65535.' });
  }
}

/**
 * Decides whether the firewall drops or rejects loopback traffic to `query`, and quotes the rule.
 * Bad input (an address of the wrong family, a port out of range) throws a PortdoctorError; rules
 * that cannot be read are a value (`ok: false` with a hint) when nothing at all could be read.
 *
 * @example
 * const result = await collectFirewall({ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 8080 });
 * if (result.ok && result.value.blocked) console.log(`blocked by: ${result.value.blocked.rule}`);
 */
export async function collectFirewall(query: FirewallQuery, options: FirewallOptions = {}): Promise<Collected<FirewallReport>> {
  const [result] = await collectFirewallChecks([query], options);
  return result!;
}

/**
 * The same check for several destinations (the doctor asks for every address a client tries),
 * reading the rule sets once: the tools are the slow part, the evaluation is microseconds.
 *
 * @example
 * const [v4, v6] = await collectFirewallChecks([
 *   { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 3000 },
 *   { protocol: 'tcp', family: 'ipv6', address: '::1', port: 3000 },
 * ]);
 */
export async function collectFirewallChecks(queries: readonly FirewallQuery[], options: FirewallOptions = {}): Promise<Collected<FirewallReport>[]> {
  queries.forEach(validate);
  return (await loadFirewall(options)).check(queries);
}

/**
 * Reads the rule sets (the slow part: several tools, run concurrently) so that callers can start
 * the reading early and ask their questions once they know them.
 *
 * @example
 * const loading = loadFirewall();            // start now
 * const addresses = await whatTheClientTries();
 * const results = (await loading).check(addresses.map(toQuery));
 */
export async function loadFirewall(options: FirewallOptions = {}): Promise<LoadedFirewall> {
  return (await platform()).loadFirewall(options);
}
