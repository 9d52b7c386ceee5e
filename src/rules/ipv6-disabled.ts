import { isIP } from 'node:net';
import type { BindResult } from '../collectors/bind-check.js';
import type { DoctorFacts, Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { numericAddress } from '../render/address.js';
import { finding } from './helpers.js';

/** Where IPv6 is switched off, from the port settings and the loopback facts; null when it is on. */
function ipv6Off(facts: DoctorFacts): 'interface' | 'all' | 'kernel' | null {
  const settings = facts.portSettings.ok ? facts.portSettings.value.ipv6 : null;
  if (settings?.available === false) return 'kernel';
  if (settings?.disabledAll === true) return 'all';
  if (settings?.disabledOnLo === true) return 'interface';
  if (facts.loopback.ok && facts.loopback.value.ipv6Disabled && !facts.loopback.value.hasIpv6Loopback) return 'interface';
  return null;
}

/**
 * IPv6 is switched off (disable_ipv6 on lo or everywhere, or no IPv6 in the kernel) while
 * something still expects it: "localhost" resolves to ::1 first (so clients and servers that
 * take the first address fail), or a trial bind of ::1 / :: fails. Says which setting does it,
 * instead of a bare "address not available". A target of ::1 itself is loopback-down's case.
 */
export const ipv6Disabled: Rule = {
  step: 'loopback-resolution',
  codes: ['ipv6-disabled'],
  evaluate(facts) {
    const scope = ipv6Off(facts);
    if (scope === null) return [];
    const host = facts.target.host;
    const r = facts.resolution;
    const localhost = host === null || host === 'localhost';
    // The server's view resolves nothing: then the hosts file says it, when it maps localhost to IPv6 only.
    const hostsEntries = facts.hosts.ok ? facts.hosts.value.localhost.filter((m) => m.name === 'localhost') : [];
    const hostsV6Only = hostsEntries.length > 0 && hostsEntries.every((m) => m.family === 6);
    const firstV6 = localhost && (r !== null ? r.error === null && (r.getaddrinfoFirst === '::1' || r.nodeFirst === '::1') : hostsV6Only);
    const failedBinds = facts.binds.filter((b): b is Extract<BindResult, { ok: false }> => !b.ok && isIP(b.address) === 6 && (b.code === 'EADDRNOTAVAIL' || b.code === 'EAFNOSUPPORT'));
    if (!firstV6 && failedBinds.length === 0) return [];
    const hasV4 = r !== null ? r.addresses.some((a) => a.family === 'ipv4') : hostsEntries.some((m) => m.family === 4);
    const loName = facts.loopback.ok ? facts.loopback.value.name : 'lo';
    const { setting, fix } = adviceFor(facts.os).ipv6Disabled({ interfaceName: loName, scope });
    const bindOnly = facts.views.length === 1 && facts.views[0] === 'server';
    const severity = failedBinds.length > 0 && (bindOnly || firstV6) ? 'error' : 'warning';
    const port = facts.target.port;
    const binds = failedBinds.map((b) => `${numericAddress(b.address, port)} (${b.code})`).join(', ');
    const parts = [
      `IPv6 is switched off here (${setting}), so ::1 does not exist.`,
      firstV6
        ? `Yet "localhost" resolves to ::1 first (${r === null ? `${facts.hosts.ok ? facts.hosts.value.path : 'the hosts file'} maps it to ${hostsEntries.map((m) => m.address).join(', ')} only` : r.addresses.map((a) => a.address).join(', ')}): a server told to listen on "localhost" takes ::1 and fails with EADDRNOTAVAIL, and a client that tries only the first address fails${hasV4 ? '; those that fall back to 127.0.0.1 work, after a failed attempt' : ', with no IPv4 address to fall back to'}.`
        : '',
      failedBinds.length > 0 ? `A trial bind of ${binds} failed for that reason, not because the address is foreign.` : '',
      // glibc sorts an unusable ::1 after 127.0.0.1 (RFC 6724 rule 1), so most clients are spared.
      !firstV6 && localhost && r !== null && r.getaddrinfoFirst !== null ? `"localhost" resolves to ${r.getaddrinfoFirst} first here, so only programs that ask for ::1 (or ::) themselves are affected.` : '',
    ];
    return [
      finding(
        'ipv6-disabled',
        severity,
        firstV6 ? `IPv6 is switched off (${setting}), yet "localhost" resolves to ::1 first` : `IPv6 is switched off (${setting}): ${binds} cannot be bound`,
        parts.filter((p) => p !== '').join(' '),
        fix,
        { scope, setting, localhostFirst: firstV6 ? '::1' : (r?.getaddrinfoFirst ?? null), addresses: r?.addresses ?? [], failedBinds, hasIpv6Loopback: facts.loopback.ok ? facts.loopback.value.hasIpv6Loopback : null },
      ),
    ];
  },
};
