import type { Collected } from '../../types.js';
import { osPortDefaults } from '../defaults.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { PortSettings } from '../types.js';
import { findInterface, parseIfconfig } from './ifconfig.js';
import { runSpec } from './read-sources.js';
import { DARWIN_COMMANDS } from './sources.js';
import { parsePortRange } from './sysctl.js';

/**
 * macOS's port policy. The ephemeral range is net.inet.ip.portrange.first–last (49152–65535 by
 * default). Ports below 1024 need root only on a specific address since 10.14 Mojave: anyone may
 * bind them on the wildcard (`privilegedApplies: 'specific'`). macOS reserves no ports:
 * hifirst–hilast is the range a program gets when it asks for IP_PORTRANGE_HIGH, not a
 * reservation, so it is not reported as one. IPv6 on lo0 comes from `ifconfig lo0`.
 *
 * @example
 * const settings = await collectDarwinPortSettings(reader);
 * if (settings.ok) settings.value.ephemeralRange; // { from: 49152, to: 65535 }
 */
export async function collectDarwinPortSettings(reader: SourceReader): Promise<Collected<PortSettings>> {
  const [sysctl, ifconfig] = await Promise.all([runSpec(reader, DARWIN_COMMANDS.portRange), runSpec(reader, DARWIN_COMMANDS.ifconfigLo0)]);
  const defaults = osPortDefaults('darwin');
  const range = sysctl.ok ? parsePortRange(sysctl.stdout) : null;
  const defaulted: string[] = [];
  let ephemeralRange = defaults.ephemeralRange;
  if (range !== null && range.first !== null && range.last !== null && range.first <= range.last) ephemeralRange = { from: range.first, to: range.last };
  else defaulted.push('net.inet.ip.portrange.first', 'net.inet.ip.portrange.last');
  const lo0 = ifconfig.ok ? findInterface(parseIfconfig(ifconfig.stdout), 'lo0') : null;
  return {
    ok: true,
    value: {
      ephemeralRange,
      reservedPorts: [],
      unprivilegedPortStart: defaults.unprivilegedPortStart,
      privilegedApplies: 'specific',
      ipv6: {
        available: true,
        disabledOnLo: lo0 === null ? null : !lo0.ipv6.some((a) => a.address === '::1'),
        disabledAll: null,
        // net.inet6.ip6.v6only is 0 by default on macOS, but it is not read: unknown.
        bindv6only: null,
      },
      defaulted,
    },
  };
}
