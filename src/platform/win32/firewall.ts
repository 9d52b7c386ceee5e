import type { FirewallQuery, FirewallReport, LoadedFirewall } from '../types.js';
import type { Collected } from '../../types.js';

/**
 * Windows Firewall (Windows Filtering Platform) does not filter loopback traffic: a connection
 * to 127.0.0.1 or ::1 never meets a firewall rule, so there is nothing to read and the honest
 * answer is "nothing blocks it". The one loopback restriction Windows has is UWP (Store app)
 * network isolation, which is not a firewall rule and is lifted per app.
 */
export const WINDOWS_FIREWALL_NOTE =
  "Windows Firewall does not filter loopback traffic (127.0.0.1, ::1), so no firewall rule can block it. If the client is a Store (UWP) app, Windows' loopback isolation blocks it instead: allow it with 'CheckNetIsolation LoopbackExempt -a -n=PACKAGE' (elevated; PACKAGE is the app's package family name).";

/**
 * The firewall verdict for loopback queries on Windows: never blocked, with the note above.
 *
 * @example
 * WIN32_FIREWALL.check([{ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 3000 }])[0];
 * // { ok: true, value: { blocked: null, sources: [], uninterpreted: [], completeness: 'all', notes: [WINDOWS_FIREWALL_NOTE] } }
 */
export const WIN32_FIREWALL: LoadedFirewall = {
  check(queries: readonly FirewallQuery[]): Collected<FirewallReport>[] {
    return queries.map(() => ({ ok: true, value: { blocked: null, sources: [], uninterpreted: [], completeness: 'all', notes: [WINDOWS_FIREWALL_NOTE] } }));
  },
};
