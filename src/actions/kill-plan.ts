import { isListening } from '../inventory.js';
import { forwarderEntry } from '../forwarders/table.js';
import { knownHolderOf } from '../platform/known-holders.js';
import { supervisionFor } from '../platform/supervision.js';
import type { OsName } from '../platform/types.js';
import type { ProcessInfo, Socket } from '../types.js';
import type { HiddenOwner, KillPlan, KillTarget, SkippedProcess, SkipReason, Supervision } from './kill-types.js';

/** What the planner needs to know about the world besides the sockets; all of it read by the caller. */
export interface PlanContext {
  /** The OS whose processes these are (default 'linux'): it decides supervision and known holders. */
  readonly os?: OsName;
  /** Start ticks of each holder (Linux), read right after the scan; null when the process has already exited. */
  readonly startTicks: ReadonlyMap<number, number | null>;
  /**
   * Each holder's identity (its start time, as the OS gives it), null when it has already exited.
   * Default: from `startTicks`.
   */
  readonly identities?: ReadonlyMap<number, string | null>;
  /** Our own pid. */
  readonly selfPid: number;
  /** Our parent, its parent, … up to pid 1. */
  readonly ancestors: readonly number[];
  /** Pids whose systemd unit runs under a user's service manager (`systemctl --user`). */
  readonly userManagerPids?: ReadonlySet<number>;
  /** Pids the OS protects, with why (Windows: System, shared service hosts). */
  readonly protectedPids?: ReadonlyMap<number, string>;
}

/**
 * Who would restart (or really owns) a process, and the command that stops it properly (Linux:
 * docker-proxy, a container, a systemd unit, another network namespace). Pure.
 *
 * @example
 * supervisionOf(proc, socket, false)?.advice; // 'systemctl stop nginx.service'
 */
export function supervisionOf(proc: ProcessInfo, socket: Socket, userManaged: boolean, os: OsName = 'linux'): Supervision | null {
  return supervisionFor(os, proc, socket, userManaged);
}

function protection(pid: number, context: PlanContext): { reason: SkipReason; detail: string } | null {
  if (pid === 1) return { reason: 'pid-1', detail: 'pid 1 is the init process of this system or container; it is never signalled' };
  if (pid === context.selfPid) return { reason: 'self', detail: 'this is portdoctor itself' };
  if (context.ancestors.includes(pid)) return { reason: 'ancestor', detail: 'this process started portdoctor (a shell, terminal or runner); it is never signalled' };
  const protectedWhy = context.protectedPids?.get(pid);
  if (protectedWhy !== undefined) return { reason: 'protected', detail: protectedWhy };
  return null;
}

interface Gathered {
  proc: ProcessInfo;
  sockets: Socket[];
}

/**
 * Decides who `kill` will signal, from one scan. Pure: the caller reads the sockets, start ticks
 * and our ancestry, so this can be tested with hand-built values (pid 1, ourselves, a parent).
 *
 * Only sockets that *accept* count — TCP LISTEN and unconnected bound UDP on exactly the asked
 * ports. A browser connected to the port holds an ESTAB socket with that port as its *remote*
 * port (or, for the server side, local): neither is a listener, so it is never a target.
 * A forked server (one listening socket in several processes) yields one target per process.
 *
 * @example
 * const plan = planKill([3000], sockets, { startTicks, selfPid: process.pid, ancestors: [process.ppid, 1] });
 * plan.targets.map((t) => t.pid);
 */
