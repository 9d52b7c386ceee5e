import { setTimeout as delay } from 'node:timers/promises';
import { PortdoctorError } from '../errors.js';
import { annotateForwards } from '../collectors/forwards.js';
import { inCurrentNetns, isListening, listSockets, whoHolds } from '../inventory.js';
import { platform } from '../platform/index.js';
import { otherNetnsAdvice, respawnAdvice } from '../platform/supervision.js';
import type { Platform } from '../platform/types.js';
import type { Port, Protocol, Socket } from '../types.js';
import { planKill } from './kill-plan.js';
import type { HiddenOwner, KillPlan, KillResult, KillTarget, SkippedProcess } from './kill-types.js';

export type { HiddenOwner, KillPlan, KillResult, KillTarget, SkippedProcess, SkipReason, Supervision } from './kill-types.js';

/** A question `killPort` asks before acting; the answer comes from `options.confirm`. */
export type KillQuestion =
  | { readonly kind: 'start'; readonly plan: KillPlan; readonly signal: NodeJS.Signals }
  | { readonly kind: 'escalate'; readonly targets: readonly KillTarget[]; readonly signal: 'SIGKILL' };

export interface KillOptions {
  /** Default both. */
  readonly protocols?: readonly Protocol[];
  /** Only plan: signal nothing. */
  readonly dryRun?: boolean;
  /** How long to wait after the first signal before escalating (default 5000 ms). */
  readonly graceMs?: number;
  /** How long to wait after SIGKILL, and for the port to be released at the end (default 3000 ms). */
  readonly settleMs?: number;
  /** Send this one signal and nothing more (no SIGKILL escalation). Default: SIGTERM, then ask about SIGKILL. */
  readonly signal?: NodeJS.Signals;
  /**
   * Answers the questions (start? escalate to SIGKILL?). Default: yes to both — a library call is
   * itself the decision. The CLI asks on a terminal, and answers from `--yes` otherwise.
   */
  readonly confirm?: (question: KillQuestion) => boolean | Promise<boolean>;
  /**
   * Also stop holders in other network namespaces (containers, `ip netns`). Default false: a
   * listener on the same port number in a container is not what blocks a server here, and killing
   * it by surprise would be a mistake; it is reported in `otherNetns` with advice instead.
   */
  readonly allNetns?: boolean;
}

/** A listener on the port in another network namespace, left alone (without allNetns). */
export interface OtherNetnsHolder {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly netns: { readonly id: number; readonly name: string | null };
  readonly pids: readonly number[];
  readonly names: readonly string[];
  readonly advice: string;
}

/** One process we meant to stop (public JSON: `killed[]`). */
export interface KilledProcess {
  readonly pid: number;
  readonly name: string;
  /** The last signal sent, or null when none was (the process was gone before we got to it). */
  readonly signal: string | null;
  readonly result: KillResult;
  readonly ports: readonly number[];
  readonly command: string;
  readonly user: string;
  /** What to do instead, when a supervisor owns the process (e.g. `systemctl stop nginx.service`). */
  readonly advice: string | null;
  readonly detail: string;
}

/** A listener that appeared on the port after we stopped its holder: a supervisor restarted it. */
export interface RespawnedHolder {
  readonly port: number;
  readonly pid: number | null;
  readonly name: string | null;
  readonly unit: string | null;
  readonly container: string | null;
}

export interface KillReport {
  readonly ports: readonly number[];
  /** Something listened on at least one of the ports when we looked. */
  readonly held: boolean;
  /** No listening TCP / bound UDP socket is left on any of the ports (TIME-WAIT does not count). */
  readonly released: boolean;
  readonly dryRun: boolean;
  /** False when the confirmation was declined (nothing was signalled). */
  readonly confirmed: boolean;
  readonly killed: readonly KilledProcess[];
  readonly plan: KillPlan;
  readonly skipped: readonly SkippedProcess[];
  readonly hidden: readonly HiddenOwner[];
  readonly respawned: readonly RespawnedHolder[];
  /** Listeners on the port in other network namespaces, not signalled (see KillOptions.allNetns). */
  readonly otherNetns: readonly OtherNetnsHolder[];
  /** Commands for a person: stop the unit / container instead, or run with sudo. */
  readonly advice: readonly string[];
  readonly elapsedMs: number;
}

