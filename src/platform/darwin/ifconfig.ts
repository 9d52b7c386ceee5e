import { isIPv4 } from 'node:net';
import { canonicalIPv6 } from './address.js';

/**
 * `ifconfig lo0` (or `ifconfig -a`) on macOS: an interface line `lo0: flags=8049<UP,LOOPBACK,…>
 * mtu 16384`, then tab-indented lines. IPv4 masks are hex (`netmask 0xff000000`), IPv6 ones a
 * prefix length, link-local addresses carry a zone (`fe80::1%lo0`) and a `scopeid 0x1`. Only the
 * addresses configured are there: 127.0.0.2 and up answer only once aliased
 * (`sudo ifconfig lo0 alias 127.0.0.2`).
 */

export interface Ipv4Address {
  readonly address: string;
  /** From the netmask; null when the mask is not contiguous or unreadable. */
  readonly prefixLength: number | null;
}

export interface Ipv6Address {
  /** Canonical, with the zone kept (`fe80::1%lo0`). */
  readonly address: string;
  readonly prefixLength: number | null;
  readonly scopeId: number | null;
}

export interface InterfaceInfo {
  readonly name: string;
  readonly flags: readonly string[];
  readonly up: boolean;
  readonly running: boolean;
  readonly loopback: boolean;
  readonly mtu: number | null;
  readonly ipv4: readonly Ipv4Address[];
  readonly ipv6: readonly Ipv6Address[];
}

const HEADER = /^([A-Za-z0-9_.-]+): flags=[0-9a-fA-F]+<([^>]*)>(?:.*\bmtu (\d+))?/;

/** `0xff000000` or `255.0.0.0` → 8; null for a mask that is not a run of ones. */
function prefixOfNetmask(mask: string): number | null {
  let bits: number;
  if (/^0x[0-9a-f]{1,8}$/i.test(mask)) bits = parseInt(mask.slice(2), 16) >>> 0;
  else if (isIPv4(mask)) bits = mask.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
  else return null;
  // A mask is a run of ones: its host part (the complement) must be 2^k - 1.
  const host = ~bits >>> 0;
  if ((host & (host + 1)) !== 0) return null;
  return 32 - Math.log2(host + 1);
}

function wordAfter(words: readonly string[], key: string): string | undefined {
  const at = words.indexOf(key);
  return at === -1 ? undefined : words[at + 1];
}

interface Building {
  name: string;
  flags: string[];
  mtu: number | null;
  ipv4: Ipv4Address[];
  ipv6: Ipv6Address[];
}

/**
 * Parses every interface block of ifconfig output.
 *
 * @example
 * parseIfconfig('lo0: flags=8049<UP,LOOPBACK,RUNNING,MULTICAST> mtu 16384\n\tinet 127.0.0.1 netmask 0xff000000\n')[0];
 * // { name: 'lo0', flags: ['UP', 'LOOPBACK', 'RUNNING', 'MULTICAST'], up: true, running: true, loopback: true,
 * //   mtu: 16384, ipv4: [{ address: '127.0.0.1', prefixLength: 8 }], ipv6: [] }
 */
export function parseIfconfig(text: string): InterfaceInfo[] {
  const blocks: Building[] = [];
  let current: Building | null = null;
  for (const line of text.split('\n')) {
    const header = HEADER.exec(line);
    if (header !== null) {
      current = { name: header[1] ?? '', flags: (header[2] ?? '').split(',').filter((f) => f !== ''), mtu: header[3] === undefined ? null : Number(header[3]), ipv4: [], ipv6: [] };
      blocks.push(current);
      continue;
    }
    if (current === null || !/^\s/.test(line)) continue;
    const words = line.trim().split(/\s+/);
    const address = words[1] ?? '';
    if (words[0] === 'inet' && isIPv4(address)) {
      const mask = wordAfter(words, 'netmask');
      current.ipv4.push({ address, prefixLength: mask === undefined ? null : prefixOfNetmask(mask) });
    } else if (words[0] === 'inet6') {
      const canonical = canonicalIPv6(address);
      if (canonical === null) continue;
      const prefix = wordAfter(words, 'prefixlen');
      const scope = wordAfter(words, 'scopeid');
      current.ipv6.push({
        address: canonical,
        prefixLength: prefix !== undefined && /^\d{1,3}$/.test(prefix) && Number(prefix) <= 128 ? Number(prefix) : null,
        scopeId: scope !== undefined && /^0x[0-9a-f]+$/i.test(scope) ? parseInt(scope.slice(2), 16) : null,
      });
    }
  }
  return blocks.map(({ flags, ...rest }) => ({ ...rest, flags, up: flags.includes('UP'), running: flags.includes('RUNNING'), loopback: flags.includes('LOOPBACK') }));
}

/**
 * The named interface of ifconfig output (`lo0` by default), or null when it is not there.
 *
 * @example
 * findInterface(parseIfconfig(text))?.ipv4; // [{ address: '127.0.0.1', prefixLength: 8 }]
 */
export function findInterface(interfaces: readonly InterfaceInfo[], name = 'lo0'): InterfaceInfo | null {
  return interfaces.find((i) => i.name === name) ?? null;
}
