import { isIP } from 'node:net';
import { unmapIPv4 } from '../address.js';
import { tryBind, type BindResult } from '../collectors/bind-check.js';
import { loadFirewall, type LoadedFirewall } from '../collectors/firewall.js';
import { collectLoopback } from '../collectors/loopback.js';
import { collectPortSettings } from '../collectors/port-settings.js';
import { probe } from '../collectors/probe.js';
import { whoHolds } from '../inventory.js';
import { localhostEntries, readHostsFile } from '../platform/linux/hosts-file.js';
import type { Target } from '../target.js';
import type { Collected, Family } from '../types.js';
import { collectConfig, collectOwnerLogs, logOwnerOf } from './project.js';
import type { DoctorFacts, DoctorOptions, DoctorView, FirewallCheck, HostsFacts } from './types.js';

const LOOPBACKS = ['127.0.0.1', '::1'] as const;
/** What a server typically binds: loopback of each family and the two wildcards. */
const SERVER_ADDRESSES = ['127.0.0.1', '::1', '0.0.0.0', '::'] as const;

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** A bare port asks both questions; `--bind` asks the server's; anything with a host, the client's. */
export function viewsFor(target: Target, options: DoctorOptions): DoctorView[] {
  if (options.bind === true) return ['server'];
  return target.host === null ? ['client', 'server'] : ['client'];
}

async function collectHosts(path: string): Promise<Collected<HostsFacts>> {
  const read = await readHostsFile(path);
  if (!read.ok) {
    return {
      ok: false,
      reason: `${path} could not be read (${read.code}).`,
      hint: read.code === 'ENOENT' ? `Without ${path}, "localhost" depends on DNS or nss-myhostname; add "127.0.0.1 localhost" and "::1 localhost".` : `Check the permissions of ${path}.`,
    };
  }
  return { ok: true, value: { path, localhost: localhostEntries(read.entries) } };
}

/** Addresses whose firewall verdict matters: those the client tries, or the loopbacks. */
function firewallAddresses(facts: Pick<DoctorFacts, 'probe' | 'target'>): string[] {
  const tried = facts.probe?.attempts.map((a) => a.address) ?? [];
  const addresses = tried.length > 0 ? tried : facts.target.host !== null && isIP(facts.target.host) !== 0 ? [facts.target.host] : [...LOOPBACKS];
  return [...new Set(addresses.map((a) => unmapIPv4(a) ?? a))];
}

function checkFirewall(firewall: LoadedFirewall, target: Target, addresses: readonly string[]): FirewallCheck[] {
  const queries = addresses.map((address) => ({ protocol: target.protocol, family: familyOf(address), address, port: target.port }));
  const results = firewall.check(queries);
  return queries.map((query, index) => ({ query, result: results[index]! }));
}

/** The addresses to trial-bind in the server view: the one asked for, or the usual four. */
function bindAddresses(target: Target): string[] {
  if (target.host === null) return [...SERVER_ADDRESSES];
  if (isIP(target.host) !== 0) return [target.host];
  if (target.host === 'localhost') return [...LOOPBACKS];
  return [target.host];
}

/**
 * Gathers every fact the rules need. Order matters where our own actions would show up in what we
 * observe: the socket table is read before we connect (so our probe's connections are not in it),
 * and trial binds happen after probing (so the probe never reaches our own trial listener).
 */
export async function collectFacts(target: Target, options: DoctorOptions = {}): Promise<DoctorFacts> {
  const views = viewsFor(target, options);
  const privileged = process.getuid?.() === 0;
  const loopbackPromise = collectLoopback();
  const hostsPromise = collectHosts(options.hostsFile ?? '/etc/hosts');
  const settingsPromise = collectPortSettings();
  // Reading the rule sets takes tens of ms of child processes: start now, ask once the addresses are known.
  const firewallPromise = loadFirewall();

  const configPromise = collectConfig(options);
  const inventory = await whoHolds([target.port], { all: true });
  const logOwner = logOwnerOf(inventory.sockets, target.port, options);
  const logsPromise = collectOwnerLogs(logOwner);
  const probeResult = views.includes('client') ? await probe(target, { timeoutMs: options.timeoutMs ?? 1000 }) : null;

  const binds: BindResult[] = [];
  if (views.includes('server')) {
    // One at a time: a `::` bind that succeeds briefly holds 0.0.0.0 too, and would make a
    // concurrent 0.0.0.0 trial fail with EADDRINUSE caused by ourselves.
    for (const address of bindAddresses(target)) binds.push(await tryBind({ address, port: target.port, protocol: target.protocol }));
  }

  const [loopback, hosts, portSettings, loaded, config, logs] = await Promise.all([loopbackPromise, hostsPromise, settingsPromise, firewallPromise, configPromise, logsPromise]);
  const firewall = checkFirewall(loaded, target, firewallAddresses({ probe: probeResult, target }));
  return {
    target,
    views,
    sockets: inventory.sockets,
    scan: inventory.stats,
    probe: probeResult,
    resolution: probeResult?.resolution ?? null,
    loopback,
    hosts,
    portSettings,
    firewall,
    binds,
    privileged,
    config,
    logOwner,
    logs,
  };
}