const DEFAULT_GRACE_MS = 5000;
const DEFAULT_SETTLE_MS = 3000;
/** How often a pid is re-checked while we wait for it to let go: reading one fd table is cheap. */
const PID_POLL_MS = 20;
/** How often the port table is re-read at the end (it reads every namespace's tables). */
const PORT_POLL_MS = 50;
/** After the port is free, how long to watch for a supervisor bringing the listener back. */
const RESPAWN_WATCH_MS = 300;
const RESPAWN_WATCH_SUPERVISED_MS = 1500;
/**
 * Parents that start a program once and do not restart it: shells, terminals, sessions. Any other
 * living parent (pm2, supervisord, nodemon, a process manager of the project's own) may restart
 * what we stopped, and is given the supervised window.
 */
const NON_SUPERVISORS = new Set(['bash', 'sh', 'dash', 'zsh', 'fish', 'ksh', 'tcsh', 'csh', 'login', 'sshd', 'su', 'sudo', 'tmux', 'tmux: server', 'screen', 'SCREEN', 'script', 'init', 'systemd', 'launchd', 'explorer.exe', 'cmd.exe', 'powershell.exe', 'pwsh.exe', 'WindowsTerminal.exe', 'conhost.exe', 'Terminal', 'iTerm2']);

/** May something restart this target once it has stopped? Its supervisor, or a living parent that is not a shell. */
async function mayBeRestarted(os: Platform, target: KillTarget, selfAncestors: ReadonlySet<number>): Promise<boolean> {
  if (target.supervision !== null) return true;
  if (target.ppid <= 1 || selfAncestors.has(target.ppid)) return false;
  const parent = await os.process(target.ppid);
  return parent !== null && !NON_SUPERVISORS.has(parent.name);
}

interface Tracking {
  readonly target: KillTarget;
  /** The holder's identity from the plan's context: what every signal is checked against. */
  readonly identity: string;
  signal: string | null;
  result: KillResult | 'pending';
  detail: string;
}

/** Is the pid still the planned holder, still holding its socket? Asked of the OS just before each signal. */
function observe(os: Platform, entry: Tracking): Promise<'same' | 'gone' | 'reused' | 'released'> {
  const { pid, inodes, sockets } = entry.target;
  return os.processes.verify({ pid, identity: entry.identity, inodes, sockets });
}

/** Re-checks identity, then signals. Updates the tracking entry; never signals a stranger. */
async function signalVerified(os: Platform, entry: Tracking, signal: NodeJS.Signals): Promise<void> {
  const verdict = await observe(os, entry);
  if (verdict === 'gone' || verdict === 'reused' || verdict === 'released') {
    if (entry.signal === null) {
      entry.result = 'already-gone';
      entry.detail = verdict === 'released' ? 'it closed the socket before we signalled' : verdict === 'reused' ? 'it exited; its pid now belongs to another process, which was left alone' : 'it exited before we signalled';
    } else {
      entry.result = 'stopped';
    }
    return;
  }
  const outcome = await os.processes.signal(entry.target.pid, signal);
  if (outcome === 'gone') {
    if (entry.signal === null) {
      entry.result = 'already-gone';
      entry.detail = 'it exited before we signalled';
    } else entry.result = 'stopped';
  } else if (outcome === 'permission-denied') {
    entry.signal = signal;
    entry.result = 'permission-denied';
    entry.detail = `the OS refused ${signal}: run it again as ${os.advice.elevate('portdoctor kill')} (the process belongs to another user)`;
  } else {
    entry.signal = signal;
    entry.result = 'pending';
  }
}

/** Waits until no pending process still holds its socket, or the deadline. */
async function waitForPending(os: Platform, entries: readonly Tracking[], deadline: number): Promise<void> {
  for (;;) {
    for (const entry of entries) {
      if (entry.result !== 'pending') continue;
      if ((await observe(os, entry)) !== 'same') {
        entry.result = 'stopped';
        entry.detail = `stopped after ${entry.signal ?? 'the signal'}`;
      }
    }
    if (!entries.some((e) => e.result === 'pending') || performance.now() >= deadline) return;
    await delay(Math.min(PID_POLL_MS, Math.max(1, deadline - performance.now())));
  }
}

/**
 * What tells one listening socket from a new one on the same port: its inode on Linux; elsewhere
 * its address and holders (a respawned server is a new pid).
 */
function socketKey(socket: Socket): string {
  return socket.inode !== undefined ? String(socket.inode) : `${socket.protocol}|${socket.address}|${socket.port}|${socket.processes.map((p) => p.pid).join(',')}`;
}

async function listenerKeys(ports: readonly number[], protocols: readonly Protocol[] | undefined, allNetns: boolean): Promise<Set<string>> {
  // Without inodes (macOS, Windows), the holders are part of the key: look them up too.
  const withProcesses = (await platform()).os !== 'linux';
  const { sockets } = await listSockets({ ports: ports as readonly Port[], states: 'listening', allNetns, withProcesses, ...(protocols === undefined ? {} : { protocols }) });
  return new Set(sockets.map(socketKey));
}

