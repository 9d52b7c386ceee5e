/**
 * The doctor's "Follow the forward" collector: from each forwarder on the port to what really
 * answers — the container behind docker-proxy or a DNAT rule (its state, its own socket table read
 * in its network namespace without sending it anything, its recent logs through the engine's API),
 * the far end of an ssh or socat tunnel when it is on this host's loopback (one connect), and the
 * containers that ask for the port but do not run. Everything is bounded by one deadline; an engine
 * that is missing or slow makes this step say so, never wait longer.
 */
import { isIP } from 'node:net';
import { connectTcp } from '../collectors/tcp-connect.js';
import { engineEndpoint, readEngine, type EngineRead } from '../collectors/forwards.js';
import { containersPublishing } from '../forwarders/containers.js';
import { declaredSshForwards, type SshDeclaredForwards } from '../forwarders/ssh-config-forwards.js';
import { unboundSshForwards, type SshUnboundForwards } from '../forwarders/ssh-live-forwards.js';
import type { ContainerDetails, ContainerSummary } from '../forwarders/docker-api-decode.js';
import type { DockerEndpoint } from '../forwarders/docker-endpoint.js';
import type { SocketForward } from '../forwarders/types.js';
import { inCurrentNetns, isListening } from '../inventory.js';
import { selectLogLines } from '../logs/select.js';
import type { LogReport } from '../logs/types.js';
import type { LoadedFirewall, Platform } from '../platform/types.js';
import type { Target } from '../target.js';
import type { Collected, Socket } from '../types.js';
import type { ContainerFacts, FarProbe, ForwardChain, ForwardFacts, InsideListener } from './types.js';

export interface FollowInput {
  readonly os: Platform;
  readonly target: Target;
  /** The port's sockets, with `forward` set on forwarders' listeners. */
  readonly sockets: readonly Socket[];
  /** The engine's list, when annotating already asked for it. */
  readonly engine: EngineRead | null;
  readonly firewall: Promise<LoadedFirewall>;
  /** Addresses a client would try (for DNAT rules when nothing holds the port here). */
  readonly addresses: readonly string[];
  /** Deadline for all of it (default 1000 ms), from `startedAt`. */
  readonly timeoutMs?: number;
  /** When following began (performance.now()): annotating the sockets, which may have asked the engine already, is part of it. */
  readonly startedAt?: number;
}

