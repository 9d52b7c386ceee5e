import { networkInterfaces } from 'node:os';
import { liveReader, type SourceReader } from '../snapshot/reader.js';
import type { InterfaceAddress } from '../types.js';
import { decodeProcIPv6 } from './proc-address.js';

export type { InterfaceAddress } from '../types.js';

/**
 * The loopback interface as the kernel describes it in three places: /sys/class/net/<if>/ (link
 * state), /proc/net/if_inet6 (IPv6 addresses) and netlink (IPv4 addresses: there is no /proc file
 * for them, so we ask `ip -j addr`, falling back to os.networkInterfaces()). All of these are per
 * network namespace: /proc/net is /proc/self/net, and `ip netns exec` remounts /sys.
 */

/** Interface flag bits (include/uapi/linux/if.h). */
export const IFF_UP = 0x1;
export const IFF_LOOPBACK = 0x8;
export const IFF_RUNNING = 0x40;

/** One line of /proc/net/if_inet6. */
export interface Inet6Entry extends InterfaceAddress {
  readonly ifindex: number;
  /** The kernel's scope bits: 0x00 global, 0x10 host, 0x20 link, 0x40 site, 0x80 v4-compatible. */
  readonly scope: number;
  readonly scopeName: 'global' | 'host' | 'link' | 'site' | 'compat' | 'unknown';
  /** IFA_F_* bits: 0x40 tentative (DAD not finished: not yet bindable), 0x80 permanent, … */
  readonly flags: number;
  readonly tentative: boolean;
  readonly interfaceName: string;
}

const SCOPE_NAMES: Readonly<Record<number, Inet6Entry['scopeName']>> = {
  0x00: 'global',
  0x10: 'host',
  0x20: 'link',
  0x40: 'site',
  0x80: 'compat',
};
const IFA_F_TENTATIVE = 0x40;

/**
 * Parses /proc/net/if_inet6: `<32 hex digits> <ifindex> <prefix len> <scope> <flags> <name>`, all
 * numbers in hex. The address is in network byte order (unlike /proc/net/tcp6, which prints
 * host-order words). Malformed lines are skipped.
 *
 * @example
 * parseIfInet6('00000000000000000000000000000001 01 80 10 80       lo\n');
 * // [{ address: '::1', ifindex: 1, prefixLength: 128, scope: 16, scopeName: 'host', flags: 128, tentative: false, interfaceName: 'lo' }]
 */
export function parseIfInet6(text: string): Inet6Entry[] {
  const entries: Inet6Entry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 6) continue;
    const [hex = '', ifindexHex = '', prefixHex = '', scopeHex = '', flagsHex = '', name = ''] = fields;
    if (!/^[0-9a-f]{32}$/i.test(hex)) continue;
    const numbers = [ifindexHex, prefixHex, scopeHex, flagsHex];
    if (!numbers.every((n) => /^[0-9a-f]+$/i.test(n))) continue;
    const [ifindex = 0, prefixLength = 0, scope = 0, flags = 0] = numbers.map((n) => parseInt(n, 16));
    if (prefixLength > 128) continue;
    entries.push({
      address: decodeProcIPv6(hex, 0, false),
      ifindex,
      prefixLength,
      scope,
      scopeName: SCOPE_NAMES[scope] ?? 'unknown',
      flags,
      tentative: (flags & IFA_F_TENTATIVE) !== 0,
      interfaceName: name,
    });
  }
  return entries;
}

/** One interface from `ip -j addr`. */
export interface IpLink {
  readonly ifindex: number;
  readonly name: string;
  /** As `ip` prints them: LOOPBACK, UP, LOWER_UP, … */
  readonly flags: readonly string[];
  /** Lower-case operstate: up, down, unknown (what loopback reports when up), … */
  readonly operstate: string | null;
  readonly ipv4: readonly InterfaceAddress[];
  readonly ipv6: readonly InterfaceAddress[];
}

/**
 * Parses the JSON of `ip -j addr [show dev X]`. Returns null when the text is not the array `ip`
 * prints (e.g. an error message); unknown fields are ignored, entries without a name skipped.
 *
 * @example
 * parseIpAddrJson('[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"operstate":"UNKNOWN","addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]}]');
 * // [{ ifindex: 1, name: 'lo', flags: ['LOOPBACK', 'UP'], operstate: 'unknown', ipv4: [{ address: '127.0.0.1', prefixLength: 8 }], ipv6: [] }]
 */