export function planKill(ports: readonly number[], sockets: readonly Socket[], context: PlanContext): KillPlan {
  const wanted = new Set(ports);
  const listeners = sockets.filter((s) => isListening(s) && wanted.has(s.port));
  const byPid = new Map<number, Gathered>();
  const hidden: HiddenOwner[] = [];
  for (const socket of listeners) {
    if (socket.processes.length === 0) {
      // No visible holder: another user's process (we are not root), or a kernel-held socket.
      if (socket.ownerHidden || (socket.inode ?? 0) !== 0) {
        hidden.push({ protocol: socket.protocol, address: socket.address, port: socket.port, uid: socket.uid, user: socket.user });
      }
      continue;
    }
    for (const proc of socket.processes) {
      const entry = byPid.get(proc.pid);
      if (entry === undefined) byPid.set(proc.pid, { proc, sockets: [socket] });
      else if (!entry.sockets.includes(socket)) entry.sockets.push(socket);
    }
  }

  const os = context.os ?? 'linux';
  const identityOf = (pid: number): string | null | undefined => {
    if (context.identities !== undefined) return context.identities.get(pid);
    const ticks = context.startTicks.get(pid);
    return ticks === undefined ? undefined : ticks === null ? null : `ticks:${ticks}`;
  };
  const targets: KillTarget[] = [];
  const skipped: SkippedProcess[] = [];
  for (const [pid, { proc, sockets: held }] of [...byPid].sort((a, b) => a[0] - b[0])) {
    const heldPorts = [...new Set(held.map((s) => s.port))].sort((a, b) => a - b);
    // A socket with a forward speaks for the process: a Windows port proxy is known by its forward.
    const first = held.find((s) => s.forward !== undefined) ?? held[0]!;
    const supervision = supervisionFor(os, proc, first, context.userManagerPids?.has(pid) === true);
    const known = knownHolderOf(os, proc, first.port, first);
    const guard = protection(pid, context);
    const identity = identityOf(pid);
    // A forwarder that is not stopped by a signal (docker-proxy, dockerd holding a DNAT-published
    // port, conmon): its forward (read by the caller) names the proper stop. An OS's known holder
    // (Docker Desktop, wslrelay) keeps its own, fuller wording.
    const forward = held.find((s) => s.forward !== undefined)?.forward;
    const forwarder = forwarderEntry({ pid, name: proc.name, argv: [] });
    const stop = forward?.stop ?? forwarder?.stop(pid) ?? null;
    if (guard !== null) {
      skipped.push({ pid, name: proc.name, ports: heldPorts, ...guard });
    } else if (supervision?.kind === 'docker-proxy') {
      const container = forward?.to?.container?.name;
      skipped.push({
        pid,
        name: proc.name,
        ports: heldPorts,
        reason: 'docker-proxy',
        detail: `docker-proxy forwards the port to ${container === undefined ? 'a container' : `container ${container}`}; killing it breaks the mapping and leaves the container running (${stop ?? supervision.advice})`,
        stop: stop ?? supervision.advice,
      });
    } else if (known !== null && known.kill === 'refuse') {
      // A forward whose destination was read makes the stop exact: the container (Docker Desktop,
      // rootless Docker: 'docker stop web'), or each rule that forwards one of its sockets (a port proxy).
      const exactStops = [...new Set(held.flatMap((s) => (s.forward !== undefined && s.forward.to !== null && !s.forward.killable ? [s.forward.stop] : [])))];
      const exact = forward?.to?.container !== undefined ? { stop: forward.stop } : exactStops.length > 0 ? { stop: exactStops.join('; ') } : {};
      skipped.push({ pid, name: proc.name, ports: heldPorts, reason: 'known-holder', detail: `${known.what}: ${known.detail} ${known.fix}`, ...exact });
    } else if ((forward !== undefined && !forward.killable) || (forwarder !== undefined && !forwarder.killable)) {
      const what = forward?.description ?? forwarder?.description ?? proc.name;
      skipped.push({ pid, name: proc.name, ports: heldPorts, reason: 'forwarder', detail: `${proc.name} is ${what}; a signal would not free the port properly (${stop ?? 'stop what it forwards for'})`, ...(stop === null ? {} : { stop }) });
    } else if (identity === null || identity === undefined) {
      skipped.push({ pid, name: proc.name, ports: heldPorts, reason: 'vanished', detail: 'the process exited during the scan' });
    } else {
      targets.push({
        pid,
        ppid: proc.ppid,
        name: proc.name,
        command: proc.command,
        user: proc.user,
        uid: proc.uid,
        startedAt: proc.startedAt,
        unit: proc.unit ?? null,
        container: proc.container,
        startTicks: context.startTicks.get(pid) ?? null,
        ports: heldPorts,
        inodes: [...new Set(held.flatMap((s) => (s.inode === undefined ? [] : [s.inode])))],
        sockets: held.map((s) => ({ protocol: s.protocol, family: s.family, address: s.address, port: s.port })),
        supervision,
      });
    }
  }
  const heldPorts = [...new Set(listeners.map((s) => s.port))].sort((a, b) => a - b);
  return { ports: [...ports], heldPorts, targets, skipped, hidden };
}