/** What the follow step read, and the container logs that stand in for a forwarder's own output. */
export interface Followed {
  readonly facts: ForwardFacts;
  /** The logs of the container behind the forward (through the engine), or null. */
  readonly logs: { readonly container: string; readonly report: LogReport } | null;
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost']);

/** Is this host name or address this machine's loopback (where a connect stays on this host)? */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (LOOPBACK_NAMES.has(bare.toLowerCase())) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** `user@host` / `host` / `ssh://user@host:22` → host. */
function sshHost(via: string): string {
  const plain = via.replace(/^ssh:\/\//, '').replace(/:\d+$/, '');
  return plain.slice(plain.lastIndexOf('@') + 1);
}

/** The far end of a tunnel, when it is on this host's loopback: the addresses to connect to. */
export function farAddresses(forward: SocketForward): string[] {
  const to = forward.to;
  if (to === null || to.port === null || to.socketPath !== undefined || to.resource !== undefined) return [];
  const local = forward.forwarder === 'socat' || (forward.forwarder === 'ssh' && forward.via !== undefined && isLoopbackHost(sshHost(forward.via)));
  if (!local || !isLoopbackHost(to.host)) return [];
  return LOOPBACK_NAMES.has(to.host.toLowerCase()) ? ['127.0.0.1', '::1'] : [to.host.replace(/^\[|\]$/g, '')];
}

async function probeFarEnd(forward: SocketForward, timeoutMs: number): Promise<FarProbe | null> {
  const addresses = farAddresses(forward);
  const port = forward.to?.port;
  if (addresses.length === 0 || port === null || port === undefined) return null;
  const tries = await Promise.all(
    addresses.map(async (address) => {
      const outcome = await connectTcp(address, port, timeoutMs);
      if (outcome.ok) outcome.socket.destroy();
      return { address, port, status: outcome.ok ? ('open' as const) : outcome.error === 'ECONNREFUSED' ? ('refused' as const) : outcome.error === 'ETIMEDOUT' ? ('timeout' as const) : ('error' as const), error: outcome.ok ? null : outcome.error };
    }),
  );
  return tries.find((t) => t.status === 'open') ?? tries[0] ?? null;
}

function insideListener(socket: Socket): InsideListener {
  return { protocol: socket.protocol, family: socket.family, address: socket.address, port: socket.port, processes: socket.processes.map((p) => ({ pid: p.pid, name: p.name, command: p.command })) };
}

interface ContainerRead {
  readonly facts: ContainerFacts;
  readonly logLines: readonly { text: string; stream: string }[];
}

/** One container: inspected, its sockets read in its namespace, its recent logs; within `deadline`. */
async function readContainer(os: Platform, endpoint: DockerEndpoint, ref: { id: string; name: string }, deadline: number, logTail: number): Promise<ContainerRead> {
  const { inspectContainer, containerLogs } = await import('../forwarders/docker-api.js');
  const left = (): number => Math.max(1, deadline - performance.now());
  // The logs are asked for at the same time as the state: most containers have no TTY (their logs
  // are framed); one that has is asked again once the inspect answer says so.
  const framedLogs = containerLogs(endpoint, ref.id, { tail: logTail, timeoutMs: left(), tty: false });
  const details = await inspectContainer(endpoint, ref.id, { timeoutMs: left() });
  const pid = details.ok && details.value.state.running === true ? details.value.state.pid : null;
  const [listeners, logs] = await Promise.all([
    pid === null ? Promise.resolve(null) : os.namespaceListeners(pid),
    details.ok && details.value.tty ? containerLogs(endpoint, ref.id, { tail: logTail, timeoutMs: left(), tty: true }) : framedLogs,
  ]);
  return {
    facts: {
      id: ref.id,
      name: details.ok ? details.value.name : ref.name,
      details: details.ok ? { ok: true, value: summarizeDetails(details.value) } : details,
      listeners: listeners === null ? null : listeners.ok ? { ok: true, value: listeners.value.filter(isListening).map(insideListener) } : listeners,
      logs: logs.ok ? { ok: true, value: { lines: logs.value.length } } : logs,
    },
    logLines: logs.ok ? logs.value : [],
  };
}

/** The fields of an inspect answer the rules use (the JSON stays small). */
function summarizeDetails(details: ContainerDetails): NonNullable<Extract<ContainerFacts['details'], { ok: true }>['value']> {
  return { state: details.state, restartCount: details.restartCount, ipAddress: details.network.ipAddress, requestedPorts: details.requestedPorts, networkMode: details.network.mode };
}

/** The chains of the listeners on the port here that a forwarder holds. */
function forwarderChains(target: Target, sockets: readonly Socket[]): Omit<ForwardChain, 'container' | 'farProbe' | 'publishedBy'>[] {
  return sockets
    .filter((s) => isListening(s) && inCurrentNetns(s) && s.port === target.port && s.protocol === target.protocol && s.forward !== undefined)
    .map((s) => ({
      listener: { protocol: s.protocol, family: s.family, address: s.address, port: s.port },
      holder: s.processes[0] === undefined ? null : { pid: s.processes[0].pid, name: s.processes[0].name },
      forward: s.forward!,
      asked: null,
    }));
}

/** DNAT rules that send the port elsewhere when nothing here holds it (a leftover when the engine died). */
function ruleChains(os: Platform, firewall: LoadedFirewall, target: Target, addresses: readonly string[], containers: readonly ContainerSummary[] | null): { chains: Omit<ForwardChain, 'container' | 'farProbe' | 'publishedBy'>[]; unreadable: string[] } {
  const chains: Omit<ForwardChain, 'container' | 'farProbe' | 'publishedBy'>[] = [];
  const unreadable = new Set<string>();
  const seen = new Set<string>();
  for (const address of addresses) {
    const lookup = firewall.redirects?.({ protocol: target.protocol, address, port: target.port });
    if (lookup === undefined || !lookup.ok) continue;
    for (const u of lookup.value.unreadable) unreadable.add(u);
    for (const { redirect, certain } of lookup.value.matches) {
      // Local clients' connections take the output hook; a rule only prerouting reaches is not theirs.
      if (redirect.kind !== 'dnat' || redirect.toAddress === null || !redirect.paths.some((p) => p.hook === 'output') || seen.has(redirect.rule)) continue;
      seen.add(redirect.rule);
      const found = containers?.filter((c) => c.addresses.includes(redirect.toAddress ?? '')) ?? [];
      const container = found.length === 1 ? found[0] : undefined;
      chains.push({
        listener: null,
        holder: null,
        forward: {
          forwarder: 'nat-rule',
          description: `a destination-NAT rule (${redirect.table} ${redirect.chain})${certain ? '' : ', whose other conditions were not evaluated'}`,
          source: ['nat-rules'],
          to: { host: redirect.toAddress, port: redirect.toPort?.from ?? target.port, ...(container === undefined ? {} : { container: { id: container.id, name: container.name } }) },
          rule: redirect.rule,
          stop: os.advice.natRuleFix(redirect),
          killable: false,
        },
        asked: address,
      });
    }
  }
  return { chains, unreadable: [...unreadable] };
}

/**
 * Follows every forward on the target port.
 *
 * @example
 * const { facts } = await followForwards({ os, target, sockets, engine: null, firewall: os.loadFirewall(), addresses: ['127.0.0.1'] });
 * facts.chains[0]?.container?.name; // 'web'
 */
export async function followForwards(input: FollowInput): Promise<Followed> {
  const started = input.startedAt ?? performance.now();
  const deadline = started + (input.timeoutMs ?? 1000);
  const { os, target } = input;
  const held = input.sockets.some((s) => isListening(s) && inCurrentNetns(s) && s.port === target.port && s.protocol === target.protocol);
  const chains0 = forwarderChains(target, input.sockets);
  const usesEngine = chains0.some((c) => c.forward.source.includes('docker-api') || c.forward.to?.container !== undefined) || chains0.some((c) => ['docker-proxy', 'dockerd', 'rootlesskit', 'docker-desktop', 'podman-conmon'].includes(c.forward.forwarder));
  // Nothing here holds the port: a container that asks for it may be stopped, or a rule may send it elsewhere.
  const askEngine = usesEngine || !held;
  // Nothing holds the port: an ssh tunnel the user declared may be the one that is not running.
  const declaredPromise: Promise<SshDeclaredForwards | null> = !held && target.protocol === 'tcp' ? os.sshClientConfig().then((config) => declaredSshForwards(config, { port: target.port, host: target.host })) : Promise.resolve(null);
  const requestedPromise = lookForUnboundSsh(os, target, input.sockets);
  const engine = input.engine ?? (askEngine ? await readEngine(os, { engineTimeoutMs: Math.max(1, deadline - performance.now()) }) : null);
  const containers = engine?.containers.ok === true ? engine.containers.value : null;
  let natUnreadable: string[] = [];
  let chains1 = chains0;
  if (!held) {
    const firewall = await input.firewall;
    const rules = ruleChains(os, firewall, target, input.addresses, containers);
    chains1 = [...chains0, ...rules.chains];
    natUnreadable = rules.unreadable;
  }

  const endpoint = engineEndpoint(os);
  const byContainer = new Map<string, Promise<ContainerRead>>();
  const readOnce = (ref: { id: string; name: string }, tail: number): Promise<ContainerRead> | null => {
    if (!endpoint.ok || containers === null) return null;
    let read = byContainer.get(ref.id);
    if (read === undefined) byContainer.set(ref.id, (read = readContainer(os, endpoint.value, ref, deadline, tail)));
    return read;
  };
  const probeMs = Math.max(1, Math.min(500, deadline - performance.now()));
  // A replay's far ends are on the recorded machine: a connect from here would test this one.
  const probeFarEnds = os.origin.kind !== 'replay';
  const chains = await Promise.all(
    chains1.map(async (chain): Promise<ForwardChain> => {
      const ref = chain.forward.to?.container;
      const [container, farProbe] = await Promise.all([ref === undefined ? null : readOnce(ref, 200), probeFarEnds ? probeFarEnd(chain.forward, probeMs) : null]);
      const publishedBy = containers === null || chain.listener === null ? null : containersPublishing(containers, chain.listener).map((c) => c.name);
      return { ...chain, container: container?.facts ?? null, farProbe, publishedBy };
    }),
  );

  // Containers that publish the port when they run, and do not run now (the list carries no ports for them).
  const idle = !held && containers !== null && endpoint.ok ? await idleContainers(endpoint.value, containers, target, deadline, readOnce) : [];

  const withLogs = chains.find((c) => c.container !== null)?.container ?? idle[0] ?? null;
  const logRead = withLogs === null ? null : await byContainer.get(withLogs.id);
  const logs = withLogs === null || logRead === undefined || logRead === null ? null : containerLogReport(withLogs, logRead);
  const engineFacts = engine === null ? null : { endpoint: engine.endpoint, read: engine.containers.ok ? { ok: true as const, value: { containers: engine.containers.value.length, elapsedMs: engine.elapsedMs } } : engine.containers };
  const [declared, requested] = await Promise.all([declaredPromise, requestedPromise]);
  return {
    facts: { chains, engine: engineFacts, idle, natUnreadable, elapsedMs: Math.round(performance.now() - started), ...(declared === null ? {} : { declared }), ...(requested === null ? {} : { requested }) },
    logs: logs === null || withLogs === null ? null : { container: withLogs.name, report: logs },
  };
}

/**
 * The ssh clients that ask for the TCP port and hold no listener on it: looked for only when that
 * can explain something — the port is free, or a program other than ssh holds it (and a client of
 * the port reaches that program instead of the tunnel). A port only ssh holds is that ssh's tunnel.
 */
async function lookForUnboundSsh(os: Platform, target: Target, sockets: readonly Socket[]): Promise<Collected<SshUnboundForwards> | null> {
  if (target.protocol !== 'tcp') return null;
  const holders = sockets.filter((s) => isListening(s) && inCurrentNetns(s) && s.port === target.port && s.protocol === 'tcp').flatMap((s) => s.processes);
  if (holders.length > 0 && holders.every((p) => p.name === 'ssh')) return null;
  const startedAt = performance.now();
  const found = await os.processesNamed(['ssh']);
  const elapsedMs = Math.round((performance.now() - startedAt) * 10) / 10;
  return found.ok ? { ok: true, value: { ...unboundSshForwards(found.value, target.port, sockets), elapsedMs } } : found;
}

/** Containers that publish the port when they run, and do not run now: inspected (their list entries carry no ports), bounded. */
async function idleContainers(endpoint: DockerEndpoint, list: readonly ContainerSummary[], target: Target, deadline: number, readOnce: (ref: { id: string; name: string }, tail: number) => Promise<ContainerRead> | null): Promise<ContainerFacts[]> {
  const { inspectContainer } = await import('../forwarders/docker-api.js');
  // The 16 most recent containers that are not running (the engine lists newest first).
  const stopped = list.filter((c) => c.state !== 'running').slice(0, 16);
  const inspected = await Promise.all(stopped.map((c) => inspectContainer(endpoint, c.id, { timeoutMs: Math.max(1, deadline - performance.now()) })));
  const asking = inspected.flatMap((d) => (d.ok && d.value.requestedPorts.some((p) => p.hostPort === target.port && p.protocol === target.protocol) ? [d.value] : []));
  const reads = await Promise.all(asking.slice(0, 2).map((d) => readOnce({ id: d.id, name: d.name }, 50)));
  return reads.flatMap((r) => (r === null ? [] : [r.facts]));
}

/** The container's log lines as a log report, so `log-errors` links them like any other source. */
function containerLogReport(container: ContainerFacts, read: ContainerRead): LogReport {
  const source = `container ${container.name}`;
  const raw = read.logLines.map((l) => ({ text: l.text, source, line: null }));
  return {
    lines: selectLogLines(raw),
    sources: [{ source, read: container.logs?.ok === true, reason: container.logs?.ok === true ? `${read.logLines.length} line${read.logLines.length === 1 ? '' : 's'} read through the engine's API` : (container.logs?.ok === false ? container.logs.reason : 'not read') }],
  };
}