export function parseIpAddrJson(text: string): IpLink[] | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(data)) return null;
  const links: IpLink[] = [];
  for (const item of data as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const link = item as Record<string, unknown>;
    if (typeof link['ifname'] !== 'string') continue;
    const ipv4: InterfaceAddress[] = [];
    const ipv6: InterfaceAddress[] = [];
    const addrInfo = Array.isArray(link['addr_info']) ? (link['addr_info'] as unknown[]) : [];
    for (const entry of addrInfo) {
      if (typeof entry !== 'object' || entry === null) continue;
      const addr = entry as Record<string, unknown>;
      const local = addr['local'];
      const prefix = addr['prefixlen'];
      if (typeof local !== 'string' || typeof prefix !== 'number') continue;
      if (addr['family'] === 'inet') ipv4.push({ address: local, prefixLength: prefix });
      else if (addr['family'] === 'inet6') ipv6.push({ address: local, prefixLength: prefix });
    }
    const flags = Array.isArray(link['flags']) ? (link['flags'] as unknown[]).filter((f): f is string => typeof f === 'string') : [];
    links.push({
      ifindex: typeof link['ifindex'] === 'number' ? link['ifindex'] : 0,
      name: link['ifname'],
      flags,
      operstate: typeof link['operstate'] === 'string' ? link['operstate'].toLowerCase() : null,
      ipv4,
      ipv6,
    });
  }
  return links;
}

/**
 * /sys/class/net/<if>/flags ("0x9") → the number, or null.
 *
 * @example
 * parseInterfaceFlags('0x9\n'); // 9 (IFF_UP | IFF_LOOPBACK)
 */
export function parseInterfaceFlags(text: string): number | null {
  const match = /^0x([0-9a-f]+)$/i.exec(text.trim());
  return match?.[1] === undefined ? null : parseInt(match[1], 16);
}

/**
 * True when the IPv4 `address` lies in `prefix`/`prefixLength`. On a loopback interface the kernel
 * makes the *whole prefix* local (`local 127.0.0.0/8 dev lo` in `ip route show table local`), so
 * 127.0.0.2/8 on lo makes 127.0.0.1 bindable too, while 127.0.0.2/32 does not.
 *
 * @example
 * ipv4PrefixContains({ address: '127.0.0.2', prefixLength: 8 }, '127.0.0.1'); // true
 */
export function ipv4PrefixContains(prefix: InterfaceAddress, address: string): boolean {
  const a = ipv4ToNumber(prefix.address);
  const b = ipv4ToNumber(address);
  if (a === null || b === null || prefix.prefixLength < 0 || prefix.prefixLength > 32) return false;
  if (prefix.prefixLength === 0) return true;
  const shift = 32 - prefix.prefixLength;
  return Math.floor(a / 2 ** shift) === Math.floor(b / 2 ** shift);
}

function ipv4ToNumber(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** A file read that may legitimately fail. */
export type FileRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly code: string };

const LIVE = liveReader();

async function readText(path: string, reader: SourceReader): Promise<FileRead> {
  const read = await reader.file(path, path);
  return read.ok ? { ok: true, text: read.text } : { ok: false, code: read.code };
}

/** Reads `<sysRoot>/class/net/<name>/{flags,operstate}`. Never throws. */
export async function readInterfaceLinkState(name: string, sysRoot = '/sys', reader: SourceReader = LIVE): Promise<{ flags: FileRead; operstate: FileRead }> {
  const base = `${sysRoot}/class/net/${name}`;
  const [flags, operstate] = await Promise.all([readText(`${base}/flags`, reader), readText(`${base}/operstate`, reader)]);
  return { flags, operstate };
}

/** Reads `<procRoot>/net/if_inet6` (absent when the kernel has no IPv6). Never throws. */
export function readIfInet6(procRoot = '/proc', reader: SourceReader = LIVE): Promise<FileRead> {
  return readText(`${procRoot}/net/if_inet6`, reader);
}

/** Runs `ip -j addr show dev <name>` and parses it; null when `ip` is missing or fails. */
export async function readIpAddr(name: string, reader: SourceReader = LIVE): Promise<IpLink | null> {
  const result = await reader.run(`ip-addr-${name}`, 'ip', ['-j', 'addr', 'show', 'dev', name], { timeoutMs: 3000 });
  if (!result.ok) return null;
  return parseIpAddrJson(result.stdout)?.find((link) => link.name === name) ?? null;
}

/**
 * IPv4 addresses of `name` from os.networkInterfaces(). libuv (getifaddrs) leaves out interfaces
 * that are not both UP and RUNNING, so a down interface looks like one without addresses here.
 */
export function ipv4FromNetworkInterfaces(name: string): InterfaceAddress[] {
  const entries = networkInterfaces()[name] ?? [];
  return entries
    .filter((entry) => entry.family === 'IPv4')
    .map((entry) => ({ address: entry.address, prefixLength: prefixLengthOf(entry.cidr) }));
}

function prefixLengthOf(cidr: string | null): number {
  const slash = cidr?.lastIndexOf('/') ?? -1;
  return cidr === null || slash === -1 ? 32 : Number(cidr.slice(slash + 1));
}
