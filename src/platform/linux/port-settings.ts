import {
  LINUX_DEFAULT_UNPRIVILEGED_PORT_START,
  PORT_SYSCTLS,
  parseBooleanSysctl,
  parseEphemeralRange,
  parseIntegerSysctl,
  parseReservedPorts,
  readSysctl,
  type SysctlReadOptions,
} from './sysctl.js';
import type { Collected } from '../../types.js';
import type { PortSettings } from '../types.js';

/**
 * Reads the kernel's port settings. Fails (as a value) only when the ephemeral range itself is
 * unreadable, which means this is not Linux or /proc is not mounted; knobs that older kernels
 * lack take the kernel default and are named in `defaulted`.
 *
 * @example
 * const settings = await collectLinuxPortSettings();
 * if (settings.ok) console.log(settings.value.ephemeralRange); // { from: 32768, to: 60999 }
 */
export async function collectLinuxPortSettings(options: SysctlReadOptions = {}): Promise<Collected<PortSettings>> {
  const [range, reserved, unprivileged, loV6, allV6, v6only] = await Promise.all([
    readSysctl(PORT_SYSCTLS.ephemeralRange, options),
    readSysctl(PORT_SYSCTLS.reservedPorts, options),
    readSysctl(PORT_SYSCTLS.unprivilegedPortStart, options),
    readSysctl(PORT_SYSCTLS.ipv6DisabledOnLo, options),
    readSysctl(PORT_SYSCTLS.ipv6DisabledAll, options),
    readSysctl(PORT_SYSCTLS.bindv6only, options),
  ]);
  if (!range.ok) {
    return {
      ok: false,
      reason: `cannot read ${PORT_SYSCTLS.ephemeralRange} (${range.detail})`,
      hint: 'Port settings are read from /proc/sys on Linux; is /proc mounted?',
    };
  }
  const ephemeralRange = parseEphemeralRange(range.text);
  if (ephemeralRange === null) {
    return {
      ok: false,
      reason: `${PORT_SYSCTLS.ephemeralRange} holds "${range.text.trim()}", which is not two ports`,
      hint: `Check it with 'sysctl ${PORT_SYSCTLS.ephemeralRange}'.`,
    };
  }
  const defaulted: string[] = [];
  // A malformed or unreadable reserved list is treated as empty, and said so.
  const reservedPorts = reserved.ok ? parseReservedPorts(reserved.text) : null;
  if (reservedPorts === null) defaulted.push(PORT_SYSCTLS.reservedPorts);
  // ip_unprivileged_port_start appeared in Linux 4.11; before that the limit was fixed at 1024.
  const unprivilegedValue = unprivileged.ok ? parseIntegerSysctl(unprivileged.text) : null;
  if (unprivilegedValue === null) defaulted.push(PORT_SYSCTLS.unprivilegedPortStart);

  const readBoolean = (read: typeof loV6): boolean | null => (read.ok ? parseBooleanSysctl(read.text) : null);
  const ipv6Missing = !loV6.ok && loV6.reason === 'missing' && !v6only.ok && v6only.reason === 'missing';
  return {
    ok: true,
    value: {
      ephemeralRange,
      reservedPorts: reservedPorts ?? [],
      unprivilegedPortStart: unprivilegedValue ?? LINUX_DEFAULT_UNPRIVILEGED_PORT_START,
      ipv6: {
        available: !ipv6Missing,
        disabledOnLo: readBoolean(loV6),
        disabledAll: readBoolean(allV6),
        bindv6only: readBoolean(v6only),
      },
      defaulted,
    },
  };
}
