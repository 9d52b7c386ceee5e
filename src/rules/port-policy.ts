import type { Rule } from '../doctor/types.js';
import type { Finding } from '../types.js';
import { isBrowserUnsafePort } from '../data/services.js';
import { finding, listeners } from './helpers.js';

/**
 * Traps of the port number itself: privileged ports, ports in the OS ephemeral range, ports the
 * kernel reserves, ports browsers refuse. They concern whoever runs a server on the port.
 */
export const portPolicy: Rule = {
  step: 'port-usage',
  codes: ['privileged-port', 'ephemeral-range', 'reserved-port', 'browser-unsafe-port'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const port = facts.target.port;
    const serverContext = facts.views.includes('server') || listeners(facts, { current: true }).length > 0;
    if (!facts.portSettings.ok) return findings;
    const settings = facts.portSettings.value;

    const denied = facts.binds.filter((b) => !b.ok && b.code === 'EACCES');
    if (port < settings.unprivilegedPortStart && (facts.views.includes('server') || denied.length > 0)) {
      findings.push(
        finding(
          'privileged-port',
          denied.length > 0 ? 'error' : 'warning',
          `Port ${port} is privileged here (below ${settings.unprivilegedPortStart})`,
          `On Linux, binding a port below net.ipv4.ip_unprivileged_port_start (${settings.unprivilegedPortStart}) needs root or the CAP_NET_BIND_SERVICE capability.${denied.length > 0 ? ' A trial bind as this user failed with EACCES: a server run like this cannot start.' : ' It works as root, but the same server run as a normal user fails with EACCES.'}`,
          `Use a port ≥ ${settings.unprivilegedPortStart} (and a reverse proxy on ${port}), or give the binary the capability: 'sudo setcap cap_net_bind_service=+ep $(readlink -f $(which node))', or (system-wide) 'sysctl -w net.ipv4.ip_unprivileged_port_start=${port}'.`,
          { port, unprivilegedPortStart: settings.unprivilegedPortStart, trialBindDenied: denied.length > 0 },
        ),
      );
    }
    const range = settings.ephemeralRange;
    if (serverContext && port >= range.from && port <= range.to) {
      findings.push(
        finding(
          'ephemeral-range',
          'warning',
          `Port ${port} is inside the ephemeral range ${range.from}-${range.to}`,
          `The kernel hands out ports ${range.from}-${range.to} (net.ipv4.ip_local_port_range) to outgoing connections and to servers that ask for port 0. A server on ${port} can find it taken by some client's connection at start-up, intermittently.`,
          `Pick a port outside ${range.from}-${range.to} ('portdoctor free' does), or reserve it: 'sysctl -w net.ipv4.ip_local_reserved_ports=${port}'.`,
          { port, ephemeralRange: range },
        ),
      );
    }
    const reserved = settings.reservedPorts.find((span) => port >= span.from && port <= span.to);
    if (reserved !== undefined && serverContext) {
      findings.push(
        finding(
          'reserved-port',
          'info',
          `Port ${port} is reserved by net.ipv4.ip_local_reserved_ports`,
          `The kernel will not give ${port} to outgoing connections or to port-0 binds, which protects a server that binds it explicitly. Explicit binds still work.`,
          `Nothing to do unless the reservation is unintended ('sysctl net.ipv4.ip_local_reserved_ports').`,
          { port, reserved },
        ),
      );
    }
    const webish = facts.target.scheme === null || facts.target.scheme === 'http' || facts.target.scheme === 'https';
    if (webish && isBrowserUnsafePort(port)) {
      findings.push(
        finding(
          'browser-unsafe-port',
          'warning',
          `Browsers refuse to connect to port ${port}`,
          `Port ${port} is on the browsers' "bad ports" list (Fetch standard): Chrome says ERR_UNSAFE_PORT and Firefox "This address is restricted", even though curl and other clients connect fine.`,
          `Serve web pages on another port (3000, 5173, 8080 …: 'portdoctor free').`,
          { port },
        ),
      );
    }
    return findings;
  },
};
