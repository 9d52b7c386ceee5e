/**
 * Adds the `forward` field to sockets held by a known forwarder (docker-proxy, dockerd without the
 * userland proxy, ssh -L, socat, kubectl port-forward, …). Kept cheap for `ls`: a holder is looked
 * at only when its name is a forwarder's; its command line is one file; the container engine is
 * asked (once, bounded) only when a holder's destination is written there; the DNAT rules are read
 * only when a holder reserves a port that the nat table forwards.
 */
import { dockerEndpoint, endpointText, type DockerEndpoint } from '../forwarders/docker-endpoint.js';
import type { ContainerSummary } from '../forwarders/docker-api-decode.js';
import { natQueryFor, socketForward } from '../forwarders/socket-forward.js';
import { FORWARDERS, programName, readForwarder, type ForwarderReading } from '../forwarders/table.js';
import { isListening } from '../inventory.js';
import { platform } from '../platform/index.js';
import type { LoadedFirewall, Platform } from '../platform/types.js';
import type { Collected, Socket } from '../types.js';

/** What was asked of the container engine, kept for the doctor (which asks more of it). */
export interface EngineRead {
  /** Where: `unix:///var/run/docker.sock`, or DOCKER_HOST as given. */
  readonly endpoint: string;
  readonly containers: Collected<readonly ContainerSummary[]>;
  /** How long the list took (ms). */
  readonly elapsedMs: number;
}

export interface AnnotateOptions {
  /** Deadline for the container engine's answer (default 1000 ms). */
  readonly engineTimeoutMs?: number;
  /** Rule sets already being read (the doctor reads them anyway); otherwise read here when needed. */
  readonly firewall?: Promise<LoadedFirewall>;
  /** The environment DOCKER_HOST is read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface AnnotatedSockets {
  readonly sockets: Socket[];
  /** The engine's list, when a holder needed it; null when nobody did. */
  readonly engine: EngineRead | null;
}

/** Where the platform reads no destination-NAT rules. */
export const NAT_NOT_READ = { ok: false, reason: "this OS's port redirections are not read", hint: 'Look at the redirections yourself.' } as const;

const FORWARDER_NAMES = new Set(FORWARDERS.flatMap((entry) => entry.names));

/** Could this process be a forwarder? By name only: no file is read for the others. */
export function mayForward(name: string): boolean {
  return FORWARDER_NAMES.has(programName(name));
}

/**
 * Where the engine is: DOCKER_HOST, else the platform's default socket; not ok on a replay (the
 * snapshot's machine is not this one) or where DOCKER_HOST names what portdoctor cannot use.
 */
export function engineEndpoint(os: Platform, env: Readonly<Record<string, string | undefined>> = process.env): Collected<DockerEndpoint> {
  if (os.dockerSocket === null) {
    return os.origin.kind === 'replay'
      ? { ok: false, reason: 'not asked: the answers come from a recorded snapshot, not from this machine', hint: 'Run portdoctor on the machine itself to follow its containers.' }
      : { ok: false, reason: 'there is no default container engine socket on this OS', hint: 'Point DOCKER_HOST at the engine (tcp://HOST:PORT or unix:///PATH).' };
  }
  return dockerEndpoint(env, os.dockerSocket);
}

/**
 * The container engine's list of containers, bounded.
 *
 * @example
 * const engine = await readEngine(await platform());
 * if (engine.containers.ok) engine.containers.value.map((c) => c.name);
 */
export async function readEngine(os: Platform, options: Pick<AnnotateOptions, 'engineTimeoutMs' | 'env'> = {}): Promise<EngineRead> {
  const started = performance.now();
  const endpoint = engineEndpoint(os, options.env);
  if (!endpoint.ok) return { endpoint: 'DOCKER_HOST', containers: endpoint, elapsedMs: 0 };
  // node:http is loaded only when an engine is asked: `ls` on a machine without forwarders never pays for it.
  const { listContainers } = await import('../forwarders/docker-api.js');
  const containers = await listContainers(endpoint.value, { timeoutMs: options.engineTimeoutMs ?? 1000 });
  return { endpoint: endpointText(endpoint.value), containers, elapsedMs: Math.round(performance.now() - started) };
}

interface Candidate {
  readonly index: number;
  readonly reading: ForwarderReading;
}

/**
 * The sockets, each listening one held by a known forwarder with `forward` set.
 *
 * @example
 * const { sockets } = await annotateForwards((await whoHolds([8080])).sockets);
 * sockets[0]?.forward?.to?.container?.name; // 'web'
 */
export async function annotateForwards(sockets: readonly Socket[], options: AnnotateOptions = {}): Promise<AnnotatedSockets> {
  const suspects = sockets.map((socket, index) => ({ socket, index })).filter(({ socket }) => isListening(socket) && socket.processes.some((p) => mayForward(p.name)));
  if (suspects.length === 0) return { sockets: [...sockets], engine: null };
  const os = await platform();
  const argvCache = new Map<number, Promise<readonly string[] | null>>();
  const argvOf = (pid: number): Promise<readonly string[] | null> => {
    let argv = argvCache.get(pid);
    if (argv === undefined) argvCache.set(pid, (argv = os.processArgv(pid)));
    return argv;
  };
  const candidates: Candidate[] = [];
  for (const { socket, index } of suspects) {
    for (const proc of socket.processes) {
      if (!mayForward(proc.name)) continue;
      const reading = readForwarder({ pid: proc.pid, name: proc.name, argv: (await argvOf(proc.pid)) ?? [] });
      if (reading === null) continue;
      candidates.push({ index, reading });
      break;
    }
  }
  if (candidates.length === 0) return { sockets: [...sockets], engine: null };

  const needsEngine = candidates.some((c) => c.reading.destination.includes('docker-api'));
  const needsNat = candidates.some((c) => c.reading.destination.includes('nat-rules') && (sockets[c.index]?.netns?.current ?? true));
  const enginePromise = needsEngine ? readEngine(os, options) : Promise.resolve(null);
  const firewallPromise = needsNat ? (options.firewall ?? os.loadFirewall()) : null;
  const [engine, firewall] = await Promise.all([enginePromise, firewallPromise]);

  const annotated = [...sockets];
  for (const { index, reading } of candidates) {
    const socket = annotated[index]!;
    const nat = firewall === null || reading.destination.every((d) => d !== 'nat-rules') ? null : (firewall.redirects?.(natQueryFor(socket)) ?? NAT_NOT_READ);
    annotated[index] = { ...socket, forward: socketForward(reading, socket, { containers: engine?.containers ?? null, nat }) };
  }
  return { sockets: annotated, engine };
}