/**
 * Watches the port table until nothing listens, plus a short window in which a supervisor would
 * bring the listener back (systemd's default RestartSec is 100 ms). Stops at once when a socket
 * we did not know appears: that is the respawn.
 */
async function watchPorts(ports: readonly number[], protocols: readonly Protocol[] | undefined, allNetns: boolean, known: ReadonlySet<string>, deadline: number, respawnWatchMs: number): Promise<void> {
  let freeSince: number | null = null;
  for (;;) {
    const keys = await listenerKeys(ports, protocols, allNetns);
    const now = performance.now();
    if ([...keys].some((key) => !known.has(key))) return;
    if (keys.size === 0) {
      freeSince ??= now;
      if (now - freeSince >= respawnWatchMs) return;
    } else freeSince = null;
    if (now >= deadline) return;
    await delay(Math.min(PORT_POLL_MS, Math.max(1, deadline - now)));
  }
}

function respawnsOf(sockets: readonly Socket[], known: ReadonlySet<string>): RespawnedHolder[] {
  const found: RespawnedHolder[] = [];
  for (const socket of sockets) {
    if (known.has(socketKey(socket))) continue;
    if (socket.processes.length === 0) found.push({ port: socket.port, pid: null, name: null, unit: null, container: null });
    for (const proc of socket.processes) found.push({ port: socket.port, pid: proc.pid, name: proc.name, unit: proc.unit ?? null, container: proc.container });
  }
  return found;
}

function adviceFor(os: Platform, plan: KillPlan, killed: readonly KilledProcess[], respawned: readonly RespawnedHolder[]): string[] {
  const advice = new Set<string>();
  for (const target of plan.targets) if (target.supervision !== null) advice.add(target.supervision.advice);
  for (const skip of plan.skipped) {
    if (skip.stop !== undefined) advice.add(skip.stop);
    else if (skip.reason === 'docker-proxy') advice.add(`docker stop $(docker ps -q --filter publish=${skip.ports[0] ?? ''})`);
  }
  if (plan.hidden.length > 0 || killed.some((k) => k.result === 'permission-denied')) advice.add(os.advice.elevate(`portdoctor kill ${plan.ports.join(' ')}`));
  for (const r of respawned) {
    const again = respawnAdvice(os.os, r);
    if (again !== null) advice.add(again);
  }
  return [...advice];
}

/** Listeners in other network namespaces (Linux), left alone, each with what to do instead. */
function otherNetnsHolders(os: Platform, sockets: readonly Socket[]): OtherNetnsHolder[] {
  return sockets.filter(isListening).map((s) => {
    const container = s.processes.find((p) => p.container !== null)?.container ?? null;
    const netns = s.netns ?? { id: 0, name: null };
    return {
      protocol: s.protocol,
      address: s.address,
      port: s.port,
      netns: { id: netns.id, name: netns.name },
      pids: s.processes.map((p) => p.pid),
      names: s.processes.map((p) => p.name),
      advice: otherNetnsAdvice(os.os, { port: s.port, netnsName: netns.name, container, pid: s.processes[0]?.pid ?? null }),
    };
  });
}

/**
 * Stops what listens on the given ports, verifiably. Only processes holding a listening TCP or a
 * bound UDP socket on exactly those ports are targets — never clients connected to them — and
 * never pid 1, this process or its ancestors. Each signal goes only to a pid that, just before,
 * still has the planned start time and still holds the socket (pids are reused). Sends SIGTERM
 * (or `options.signal`), waits `graceMs`, asks (`confirm`) before SIGKILL for what still holds
 * the port, then waits — bounded — until no listener is left, and watches for a respawn.
 * Expected outcomes (nothing there, permission denied, still holding) are values in the report.
 *
 * @example
 * const report = await killPort([3000], { graceMs: 2000 });
 * if (!report.released) console.log(report.killed.map((k) => `${k.pid} ${k.result}`), report.advice);
 */
