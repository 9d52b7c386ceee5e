import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { finding, listeners } from './helpers.js';
import { servesFamily } from './reachability.js';

const HOSTS_LINES = "'127.0.0.1 localhost' and '::1 localhost ip6-localhost ip6-loopback'";

/**
 * `localhost` must resolve, to loopback addresses only, through the hosts file, and to the family
 * the server listens on. Checked when the target says localhost (a bare port means localhost too).
 */
export const localhostResolution: Rule = {
  step: 'loopback-resolution',
  codes: ['localhost-resolution'],
  evaluate(facts) {
    const host = facts.target.host;
    if (host !== null && host !== 'localhost') return [];
    const resolution = facts.resolution;
    const findings: Finding[] = [];
    const hostsPath = facts.hosts.ok ? facts.hosts.value.path : 'the hosts file';
    const hostsEntries = facts.hosts.ok ? facts.hosts.value.localhost.filter((m) => m.name === 'localhost') : [];

    if (resolution?.error) {
      findings.push(
        finding(
          'localhost-resolution',
          'error',
          '"localhost" does not resolve',
          `Looking up localhost failed (${resolution.error.code}: ${resolution.error.message}). Every client that connects to "localhost" fails before it even tries.`,
          `Add ${HOSTS_LINES} to ${hostsPath}.`,
          { host: 'localhost', error: resolution.error, hostsEntries },
        ),
      );
      return findings;
    }
    const foreign = resolution?.addresses.filter((a) => !a.address.startsWith('127.') && a.address !== '::1') ?? [];
    if (foreign.length > 0) {
      const wrong = facts.hosts.ok ? facts.hosts.value.localhost.filter((m) => !m.loopback) : [];
      findings.push(
        finding(
          'localhost-resolution',
          'error',
          `"localhost" resolves to ${foreign.map((a) => a.address).join(', ')}, which is not loopback`,
          `localhost should mean this machine (127.0.0.1 or ::1), but it resolves to ${foreign.map((a) => a.address).join(', ')}${wrong.length > 0 ? ` (${hostsPath} line ${wrong.map((w) => w.line).join(', ')})` : ''}. Clients connecting to localhost go elsewhere.`,
          wrong.length > 0 ? `Remove line ${wrong.map((w) => w.line).join(', ')} of ${hostsPath} and keep ${HOSTS_LINES}.` : `Make ${hostsPath} say ${HOSTS_LINES}.`,
          { host: 'localhost', addresses: resolution?.addresses ?? [], wrongEntries: wrong },
        ),
      );
    }
    // Windows answers "localhost" itself (its stock hosts file has the lines commented out): no entry is normal there.
    if (facts.hosts.ok && hostsEntries.length === 0 && !adviceFor(facts.os).localhostBuiltIn) {
      findings.push(
        finding(
          'localhost-resolution',
          resolution !== null && resolution.addresses.length > 0 ? 'warning' : 'error',
          `${hostsPath} has no entry for localhost`,
          `Without a hosts entry, "localhost" depends on DNS or an NSS module (it resolves here to ${resolution?.addresses.map((a) => a.address).join(', ') || 'nothing'}); that differs between machines and containers, and can be slow or wrong.`,
          `Add ${HOSTS_LINES} to ${hostsPath}.`,
          { host: 'localhost', hostsPath, addresses: resolution?.addresses ?? [] },
        ),
      );
    }
    // localhost lacks the family the server listens on: clients of "localhost" cannot get there.
    const served = listeners(facts, { current: true });
    const families = new Set(resolution?.addresses.map((a) => a.family) ?? []);
    if (resolution !== null && served.length > 0 && families.size > 0 && !served.some((l) => [...families].some((f) => servesFamily(l, f)))) {
      const missing = families.has('ipv4') ? 'IPv6' : 'IPv4';
      findings.push(
        finding(
          'localhost-resolution',
          'error',
          `"localhost" resolves only to ${[...families].map((f) => (f === 'ipv4' ? 'IPv4' : 'IPv6')).join(' and ')}, but the server is ${missing}-only`,
          `localhost → ${resolution.addresses.map((a) => a.address).join(', ')}. The server listens on ${served.map((l) => l.address).join(', ')} only, so clients of "localhost" cannot reach it.`,
          `Add the missing line to ${hostsPath} (${missing === 'IPv4' ? "'127.0.0.1 localhost'" : "'::1 localhost'"}), or make the server listen on both families.`,
          { host: 'localhost', addresses: resolution.addresses, listeners: served.map((l) => l.address) },
        ),
      );
    }
    return findings;
  },
};
