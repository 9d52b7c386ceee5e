import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isLoopbackAddress } from '../../address.js';
import { errnoCode } from '../../errors.js';
import type { HostsEntry, HostsFileRead } from '../types.js';

export type { HostsEntry, HostsFileRead } from '../types.js';

/** The names that mean "this machine" and should map only to loopback addresses. */
export const LOCALHOST_NAMES: readonly string[] = ['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'];

/**
 * Parses hosts(5) text: `address name [aliases…]`, `#` starts a comment anywhere on a line,
 * fields are separated by spaces or tabs. Lines with an address but no name are dropped (they map
 * nothing); lines whose first field is not an IP address are kept with `family: 0` so a doctor
 * can point at them, since the resolver silently ignores them.
 *
 * @example
 * parseHostsFile('127.0.0.1 localhost # me\n::1 localhost ip6-localhost\n');
 * // [{ address: '127.0.0.1', family: 4, names: ['localhost'], line: 1 },
 * //  { address: '::1', family: 6, names: ['localhost', 'ip6-localhost'], line: 2 }]
 */
export function parseHostsFile(text: string): HostsEntry[] {
  const entries: HostsEntry[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    const hash = raw.indexOf('#');
    const content = hash === -1 ? raw : raw.slice(0, hash);
    const fields = content.split(/[ \t\r\f\v]+/).filter((field) => field !== '');
    const [address, ...names] = fields;
    if (address === undefined || names.length === 0) continue;
    // glibc accepts a zone id (fe80::1%eth0) in the hosts file; isIP does not know zones.
    const family = isIP(address.split('%')[0] ?? '');
    entries.push({ address, family: family === 4 ? 4 : family === 6 ? 6 : 0, names: names.map((name) => name.toLowerCase()), line: index + 1 });
  }
  return entries;
}

/** What the hosts file says about one of the localhost names. */
export interface LocalhostMapping {
  readonly name: string;
  readonly address: string;
  readonly family: 0 | 4 | 6;
  readonly line: number;
  /** True for 127.0.0.0/8, ::1 and ::ffff:127.x.x.x; false means the name points away from this machine. */
  readonly loopback: boolean;
}

/**
 * Every address the hosts file gives to `localhost`, `localhost.localdomain`, `ip6-localhost` and
 * `ip6-loopback`, in file order, including wrong ones (a LAN address for localhost sends
 * "localhost" traffic to another machine). glibc returns all matching lines for a name, so a
 * second, wrong line matters even after a correct one.
 *
 * @example
 * localhostEntries(parseHostsFile('10.0.0.5 localhost\n'));
 * // [{ name: 'localhost', address: '10.0.0.5', family: 4, line: 1, loopback: false }]
 */
export function localhostEntries(entries: readonly HostsEntry[], names: readonly string[] = LOCALHOST_NAMES): LocalhostMapping[] {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const result: LocalhostMapping[] = [];
  for (const entry of entries) {
    for (const name of entry.names) {
      if (!wanted.has(name)) continue;
      result.push({ name, address: entry.address, family: entry.family, line: entry.line, loopback: isLoopbackAddress(entry.address) });
    }
  }
  return result;
}

/**
 * Reads and parses a hosts file (the format is the same on Linux, macOS and Windows). Never throws.
 *
 * @example
 * const hosts = await readHostsFile('/etc/hosts');
 * if (hosts.ok) localhostEntries(hosts.entries);
 */
export async function readHostsFile(path: string): Promise<HostsFileRead> {
  try {
    return { ok: true, path, entries: parseHostsFile(await readFile(path, 'utf8')) };
  } catch (error) {
    return { ok: false, path, code: errnoCode(error) ?? 'EIO' };
  }
}
