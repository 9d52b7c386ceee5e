import type { OsName, PortSpan } from './types.js';

/** What an OS does out of the box, for when its settings cannot be read. */
export interface OsPortDefaults {
  readonly ephemeralRange: PortSpan;
  /** Ports below this need privileges to bind (0: none do). */
  readonly unprivilegedPortStart: number;
  /** How `PortInfo.settingsSource` names these defaults. */
  readonly label: 'linux-defaults' | 'os-defaults';
  /** The services database's name in `PortService.source`. */
  readonly servicesLabel: '/etc/services' | 'services-file';
}

const DEFAULTS: Readonly<Record<OsName, OsPortDefaults>> = {
  // include/net/ip.h and net/ipv4/af_inet.c
  linux: { ephemeralRange: { from: 32768, to: 60999 }, unprivilegedPortStart: 1024, label: 'linux-defaults', servicesLabel: '/etc/services' },
  // net.inet.ip.portrange.first/last default to IANA's dynamic range
  darwin: { ephemeralRange: { from: 49152, to: 65535 }, unprivilegedPortStart: 1024, label: 'os-defaults', servicesLabel: '/etc/services' },
  // Windows Vista and later: the dynamic range starts at 49152 with 16384 ports; no privileged ports
  win32: { ephemeralRange: { from: 49152, to: 65535 }, unprivilegedPortStart: 0, label: 'os-defaults', servicesLabel: 'services-file' },
};

/**
 * The port defaults of an OS.
 *
 * @example
 * osPortDefaults('darwin').ephemeralRange; // { from: 49152, to: 65535 }
 */
export function osPortDefaults(os: OsName): OsPortDefaults {
  return DEFAULTS[os];
}
