import { collectPortSettings } from '../collectors/port-settings.js';
import { BROWSER_UNSAFE_FIX, curatedServices, isBrowserUnsafePort, knownSquatters, type Squatter } from '../data/services.js';
import { PortdoctorError } from '../errors.js';
import { readEtcServices } from '../platform/linux/etc-services.js';
import { LINUX_DEFAULT_EPHEMERAL_RANGE, LINUX_DEFAULT_UNPRIVILEGED_PORT_START, inSpans, type PortSpan } from '../platform/linux/sysctl.js';
import { isPort } from '../port.js';

/** IANA's three port ranges (RFC 6335). */
export type IanaRange = 'well-known' | 'registered' | 'dynamic';

/** A service known to use a port. */
export interface PortService {
  readonly name: string;
  readonly protocol: string;
  readonly source: 'curated' | '/etc/services';
  readonly description: string;
}

/** What a port number means on this machine. The JSON of `portdoctor info`. */
export interface PortInfo {
  readonly port: number;
  readonly range: IanaRange;
  /** Inside `net.ipv4.ip_local_port_range`: the kernel may hand it to an outgoing connection or a port-0 bind. */
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
  /** 'kernel' when read from /proc/sys; 'linux-defaults' when unreadable (then the three booleans assume a stock kernel). */
  readonly settingsSource: 'kernel' | 'linux-defaults';
  /** Caveats for people (why settings are defaults, browser advice). */
  readonly notes: readonly string[];
}

export interface PortInfoOptions {
  /** services(5) file to consult (default /etc/services). */
  readonly servicesPath?: string;
  /** /proc to read sysctls from (default /proc). */
  readonly procRoot?: string;
}

/**
 * IANA's range of a port: well-known 0–1023, registered 1024–49151, dynamic 49152–65535.
 * Linux's own ephemeral range (32768–60999 by default) differs from IANA's dynamic range.
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
  const [settings, etcServices] = await Promise.all([
    collectPortSettings(options.procRoot === undefined ? {} : { procRoot: options.procRoot }),
    readEtcServices(options.servicesPath),
  ]);
  const notes: string[] = [];
  const ephemeralRange = settings.ok ? settings.value.ephemeralRange : LINUX_DEFAULT_EPHEMERAL_RANGE;
  const reservedPorts = settings.ok ? settings.value.reservedPorts : [];
  const unprivilegedPortStart = settings.ok ? settings.value.unprivilegedPortStart : LINUX_DEFAULT_UNPRIVILEGED_PORT_START;
  if (!settings.ok) notes.push(`Kernel port settings are unavailable (${settings.reason}); Linux defaults are assumed.`);
  else if (settings.value.defaulted.length > 0) notes.push(`Could not read ${settings.value.defaulted.join(', ')}; the kernel default is assumed.`);

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
      services.push({ name: entry.name, protocol: entry.protocol, source: '/etc/services', description });
    }
  }
  const browserUnsafe = isBrowserUnsafePort(port);
  if (browserUnsafe) notes.push(`Browsers refuse port ${port} (ERR_UNSAFE_PORT). ${BROWSER_UNSAFE_FIX.replaceAll('PORT', String(port))}`);

  return {
    port,
    range: ianaRange(port),
    ephemeral: port >= ephemeralRange.from && port <= ephemeralRange.to,
    reserved: inSpans(port, reservedPorts),
    privileged: port < unprivilegedPortStart,
    services,
    browserUnsafe,
    squatters: knownSquatters(port),
    ephemeralRange,
    reservedPorts,
    unprivilegedPortStart,
    settingsSource: settings.ok ? 'kernel' : 'linux-defaults',
    notes,
  };
}
