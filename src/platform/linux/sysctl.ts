import { liveReader, type SourceReader } from '../snapshot/reader.js';
import type { PortSpan } from '../types.js';

export type { PortSpan } from '../types.js';

/**
 * Kernel port settings. Every one of these lives in the *network namespace* of the process that
 * opens /proc/sys (a container or `ip netns exec` shell sees its own values), so reading through
 * our own /proc/sys answers for the namespace portdoctor runs in. Note that /proc/<pid>/ has no
 * `sys/` directory: another namespace's values need `setns` (e.g. run under `ip netns exec`).
 * `procRoot` exists so tests and callers can point the readers at a copied tree.
 */

/** The kernel defaults (include/net/ip.h, net/ipv4/af_inet.c), used when a file cannot be read. */
export const LINUX_DEFAULT_EPHEMERAL_RANGE: PortSpan = { from: 32768, to: 60999 };
export const LINUX_DEFAULT_UNPRIVILEGED_PORT_START = 1024;

/** The sysctls portdoctor reads, by their dotted names (as `sysctl -a` prints them). */
export const PORT_SYSCTLS = {
  ephemeralRange: 'net.ipv4.ip_local_port_range',
  reservedPorts: 'net.ipv4.ip_local_reserved_ports',
  unprivilegedPortStart: 'net.ipv4.ip_unprivileged_port_start',
  ipv6DisabledOnLo: 'net.ipv6.conf.lo.disable_ipv6',
  ipv6DisabledAll: 'net.ipv6.conf.all.disable_ipv6',
  bindv6only: 'net.ipv6.bindv6only',
} as const;

/**
 * `net.ipv4.ip_local_port_range` → `{from, to}`. The kernel prints two numbers separated by a tab.
 * Returns null for text that is not two port numbers in order.
 *
 * @example
 * parseEphemeralRange('32768\t60999\n'); // { from: 32768, to: 60999 }
 */
export function parseEphemeralRange(text: string): PortSpan | null {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 2) return null;
  const from = parsePortNumber(parts[0] ?? '');
  const to = parsePortNumber(parts[1] ?? '');
  if (from === null || to === null || to < from) return null;
  return { from, to };
}

/**
 * `net.ipv4.ip_local_reserved_ports` → the spans it lists. The kernel prints a comma-separated
 * list of ports and `a-b` ranges ("8080,9000-9010"), or an empty line when nothing is reserved.
 * Returns null when any item is malformed (a partial answer would wrongly say "not reserved").
 *
 * @example
 * parseReservedPorts('8080,9000-9010\n'); // [{ from: 8080, to: 8080 }, { from: 9000, to: 9010 }]
 * parseReservedPorts('\n');               // []
 */
export function parseReservedPorts(text: string): PortSpan[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const spans: PortSpan[] = [];
  for (const item of trimmed.split(',')) {
    const dash = item.indexOf('-');
    const from = parsePortNumber(dash === -1 ? item : item.slice(0, dash));
    const to = dash === -1 ? from : parsePortNumber(item.slice(dash + 1));
    if (from === null || to === null || to < from) return null;
    spans.push({ from, to });
  }
  return spans;
}

/**
 * A sysctl holding one integer ("1024\n") → the number, or null when it is not one.
 *
 * @example
 * parseIntegerSysctl('1024\n'); // 1024
 */
export function parseIntegerSysctl(text: string): number | null {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * A 0/1 sysctl → boolean; null when the value is something else.
 *
 * @example
 * parseBooleanSysctl('1\n'); // true
 */
export function parseBooleanSysctl(text: string): boolean | null {
  const value = parseIntegerSysctl(text);
  return value === 0 ? false : value === 1 ? true : null;
}

/** True when `port` falls in one of `spans`. */
export function inSpans(port: number, spans: readonly PortSpan[]): boolean {
  return spans.some((span) => port >= span.from && port <= span.to);
}

/** How a sysctl read went: the raw text, or why there is none. */
export type SysctlRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'missing' | 'denied' | 'error'; readonly detail: string };

export interface SysctlReadOptions {
  /** The /proc to read from (default '/proc'); `<procRoot>/sys/net/...` must exist. */
  readonly procRoot?: string;
  /** Where files are read: the live machine (default) or a snapshot. The key is the path. */
  readonly reader?: SourceReader;
}

const LIVE = liveReader();

/** `net.ipv4.ip_local_port_range` → `<procRoot>/sys/net/ipv4/ip_local_port_range`. */
export function sysctlPath(name: string, procRoot = '/proc'): string {
  return `${procRoot}/sys/${name.replaceAll('.', '/')}`;
}

/**
 * Reads one sysctl by its dotted name. Never throws: a missing file (IPv6 disabled at boot with
 * `ipv6.disable=1` removes /proc/sys/net/ipv6 entirely; other kernels lack a knob) is a value.
 *
 * @example
 * const r = await readSysctl('net.ipv4.ip_local_port_range');
 * if (r.ok) parseEphemeralRange(r.text);
 */
export async function readSysctl(name: string, options: SysctlReadOptions = {}): Promise<SysctlRead> {
  const path = sysctlPath(name, options.procRoot);
  const read = await (options.reader ?? LIVE).file(path, path);
  if (read.ok) return { ok: true, text: read.text };
  const code = read.code;
  const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : code === 'EACCES' || code === 'EPERM' ? 'denied' : 'error';
  return { ok: false, reason, detail: `${path}: ${code}` };
}

function parsePortNumber(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value <= 65535 ? value : null;
}
