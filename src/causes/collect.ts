import { isIP } from 'node:net';
import { unmapIPv4 } from '../address.js';
import { safePath } from '../collectors/fingerprint-budget.js';
import type { ProbeResult } from '../collectors/probe.js';
import { inCurrentNetns, isListening } from '../inventory.js';
import type { Platform, PortSettings, ProcessEnvironment } from '../platform/types.js';
import type { Target } from '../target.js';
import type { Collected, Socket } from '../types.js';
import { checkHostNames, hostNamesToCheck } from './host-check.js';
import { isServiceManager } from './holders.js';
import { confirmProxy } from './proxy-confirm.js';
import { maskProxy, noProxyValue, proxyVerdicts } from './proxy-env.js';
import type { CauseFacts, ClientPortFacts, DestinationConnections, EnvironmentSource, HolderFiles, ProxyFacts } from './types.js';

export interface CauseInput {
  readonly target: Target;
  readonly clientView: boolean;
  /** Null on a replay (nothing is asked of the live machine then, but the recorded sources). */
  readonly probe: ProbeResult | null;
  readonly sockets: readonly Socket[];
  readonly portSettings: Collected<PortSettings>;
  readonly replay: boolean;
  readonly timeoutMs: number;
  /** A process whose environment is the client's (`--pid`), instead of ours. */
  readonly clientPid?: number;
}

/** At most this many holders get their descriptors counted: more is a fork-per-connection server, counted by its first few. */
const MAX_HOLDERS = 4;

const HTTP_SCHEMES = new Set(['http', 'ws']);
const HTTPS_SCHEMES = new Set(['https', 'wss']);

/** The variables the proxy check is about, as they are set (proxy URLs masked). */
function proxyVariables(env: ProcessEnvironment): Record<string, string> {
  const names = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY', 'NODE_USE_ENV_PROXY'];
  const shown: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) shown[name] = /proxy$/i.test(name) && !/^no_/i.test(name) ? maskProxy(value) : value;
  }
  return shown;
}

async function clientEnvironment(os: Platform, input: CauseInput): Promise<{ env: Collected<ProcessEnvironment>; source: EnvironmentSource }> {
  const pid = input.clientPid;
  const holds = pid !== undefined && input.sockets.some((s) => s.processes.some((p) => p.pid === pid));
  // --pid names the process of interest; when it holds the port it is the server, whose proxy settings do not matter.
  if (pid === undefined || holds) return { env: { ok: true, value: process.env as ProcessEnvironment }, source: { kind: 'self' } };
  const [env, info] = await Promise.all([os.causes.environment(pid), os.process(pid)]);
  return { env, source: { kind: 'process', pid, name: info?.name ?? null } };
}

async function collectProxy(os: Platform, input: CauseInput): Promise<Collected<ProxyFacts> | null> {
  const { target } = input;
  const scheme = target.scheme === null || HTTP_SCHEMES.has(target.scheme) ? 'http' : HTTPS_SCHEMES.has(target.scheme) ? 'https' : null;
  if (!input.clientView || input.replay || scheme === null || target.protocol !== 'tcp') return null;
  const { env, source } = await clientEnvironment(os, input);
  if (!env.ok) return env;
  const hosts = target.host === null ? ['localhost', '127.0.0.1'] : [target.host];
  const verdicts = hosts.flatMap((host) => proxyVerdicts(env.value, scheme, host, target.port));
  // One question per proxy someone would use, for the first host that goes to it.
  const asked = new Map<string, { host: string; raw: string }>();
  for (const verdict of verdicts) {
    if (!verdict.proxied || verdict.proxyVariable === null) continue;
    const raw = env.value[verdict.proxyVariable] ?? '';
    if (!asked.has(raw)) asked.set(raw, { host: verdict.host, raw });
  }
  const confirmations = await Promise.all([...asked.values()].map(({ host, raw }) => confirmProxy(raw, scheme, host, target.port, input.timeoutMs)));
  return {
    ok: true,
    value: { source, variables: proxyVariables(env.value), scheme, hosts, port: target.port, verdicts, confirmations, noProxyValue: noProxyValue(env.value, hosts, target.port) },
  };
}

