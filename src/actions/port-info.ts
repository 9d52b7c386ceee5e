import { BROWSER_UNSAFE_FIX, curatedServices, isBrowserUnsafePort, knownSquatters, type Squatter } from '../data/services.js';
import { PortdoctorError } from '../errors.js';
import { osPortDefaults } from '../platform/defaults.js';
import { platform } from '../platform/index.js';
import type { ExcludedPortRange, OsName, PortSpan } from '../platform/types.js';
import { inSpan, isPort } from '../port.js';

/** How the squatter table names the system examined. */
const SQUATTER_PLATFORM: Readonly<Record<OsName, Squatter['platform']>> = { linux: 'linux', darwin: 'macos', win32: 'windows' };

/** IANA's three port ranges (RFC 6335). */
export type IanaRange = 'well-known' | 'registered' | 'dynamic';

/** A service known to use a port. */
export interface PortService {
  readonly name: string;
  readonly protocol: string;
  /** `/etc/services` is the OS's services database (Linux, macOS); `services-file` is Windows'. */
  readonly source: 'curated' | '/etc/services' | 'services-file';
  readonly description: string;
}

/** What a port number means on this machine. The JSON of `portdoctor info`. */
export interface PortInfo {
  readonly port: number;
  readonly range: IanaRange;
  /** Inside the OS's ephemeral range (Linux: `net.ipv4.ip_local_port_range`): it may be handed to an outgoing connection or a port-0 bind. */
  readonly ephemeral: boolean;
  /** Listed in `net.ipv4.ip_local_reserved_ports`: never handed out automatically. */
  readonly reserved: boolean;
  /** Below `net.ipv4.ip_unprivileged_port_start`: binding needs root or CAP_NET_BIND_SERVICE. */
  readonly privileged: boolean;
  readonly services: readonly PortService[];
  /** Browsers refuse to connect to it (ERR_UNSAFE_PORT). */
  readonly browserUnsafe: boolean;
  readonly squatters: readonly Squatter[];
  readonly ephemeralRange: PortSpan;
  readonly reservedPorts: readonly PortSpan[];
  readonly unprivilegedPortStart: number;
  /** 'kernel' when read from the OS; 'linux-defaults' / 'os-defaults' when unreadable (then the three booleans assume a stock OS). */
  readonly settingsSource: 'kernel' | 'linux-defaults' | 'os-defaults';
  /** Windows: the excluded port ranges that contain the port (nobody may bind it). Absent elsewhere. */
  readonly excluded?: readonly ExcludedPortRange[];
  /** Caveats for people (why settings are defaults, browser advice). */
  readonly notes: readonly string[];
}

export interface PortInfoOptions {
  /** services(5) file to consult (default: the OS's). */
  readonly servicesPath?: string;
  /** Linux: the /proc to read sysctls from (default /proc). */
  readonly procRoot?: string;
}

/**
 * IANA's range of a port: well-known 0–1023, registered 1024–49151, dynamic 49152–65535.
 * An OS's own ephemeral range (Linux's is 32768–60999 by default) may differ from IANA's dynamic range.
 *
 * @example
 * ianaRange(62893); // 'dynamic'
 */
export function ianaRange(port: number): IanaRange {
  return port <= 1023 ? 'well-known' : port <= 49151 ? 'registered' : 'dynamic';
}

/**
 * Explains a port number: its IANA range, whether this machine's kernel treats it as ephemeral,
 * reserved or privileged, which services commonly use it, whether browsers refuse it, and which
 * programs are known to squat on it. Throws PortdoctorError('bad-port') for anything that is not
 * a whole number from 1 to 65535.
 *
 * @example
 * const info = await portInfo(62893);
 * info.range;     // 'dynamic'
 * info.ephemeral; // false with Linux's default range 32768–60999
 */
export async function portInfo(port: number, options: PortInfoOptions = {}): Promise<PortInfo> {
  if (!isPort(port)) {
    throw new PortdoctorError('bad-port', `${port} is not a port number.`, { hint: 'A port is a whole number from 1 to 65535, e.g. 3000.' });
  }
  const os = await platform();
  const defaults = osPortDefaults(os.os);
  const [settings, etcServices] = await Promise.all([os.portSettings(options.procRoot === undefined ? {} : { procRoot: options.procRoot }), os.servicesFile(options.servicesPath)]);
  const notes: string[] = [];
  const ephemeralRange = settings.ok ? settings.value.ephemeralRange : defaults.ephemeralRange;
  const reservedPorts = settings.ok ? settings.value.reservedPorts : [];
  const unprivilegedPortStart = settings.ok ? settings.value.unprivilegedPortStart : defaults.unprivilegedPortStart;
  const excluded = settings.ok ? (settings.value.excludedRanges ?? []).filter((range) => inSpan(port, range)) : [];
  if (!settings.ok) notes.push(os.os === 'linux' ? `Kernel port settings are unavailable (${settings.reason}); Linux defaults are assumed.` : `Port settings are unavailable (${settings.reason}); the OS defaults are assumed.`);
  else if (settings.value.defaulted.length > 0) notes.push(`Could not read ${settings.value.defaulted.join(', ')}; the ${os.os === 'linux' ? 'kernel' : 'OS'} default is assumed.`);
  if (settings.ok && settings.value.privilegedApplies === 'specific' && port < unprivilegedPortStart) notes.push(`Binding ${port} needs root only on a specific address (127.0.0.1, ::1); anyone may bind it on 0.0.0.0 or ::.`);
  for (const range of excluded) notes.push(`Port ${port} is in the excluded ${range.protocol.toUpperCase()} range ${range.from}-${range.to}${range.administered ? ' (added by an administrator)' : ' (reserved by WinNAT/Hyper-V)'}: no program may bind it.`);

  const services: PortService[] = curatedServices(port).map((service) => ({
    name: service.name,
    protocol: service.protocol,
    source: 'curated',
    description: service.description,
  }));
  if (etcServices.ok) {
    for (const entry of etcServices.entries) {
      if (entry.port !== port) continue;
      const aliases = entry.aliases.length > 0 ? `aliases: ${entry.aliases.join(', ')}` : '';
      const description = [entry.comment ?? '', aliases].filter((part) => part !== '').join('; ');
      services.push({ name: entry.name, protocol: entry.protocol, source: defaults.servicesLabel, description });
    }
  }
  const browserUnsafe = isBrowserUnsafePort(port);
  if (browserUnsafe) notes.push(`Browsers refuse port ${port} (ERR_UNSAFE_PORT). ${BROWSER_UNSAFE_FIX.replaceAll('PORT', String(port))}`);

  return {
    port,
    range: ianaRange(port),
    ephemeral: inSpan(port, ephemeralRange),
    reserved: reservedPorts.some((span) => inSpan(port, span)),
    privileged: port < unprivilegedPortStart,
    services,
    browserUnsafe,
    squatters: knownSquatters(port, SQUATTER_PLATFORM[os.os]),
    ephemeralRange,
    reservedPorts,
    unprivilegedPortStart,
    settingsSource: settings.ok ? 'kernel' : defaults.label,
    ...(excluded.length > 0 ? { excluded } : {}),
    notes,
  };
}
