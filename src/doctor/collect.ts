import { isIP } from 'node:net';
import { unmapIPv4 } from '../address.js';
import { collectCauses, collectClientPorts } from '../causes/collect.js';
import { tryBind, type BindResult } from '../collectors/bind-check.js';
import { probe } from '../collectors/probe.js';
import { annotateForwards } from '../collectors/forwards.js';
import { forwarderEntry } from '../forwarders/table.js';
import { inCurrentNetns, isListening, whoHolds } from '../inventory.js';
import { localhostEntries } from '../platform/common/hosts-file.js';
import { platform } from '../platform/index.js';
import type { LoadedFirewall, Platform } from '../platform/types.js';
import type { Target } from '../target.js';
import type { Collected, Family } from '../types.js';
import { followForwards } from './follow.js';
import { collectConfig, collectOwnerLogs, logOwnerOf } from './project.js';
import type { DoctorFacts, DoctorOptions, DoctorView, FirewallCheck, HostsFacts, ReplayFacts } from './types.js';

const LOOPBACKS = ['127.0.0.1', '::1'] as const;
/** What a server typically binds: loopback of each family and the two wildcards. */
const SERVER_ADDRESSES = ['127.0.0.1', '::1', '0.0.0.0', '::'] as const;

const familyOf = (address: string): Family => (isIP(address) === 6 ? 'ipv6' : 'ipv4');

/** A bare port asks both questions; `--bind` asks the server's; anything with a host, the client's. */
export function viewsFor(target: Target, options: DoctorOptions): DoctorView[] {
  if (options.bind === true) return ['server'];
  return target.host === null ? ['client', 'server'] : ['client'];
}

async function collectHosts(os: Platform, path: string | undefined): Promise<Collected<HostsFacts>> {
  const read = await os.hostsFile(path);
  if (!read.ok) {
    return {
      ok: false,
      reason: read.code === 'not-recorded' ? `${read.path} is not in the snapshot.` : `${read.path} could not be read (${read.code}).`,
      hint: read.code === 'ENOENT' ? `Without ${read.path}, "localhost" depends on DNS or the OS's resolver; add "127.0.0.1 localhost" and "::1 localhost".` : `Check the permissions of ${read.path}.`,
    };
  }
  return { ok: true, value: { path: read.path, localhost: localhostEntries(read.entries) } };
}

/** What a replay is, for the report: the live-only steps (probes, trial binds) were not run. */
function replayFacts(os: Platform): ReplayFacts | null {
  if (os.origin.kind !== 'replay') return null;
  const { file, capturedAt, release, user, redacted } = os.origin;
  return { os: os.os, file, capturedAt, release, user, redacted, notRun: ['probe', 'bind'] };
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
  const os = await platform();
  const replay = replayFacts(os);
  const views = viewsFor(target, options);
  const privileged = os.elevated;
  const loopbackPromise = os.loopback();
  const hostsPromise = collectHosts(os, options.hostsFile);
  const settingsPromise = os.portSettings();
  // Reading the rule sets takes tens of ms of child processes: start now, ask once the addresses are known.
  const firewallPromise = settingsPromise.then((settings) => os.loadFirewall(settings.ok ? { ephemeralRange: settings.value.ephemeralRange } : {}));

  const configPromise = collectConfig(options);
  // Read before the probe, like the inventory: our own probe connections must not be counted.
  const clientPortsPromise = settingsPromise.then((portSettings) => collectClientPorts(os, { target, clientView: views.includes('client'), replay: replay !== null, portSettings }));
  const inventory = await whoHolds([target.port], { all: true });
  const clientPorts = await clientPortsPromise;
  // A container's forwarder (docker-proxy, dockerd, …) writes nothing worth reading (its stdout is
  // /dev/null): the container's own logs, read through the engine, stand in for it.
  const holder = inventory.sockets.find((s) => isListening(s) && inCurrentNetns(s) && s.port === target.port && s.processes.length > 0)?.processes[0];
  const forContainer = holder !== undefined && options.logOwner === undefined && forwarderEntry({ pid: holder.pid, name: holder.name, argv: [] })?.destination.includes('docker-api') === true;
  const ownerLogOwner = forContainer ? null : logOwnerOf(inventory.sockets, target.port, options);
  const logsPromise = collectOwnerLogs(ownerLogOwner);
  // Follow the forwards while the probe runs: both wait on other programs, not on this thread.
  const followPromise = (async () => {
    const startedAt = performance.now();
    const annotated = await annotateForwards(inventory.sockets, { firewall: firewallPromise });
    const followed = await followForwards({ os, target, sockets: annotated.sockets, engine: annotated.engine, firewall: firewallPromise, addresses: firewallAddresses({ probe: null, target }), startedAt });
    return { sockets: annotated.sockets, followed };
  })();
  // Where the project's servers listen, on the ports it declares besides the target's: the other
  // half of a config-mismatch. Read as soon as the scan is known, while the probe runs.
  const projectListenersPromise = configPromise.then(async (config) => {
    const ports = [...new Set((config?.scan.declarations ?? []).filter((d) => d.role !== 'client' && d.network !== 'container' && d.port !== target.port).map((d) => d.port))];
    if (ports.length === 0) return [];
    return (await whoHolds(ports)).sockets.filter(inCurrentNetns);
  });
  // A replay has no network to probe and no stack to bind on: those steps are not run, and say so.
  const probeResult = views.includes('client') && replay === null ? await probe(target, { timeoutMs: options.timeoutMs ?? 1000 }) : null;

  // Started before the trial binds: the cause checks ask the server (Host names) and read /proc, neither of which the binds disturb.
  const causesPromise = settingsPromise.then((portSettings) =>
    collectCauses(
      os,
      { target, clientView: views.includes('client'), probe: probeResult, sockets: inventory.sockets, portSettings, replay: replay !== null, timeoutMs: options.timeoutMs ?? 1000, ...(options.clientPid === undefined ? {} : { clientPid: options.clientPid }) },
      clientPorts,
    ),
  );
  const binds: BindResult[] = [];
  if (views.includes('server') && replay === null) {
    // One at a time: a `::` bind that succeeds briefly holds 0.0.0.0 too, and would make a
    // concurrent 0.0.0.0 trial fail with EADDRINUSE caused by ourselves.
    for (const address of bindAddresses(target)) binds.push(await tryBind({ address, port: target.port, protocol: target.protocol }));
  }

  const [loopback, hosts, portSettings, loaded, config, ownerLogs, follow, causes, projectListeners] = await Promise.all([loopbackPromise, hostsPromise, settingsPromise, firewallPromise, configPromise, logsPromise, followPromise, causesPromise, projectListenersPromise]);
  const containerLogs = follow.followed.logs;
  const useContainerLogs = containerLogs !== null && (forContainer || ownerLogOwner === null);
  const logOwner = useContainerLogs ? { container: containerLogs.container } : ownerLogOwner;
  const logs = useContainerLogs ? containerLogs.report : ownerLogs;
  const firewall = checkFirewall(loaded, target, firewallAddresses({ probe: probeResult, target }));
  return {
    target,
    views,
    os: os.os,
    replay,
    sockets: follow.sockets,
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
    ...(projectListeners.length === 0 ? {} : { projectListeners }),
    logOwner,
    logs,
    causes,
    forwards: follow.followed.facts,
  };
}