/** The first address that answered HTTP, asked again with each Host name. */
async function collectHostCheck(input: CauseInput): Promise<CauseFacts['hostCheck']> {
  const { target } = input;
  if (input.probe === null || input.replay || (target.scheme !== null && !HTTP_SCHEMES.has(target.scheme))) return null;
  const answered = input.probe.attempts.find((a) => a.status === 'open' && a.fingerprint?.protocol === 'http' && a.fingerprint.detail.httpStatus !== undefined);
  if (answered === undefined) return null;
  return checkHostNames(answered.address, target.port, safePath(target.path), hostNamesToCheck(target.host, answered.address), input.timeoutMs);
}

async function collectOpenFiles(os: Platform, input: CauseInput): Promise<HolderFiles[]> {
  if (input.replay) return [];
  const holders = new Map<number, { name: string; unit: string | null; container: string | null }>();
  for (const socket of input.sockets) {
    if (!isListening(socket) || socket.port !== input.target.port || socket.protocol !== input.target.protocol || !inCurrentNetns(socket)) continue;
    for (const p of socket.processes) if (!holders.has(p.pid)) holders.set(p.pid, { name: p.name, unit: p.unit ?? null, container: p.container });
  }
  const chosen = [...holders].slice(0, MAX_HOLDERS);
  return Promise.all(chosen.map(async ([pid, who]) => ({ pid, ...who, read: await os.causes.openFiles(pid) })));
}

/**
 * Connections from this namespace to the target's port, by destination. Read before the probe
 * connects, so our own closed probe connections (in TIME-WAIT on our side) are not counted.
 */
export async function collectClientPorts(os: Platform, input: Pick<CauseInput, 'clientView' | 'replay' | 'target' | 'portSettings'>): Promise<ClientPortFacts | null> {
  if (!input.clientView || input.replay || input.target.protocol !== 'tcp' || !input.portSettings.ok) return null;
  const [inventory, twReuse] = await Promise.all([os.listSockets({ protocols: ['tcp'], states: 'all', withProcesses: false, withBacklog: false }), os.causes.timeWaitReuse()]);
  const byDestination = new Map<string, { address: string; byState: Record<string, number>; total: number }>();
  for (const socket of inventory.sockets) {
    if (socket.remotePort !== input.target.port || socket.remoteAddress === null || socket.state === 'LISTEN') continue;
    const address = unmapIPv4(socket.remoteAddress) ?? socket.remoteAddress;
    if (isIP(address) === 0) continue;
    const entry = byDestination.get(address) ?? { address, byState: {}, total: 0 };
    entry.byState[socket.state] = (entry.byState[socket.state] ?? 0) + 1;
    entry.total += 1;
    byDestination.set(address, entry);
  }
  const destinations: DestinationConnections[] = [...byDestination.values()].map((d) => ({ address: d.address, port: input.target.port, total: d.total, byState: d.byState })).sort((a, b) => b.total - a.total);
  return { range: input.portSettings.value.ephemeralRange, timeWaitReuse: twReuse.ok ? twReuse.value : null, destinations };
}

async function collectSocketUnits(os: Platform, input: CauseInput): Promise<CauseFacts['socketUnits']> {
  const held = input.sockets.some((s) => isListening(s) && s.port === input.target.port && inCurrentNetns(s) && s.processes.some((p) => isServiceManager(p)));
  return held ? os.causes.socketUnits() : null;
}

/**
 * The facts behind the cause findings: the client's proxy settings (and what the proxy says), the
 * server's answer to each Host name, its open descriptors against its limit, the client ports
 * taken towards the target (read before the probe: `collectClientPorts`), and the socket units
 * of a service manager that holds the port. Each part runs only when it can matter, in parallel.
 *
 * @example
 * const causes = await collectCauses(os, { target, clientView: true, probe, sockets, portSettings, replay: false, timeoutMs: 1000 }, clientPorts);
 * causes.proxy?.ok && causes.proxy.value.verdicts.filter((v) => v.proxied);
 */
export async function collectCauses(os: Platform, input: CauseInput, clientPorts: ClientPortFacts | null): Promise<CauseFacts> {
  const [proxy, hostCheck, openFiles, socketUnits] = await Promise.all([collectProxy(os, input), collectHostCheck(input), collectOpenFiles(os, input), collectSocketUnits(os, input)]);
  return { proxy, hostCheck, openFiles, clientPorts, socketUnits };
}
