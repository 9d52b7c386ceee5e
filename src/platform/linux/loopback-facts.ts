import {
  IFF_LOOPBACK,
  IFF_RUNNING,
  IFF_UP,
  ipv4FromNetworkInterfaces,
  ipv4PrefixContains,
  parseIfInet6,
  parseInterfaceFlags,
  readIfInet6,
  readInterfaceLinkState,
  readIpAddr,
} from './loopback.js';
import { PORT_SYSCTLS, parseBooleanSysctl, readSysctl } from './sysctl.js';
import type { Collected } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { InterfaceAddress, LoopbackFacts, LoopbackOptions } from '../types.js';

/**
 * Collects the state of lo: link flags, IPv4 and IPv6 addresses, and whether IPv6 is disabled.
 * Never throws; fails (as a value) only when the interface does not exist or cannot be read.
 *
 * @example
 * const lo = await collectLinuxLoopback();
 * if (lo.ok && !lo.value.up) console.log("lo is down: run 'ip link set lo up'");
 */
export async function collectLinuxLoopback(options: LoopbackOptions = {}, reader?: SourceReader): Promise<Collected<LoopbackFacts>> {
  const name = options.name ?? 'lo';
  const procRoot = options.procRoot ?? '/proc';
  const [link, inet6, ipLink, loDisable] = await Promise.all([
    readInterfaceLinkState(name, options.sysRoot, reader),
    readIfInet6(procRoot, reader),
    readIpAddr(name, reader),
    readSysctl(PORT_SYSCTLS.ipv6DisabledOnLo.replace('.lo.', `.${name}.`), { procRoot, ...(reader === undefined ? {} : { reader }) }),
  ]);
  const notes: string[] = [];

  const sysFlags = link.flags.ok ? parseInterfaceFlags(link.flags.text) : null;
  if (sysFlags === null && ipLink === null) {
    const why = link.flags.ok ? 'unparseable' : link.flags.code;
    return {
      ok: false,
      reason: `cannot read the state of interface ${name} (/sys/class/net/${name}/flags: ${why}; 'ip -j addr' unavailable)`,
      hint: link.flags.ok || link.flags.code !== 'ENOENT' ? 'Is /sys mounted?' : `There is no interface named ${name} in this network namespace.`,
    };
  }
  const operstate = link.operstate.ok ? link.operstate.text.trim().toLowerCase() : (ipLink?.operstate ?? null);
  // /sys flags hold dev->flags, where IFF_RUNNING is never stored (the kernel computes it on
  // demand), so "running" is derived the way dev_get_flags() does: up and operstate up/unknown.
  const up = sysFlags !== null ? (sysFlags & IFF_UP) !== 0 : (ipLink?.flags.includes('UP') ?? false);
  const running = up && ((sysFlags !== null && (sysFlags & IFF_RUNNING) !== 0) || operstate === 'up' || operstate === 'unknown');
  if (sysFlags !== null && (sysFlags & IFF_LOOPBACK) === 0) notes.push(`${name} is not a loopback interface (IFF_LOOPBACK is not set).`);

  let ipv4: readonly InterfaceAddress[];
  let ipv4Source: LoopbackFacts['ipv4Source'];
  if (ipLink !== null) {
    ipv4 = ipLink.ipv4;
    ipv4Source = 'ip';
  } else if (reader?.replaying === true) {
    // A replay cannot ask this machine's interfaces: they are not the snapshot's.
    ipv4 = [];
    ipv4Source = 'snapshot';
    notes.push("The snapshot holds no 'ip -j addr' output, so lo's IPv4 addresses are unknown.");
  } else {
    ipv4 = ipv4FromNetworkInterfaces(name);
    ipv4Source = 'os.networkInterfaces';
    notes.push("IPv4 addresses come from os.networkInterfaces() because 'ip' could not be run; it omits interfaces that are down, so a down lo shows no addresses.");
  }

  const ipv6 = inet6.ok
    ? parseIfInet6(inet6.text)
        .filter((entry) => entry.interfaceName === name)
        .map((entry) => ({ address: entry.address, prefixLength: entry.prefixLength, scope: entry.scopeName, tentative: entry.tentative }))
    : [];
  const kernelHasIpv6 = inet6.ok || inet6.code !== 'ENOENT';
  if (!kernelHasIpv6) notes.push('The kernel has no IPv6 (/proc/net/if_inet6 is absent, e.g. booted with ipv6.disable=1).');
  const disabledBySysctl = loDisable.ok ? parseBooleanSysctl(loDisable.text) === true : false;
  if (disabledBySysctl) notes.push(`IPv6 is disabled on ${name} (net.ipv6.conf.${name}.disable_ipv6 = 1), so ::1 does not exist.`);

  return {
    ok: true,
    value: {
      name,
      up,
      running,
      operstate,
      ipv4,
      ipv4Source,
      ipv6,
      ipv6Disabled: disabledBySysctl || !kernelHasIpv6,
      has127001: ipv4.some((address) => ipv4PrefixContains(address, '127.0.0.1')),
      hasIpv6Loopback: ipv6.some((address) => address.address === '::1' && !address.tentative),
      notes,
    },
  };
}
