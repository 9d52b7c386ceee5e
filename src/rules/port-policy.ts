import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { inSpan } from '../port.js';
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
    const advice = adviceFor(facts.os);
    const applies = settings.privilegedApplies ?? 'all';

    const denied = facts.binds.filter((b) => !b.ok && b.code === 'EACCES');
    if (applies !== 'none' && port < settings.unprivilegedPortStart && (facts.views.includes('server') || denied.length > 0)) {
      const text = advice.privilegedPort({ port, start: settings.unprivilegedPortStart, denied: denied.length > 0, applies });
      findings.push(
        finding(
          'privileged-port',
          denied.length > 0 ? 'error' : 'warning',
          `Port ${port} is privileged here (below ${settings.unprivilegedPortStart})`,
          text.detail,
          text.fix,
          { port, unprivilegedPortStart: settings.unprivilegedPortStart, trialBindDenied: denied.length > 0 },
        ),
      );
    }
    const range = settings.ephemeralRange;
    if (serverContext && inSpan(port, range)) {
      findings.push(
        finding(
          'ephemeral-range',
          'warning',
          `Port ${port} is inside the ephemeral range ${range.from}-${range.to}`,
          advice.ephemeralRange({ port, range }).detail,
          advice.ephemeralRange({ port, range }).fix,
          { port, ephemeralRange: range },
        ),
      );
    }
    const reserved = settings.reservedPorts.find((span) => inSpan(port, span));
    if (reserved !== undefined && serverContext) {
      const text = advice.reservedPort({ port, reserved });
      findings.push(finding('reserved-port', 'info', text.title ?? `Port ${port} is reserved`, text.detail, text.fix, { port, reserved }));
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
