import { platform } from '../platform/index.js';
import type { HostsFileRead, ServicesFileRead } from '../platform/types.js';

/**
 * Reads and parses the hosts file (default: the OS's — /etc/hosts, or
 * %SystemRoot%\System32\drivers\etc\hosts on Windows). Never throws.
 *
 * @example
 * const hosts = await readHostsFile();
 * if (hosts.ok) localhostEntries(hosts.entries);
 */
export async function readHostsFile(path?: string): Promise<HostsFileRead> {
  return (await platform()).hostsFile(path);
}

/**
 * Reads and parses the services database (default: the OS's). Never throws.
 *
 * @example
 * const services = await readServicesFile();
 * if (services.ok) services.entries.filter((e) => e.port === 22);
 */
export async function readServicesFile(path?: string): Promise<ServicesFileRead> {
  return (await platform()).servicesFile(path);
}
