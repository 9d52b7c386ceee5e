import type { Collected } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { InterfaceAddress, LoopbackFacts, LoopbackIpv6Address } from '../types.js';
import { findInterface, parseIfconfig } from './ifconfig.js';
import { failureOf, runSpec } from './read-sources.js';
import { DARWIN_COMMANDS } from './sources.js';

/**
 * lo0 from `ifconfig lo0`. Unlike Linux, macOS answers only the loopback addresses configured on
 * lo0: 127.0.0.1 (with its /8 netmask) does not make 127.0.0.2 local; that needs an alias
 * (`sudo ifconfig lo0 alias 127.0.0.2`). So `has127001` is "127.0.0.1 is configured" and
 * `ipv4Loopback` is `configured-only`.
 *
 * @example
 * const lo = await collectDarwinLoopback(reader);
 * if (lo.ok) lo.value.ipv4; // [{ address: '127.0.0.1', prefixLength: 8 }]
 */
export async function collectDarwinLoopback(reader: SourceReader, name = 'lo0'): Promise<Collected<LoopbackFacts>> {
  const spec = name === 'lo0' ? DARWIN_COMMANDS.ifconfigLo0 : { key: `ifconfig-${name}`, command: 'ifconfig', args: [name] };
  const run = await runSpec(reader, spec);
  if (!run.ok) {
    return { ok: false, reason: `'ifconfig ${name}' could not be read: ${failureOf(run)}`, hint: run.failure === 'not-recorded' ? 'Record the snapshot again with this portdoctor.' : `Run 'ifconfig ${name}' to see the interface.` };
  }
  const lo = findInterface(parseIfconfig(run.stdout), name);
  if (lo === null) return { ok: false, reason: `ifconfig lists no interface ${name}`, hint: "Run 'ifconfig -a' to see the interfaces." };
  const notes: string[] = [];
  if (!lo.loopback) notes.push(`${name} is not a loopback interface (no LOOPBACK flag).`);
  const ipv4: InterfaceAddress[] = lo.ipv4.map((a) => ({ address: a.address, prefixLength: a.prefixLength ?? 32 }));
  if (lo.ipv4.some((a) => a.prefixLength === null)) notes.push(`An IPv4 netmask of ${name} could not be read; it is shown as /32.`);
  const ipv6: LoopbackIpv6Address[] = lo.ipv6.map((a) => ({
    address: a.address,
    prefixLength: a.prefixLength ?? 128,
    scope: a.address === '::1' ? 'host' : a.address.startsWith('fe80') ? 'link' : 'global',
    // ifconfig prints `tentative` after an address still in duplicate address detection; the
    // parser does not read address flags, and ::1 on lo0 never waits for it.
    tentative: false,
  }));
  const aliases = ipv4.filter((a) => a.address !== '127.0.0.1').map((a) => a.address);
  notes.push(`macOS answers only the loopback addresses configured on ${name}${aliases.length > 0 ? ` (here also ${aliases.join(', ')})` : ''}: another 127.x address needs 'sudo ifconfig ${name} alias ADDRESS'.`);
  return {
    ok: true,
    value: {
      name,
      up: lo.up,
      running: lo.running,
      operstate: lo.up ? (lo.running ? 'up' : 'down') : 'down',
      ipv4,
      ipv4Source: 'ifconfig',
      ipv6,
      // No inet6 line at all: IPv6 is off on lo0. ::1 alone missing is a removed address (hasIpv6Loopback).
      ipv6Disabled: ipv6.length === 0,
      has127001: ipv4.some((a) => a.address === '127.0.0.1'),
      hasIpv6Loopback: ipv6.some((a) => a.address === '::1'),
      ipv4Loopback: 'configured-only',
      notes,
    },
  };
}