export async function killPort(ports: readonly number[], options: KillOptions = {}): Promise<KillReport> {
  const started = performance.now();
  const protocols = options.protocols;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  const confirm = options.confirm ?? (() => true);
  const firstSignal = options.signal ?? 'SIGTERM';

  const os = await platform();
  if (os.origin.kind === 'replay' && options.dryRun !== true) {
    throw new PortdoctorError('needs-live-machine', 'kill cannot run on a replayed snapshot: signals need the live machine.', {
      hint: "Add --dry-run to see the plan, or run 'portdoctor kill' on the machine the snapshot came from.",
    });
  }
  const allNetns = options.allNetns === true;
  const inScope = (socket: Socket): boolean => allNetns || inCurrentNetns(socket);
  const held = await whoHolds(ports, protocols === undefined ? {} : { protocols });
  // Forwarders (docker-proxy, …) are not signalled: their forward names the container to stop instead.
  const inventory = { ...held, sockets: (await annotateForwards(held.sockets)).sockets };
  const scoped = inventory.sockets.filter(inScope);
  const otherNetns = otherNetnsHolders(os, inventory.sockets.filter((s) => !inScope(s)));
  const context = await os.processes.context(scoped);
  const plan = planKill(ports, scoped, { ...context, os: os.os });
  const known = new Set(inventory.sockets.map(socketKey));
  const base = { ports: [...ports], plan, skipped: plan.skipped, hidden: plan.hidden, dryRun: options.dryRun === true };
  const finish = (fields: { released: boolean; confirmed: boolean; killed: KilledProcess[]; respawned?: RespawnedHolder[] }): KillReport => ({
    // The contract fields first, so the JSON reads top-down.
    killed: fields.killed,
    released: fields.released,
    ...base,
    held: plan.heldPorts.length > 0,
    confirmed: fields.confirmed,
    respawned: fields.respawned ?? [],
    otherNetns,
    advice: [...adviceFor(os, plan, fields.killed, fields.respawned ?? []), ...otherNetns.map((o) => o.advice)],
    elapsedMs: Math.round(performance.now() - started),
  });

  if (plan.heldPorts.length === 0) return finish({ released: true, confirmed: true, killed: [] });
  if (options.dryRun === true || plan.targets.length === 0) return finish({ released: false, confirmed: options.dryRun !== true, killed: [] });
  if (!(await confirm({ kind: 'start', plan, signal: firstSignal }))) return finish({ released: false, confirmed: false, killed: [] });

  const entries: Tracking[] = plan.targets.map((target) => ({ target, identity: context.identities.get(target.pid) ?? '', signal: null, result: 'pending', detail: '' }));
  const signalledAt = performance.now();
  for (const entry of entries) await signalVerified(os, entry, firstSignal);
  await waitForPending(os, entries, signalledAt + graceMs);

  const stubborn = entries.filter((e) => e.result === 'pending');
  if (stubborn.length > 0 && options.signal === undefined && (await confirm({ kind: 'escalate', targets: stubborn.map((e) => e.target), signal: 'SIGKILL' }))) {
    for (const entry of stubborn) await signalVerified(os, entry, 'SIGKILL');
    await waitForPending(os, entries, performance.now() + settleMs);
  }
  for (const entry of entries) {
    if (entry.result !== 'pending') continue;
    entry.result = 'still-holding';
    entry.detail = options.signal !== undefined ? `still holds the port after ${options.signal} (--signal sends that one signal only)` : entry.signal === 'SIGKILL' ? 'still holds the port after SIGKILL (a process in uninterruptible sleep, or the socket was passed on)' : `ignored ${entry.signal ?? firstSignal} and SIGKILL was not confirmed (answer yes, or pass --yes)`;
  }

  // Wait for the port only when it can become free: a skipped, hidden or stubborn holder keeps it.
  const canRelease = plan.skipped.length === 0 && plan.hidden.length === 0 && entries.every((e) => e.result === 'stopped' || e.result === 'already-gone');
  if (canRelease) {
    const ancestors = new Set(context.ancestors);
    const supervised = (await Promise.all(plan.targets.map((t) => mayBeRestarted(os, t, ancestors)))).some(Boolean);
    const watchDeadline = Math.max(performance.now(), signalledAt + graceMs + settleMs);
    await watchPorts(plan.heldPorts, protocols, allNetns, known, watchDeadline, supervised ? RESPAWN_WATCH_SUPERVISED_MS : RESPAWN_WATCH_MS);
  }
  const after = (await whoHolds(plan.heldPorts, protocols === undefined ? {} : { protocols })).sockets.filter(inScope);
  const respawned = respawnsOf(after, known);
  const killed: KilledProcess[] = entries.map((e) => ({
    pid: e.target.pid,
    name: e.target.name,
    signal: e.signal,
    result: e.result as KillResult,
    ports: e.target.ports,
    command: e.target.command,
    user: e.target.user,
    advice: e.target.supervision?.advice ?? null,
    detail: e.detail,
  }));
  return finish({ released: after.length === 0, confirmed: true, killed, respawned });
}
