import type { Collected } from '../../types.js';
import type { LoopbackFacts } from '../types.js';

/**
 * Windows' loopback is not an interface that can be brought down or lose its addresses the way
 * Linux's `lo` can: "Loopback Pseudo-Interface 1" always answers 127.0.0.0/8 and ::1, and the
 * stack itself answers them even without it. Nothing is read for it; the facts say so. What can
 * take ::1 away is IPv6 switched off (the DisabledComponents registry value), which none of the
 * sources shows, so ::1 is assumed too, and the note says so.
 *
 * @example
 * win32LoopbackFacts().ok; // true
 */
export function win32LoopbackFacts(): Collected<LoopbackFacts> {
  return {
    ok: true,
    value: {
      name: 'Loopback Pseudo-Interface 1',
      up: true,
      running: true,
      operstate: null,
      ipv4: [{ address: '127.0.0.1', prefixLength: 8 }],
      ipv4Source: 'assumed',
      ipv6: [{ address: '::1', prefixLength: 128, scope: 'host', tentative: false }],
      ipv6Disabled: false,
      has127001: true,
      hasIpv6Loopback: true,
      // Windows answers every 127.x.y.z address, like Linux.
      ipv4Loopback: 'prefix',
      notes: [
        "Windows' loopback (Loopback Pseudo-Interface 1) is part of the TCP/IP stack and cannot be down; 127.0.0.0/8 and ::1 are assumed, not read. ::1 is missing only when IPv6 is switched off (the DisabledComponents value under HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters), which portdoctor does not read.",
      ],
    },
  };
}
