import type { ProcessEnvironment, SocketUnit } from '../causes-types.js';

/**
 * Pure readers of the Linux sources of the cause checks: /proc/PID/environ, the "Max open files"
 * line of /proc/PID/limits, and `systemctl list-sockets`. Text they do not recognise gives null
 * (no answer), never a guess.
 */

/**
 * /proc/PID/environ: `NAME=value` entries, each ended by a NUL. An entry without `=` is kept out
 * (execve accepts anything; shells never make one). The first of repeated names wins, as
 * getenv(3) returns the first match.
 *
 * @example
 * parseEnviron(Buffer.from('HTTP_PROXY=http://proxy:3128\0NO_PROXY=localhost\0'));
 * // → { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost' }
 */
export function parseEnviron(bytes: Buffer): ProcessEnvironment {
  const environment: Record<string, string> = {};
  for (const entry of bytes.toString('utf8').split('\0')) {
    const equals = entry.indexOf('=');
    if (equals <= 0) continue;
    const name = entry.slice(0, equals);
    if (!Object.hasOwn(environment, name)) environment[name] = entry.slice(equals + 1);
  }
  return environment;
}

export interface OpenFilesLimit {
  readonly soft: number | null;
  readonly hard: number | null;
}

const LIMIT_VALUE = /^(\d+|unlimited)$/;

/**
 * The `Max open files` line of /proc/PID/limits (fs/proc/base.c prints each limit as a name
 * padded to 26 columns, then soft and hard limits, then the unit). null when the line is missing
 * or its values are not numbers or "unlimited".
 *
 * @example
 * parseOpenFilesLimit('Max open files            1024                 4096                 files     \n');
 * // → { soft: 1024, hard: 4096 }
 */
export function parseOpenFilesLimit(text: string): OpenFilesLimit | null {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  if (line === undefined) return null;
  const fields = line.slice('Max open files'.length).trim().split(/\s+/);
  const [soft, hard] = fields;
  if (soft === undefined || hard === undefined || !LIMIT_VALUE.test(soft) || !LIMIT_VALUE.test(hard)) return null;
  const value = (text: string): number | null => (text === 'unlimited' ? null : Number(text));
  return { soft: value(soft), hard: value(hard) };
}

/**
 * `systemctl list-sockets --all --full --no-pager` with its legend: the header's column starts
 * place each field, because a LISTEN value may contain spaces ("kobject-uevent 1", "route 1361").
 * ACTIVATES is a comma-separated list, blank for `Accept=yes` sockets. Stops at the blank line
 * before "N sockets listed.". null when the header is not the expected one.
 *
 * @example
 * parseListSockets('LISTEN      UNIT        ACTIVATES\n[::]:22     sshd.socket sshd.service\n\n1 sockets listed.\n');
 * // → [{ listen: '[::]:22', address: '::', port: 22, unit: 'sshd.socket', activates: ['sshd.service'] }]
 */
export function parseListSockets(text: string): SocketUnit[] | null {
  const lines = text.split('\n');
  const header = lines[0] ?? '';
  const unitAt = header.indexOf('UNIT');
  const activatesAt = header.indexOf('ACTIVATES');
  if (!header.startsWith('LISTEN') || unitAt <= 0 || activatesAt <= unitAt) return null;
  const units: SocketUnit[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') break;
    const listen = line.slice(0, unitAt).trim();
    const unit = line.slice(unitAt, activatesAt).trim();
    if (listen === '' || !unit.endsWith('.socket')) return null;
    const activates = line
      .slice(activatesAt)
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    const ip = listenAddress(listen);
    units.push({ listen, address: ip?.address ?? null, port: ip?.port ?? null, unit, activates });
  }
  return units;
}

/**
 * The port of a LISTEN value that is an IP socket (`0.0.0.0:631`, `[::]:22`, `127.0.0.1:8080`),
 * with its address; null for a path, an abstract name or a netlink socket.
 *
 * @example
 * listenAddress('[::]:22'); // → { address: '::', port: 22 }
 */
export function listenAddress(listen: string): { address: string; port: number } | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|(\d{1,3}(?:\.\d{1,3}){3})):(\d{1,5})$/.exec(listen);
  if (match === null) return null;
  const port = Number(match[3]);
  if (port > 65535) return null;
  return { address: match[1] ?? match[2] ?? '', port };
}
