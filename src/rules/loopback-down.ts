import { isIP } from 'node:net';
import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { familyOfAddress, finding } from './helpers.js';

/** The loopback interface is down, or lacks 127.0.0.1 / ::1, or (macOS) the 127.x address asked for. */
export const loopbackDown: Rule = {
  step: 'loopback-resolution',
  codes: ['loopback-down'],
  evaluate(facts) {
    if (!facts.loopback.ok) return [];
    const lo = facts.loopback.value;
    const advice = adviceFor(facts.os);
    const evidence = { up: lo.up, running: lo.running, operstate: lo.operstate, ipv4: lo.ipv4, ipv6: lo.ipv6, ipv6Disabled: lo.ipv6Disabled, has127001: lo.has127001, hasIpv6Loopback: lo.hasIpv6Loopback };
    if (!lo.up) {
      return [
        finding(
          'loopback-down',
          'error',
          `The loopback interface ${lo.name} is down`,
          advice.loopbackDown(lo.name).detail,
          advice.loopbackDown(lo.name).fix,
          evidence,
        ),
      ];
    }
    const findings: Finding[] = [];
    if (!lo.has127001) {
      findings.push(finding('loopback-down', 'error', `127.0.0.1 is not an address of ${lo.name}`, `${lo.name} is up but has no 127.0.0.1 (addresses: ${lo.ipv4.map((a) => `${a.address}/${a.prefixLength}`).join(', ') || 'none'}), so IPv4 loopback connections fail.`, advice.addIpv4Loopback(lo.name), evidence));
    }
    // macOS answers only the 127.x addresses configured on lo0: 127.0.0.2 needs an alias there.
    const host = facts.target.host;
    if (lo.ipv4Loopback === 'configured-only' && host !== null && isIP(host) === 4 && host.startsWith('127.') && !lo.ipv4.some((a) => a.address === host)) {
      findings.push(
        finding(
          'loopback-down',
          'error',
          `${host} is not an address of ${lo.name}`,
          `On this OS only the loopback addresses configured on ${lo.name} exist (${lo.ipv4.map((a) => a.address).join(', ') || 'none'}); 127.0.0.1/8 does not make the rest of 127.0.0.0/8 local. Clients of ${host} cannot reach anything, and a server cannot bind it ("can't assign requested address").`,
          `${advice.addLoopbackAlias(lo.name, host)} (until the next restart), or use 127.0.0.1.`,
          { ...evidence, address: host, ipv4Loopback: lo.ipv4Loopback },
        ),
      );
    }
    // ::1 missing matters when a client would use it: the target is ::1, or localhost's first answer is.
    const wantsV6 = facts.probe?.attempts.some((a) => familyOfAddress(a.address) === 'ipv6') ?? facts.target.host === '::1';
    if (!lo.hasIpv6Loopback && wantsV6) {
      const onlyV6 = facts.probe !== null && facts.probe.attempts.every((a) => familyOfAddress(a.address) === 'ipv6');
      findings.push(
        finding(
          'loopback-down',
          onlyV6 ? 'error' : 'warning',
          lo.ipv6Disabled ? `IPv6 is disabled on ${lo.name}, so ::1 does not exist` : `::1 is not an address of ${lo.name}`,
          `Clients that try ::1 (for example because "localhost" resolves to it) fail with "cannot assign requested address" or "network unreachable".${onlyV6 ? '' : ' IPv4 still works, so clients that fall back to 127.0.0.1 succeed.'}`,
          lo.ipv6Disabled ? advice.enableIpv6(lo.name) : advice.addIpv6Loopback(lo.name),
          evidence,
        ),
      );
    }
    return findings;
  },
};
