import { isListening } from '../inventory.js';
import type { ProcessInfo, Socket } from '../types.js';
import type { HiddenOwner, KillPlan, KillTarget, SkippedProcess, SkipReason, Supervision } from './kill-types.js';

/** What the planner needs to know about the world besides the sockets; all of it read by the caller. */
export interface PlanContext {
  /** Start ticks of each holder, read right after the scan; null when the process has already exited. */
  readonly startTicks: ReadonlyMap<number, number | null>;
  /** Our own pid. */
  readonly selfPid: number;
  /** Our parent, its parent, … up to pid 1. */
  readonly ancestors: readonly number[];
  /** Pids whose systemd unit runs under a user's service manager (`systemctl --user`). */
  readonly userManagerPids?: ReadonlySet<number>;
}

/**
 * `user@1000.service` is the user's whole service manager, and every process of a desktop session
 * lives below it: stopping it logs the user out. It is never advice.
 */
function isSessionManagerUnit(unit: string): boolean {
  return /^user@\d+\.service$/.test(unit) || /^(session-\d+|init)\.scope$/.test(unit);
}

/**
 * Who would restart (or really owns) a process, and the command that stops it properly. Pure.
 *
 * @example
 * supervisionOf(proc, socket, false)?.advice; // 'systemctl stop nginx.service'
 */
export function supervisionOf(proc: ProcessInfo, socket: Socket, userManaged: boolean): Supervision | null {
  if (proc.name === 'docker-proxy') {
    return {
      kind: 'docker-proxy',
      name: 'docker-proxy',
      advice: `docker stop $(docker ps -q --filter publish=${socket.port})`,
    };
  }
  if (proc.container !== null) {
    const id = proc.container.slice(0, 12);
    return { kind: 'container', name: id, advice: `docker stop ${id}` };
  }
  if (proc.unit !== null && !isSessionManagerUnit(proc.unit)) {
    return userManaged
      ? { kind: 'systemd-user', name: proc.unit, advice: `systemctl --user stop ${proc.unit}` }
      : { kind: 'systemd', name: proc.unit, advice: `systemctl stop ${proc.unit}` };
  }
  if (!socket.netns.current) {
    const name = socket.netns.name ?? `net:[${socket.netns.id}]`;
    const advice = socket.netns.name === null ? `nsenter --net=/proc/${proc.pid}/ns/net ss -ltnup` : `ip netns pids ${socket.netns.name}`;
    return { kind: 'netns', name, advice };
  }
  return null;
}

function protection(pid: number, context: PlanContext): { reason: SkipReason; detail: string } | null {
  if (pid === 1) return { reason: 'pid-1', detail: 'pid 1 is the init process of this system or container; it is never signalled' };
  if (pid === context.selfPid) return { reason: 'self', detail: 'this is portdoctor itself' };
  if (context.ancestors.includes(pid)) return { reason: 'ancestor', detail: 'this process started portdoctor (a shell, terminal or runner); it is never signalled' };
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
      if (socket.ownerHidden || socket.inode !== 0) {
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

  const targets: KillTarget[] = [];
  const skipped: SkippedProcess[] = [];
  for (const [pid, { proc, sockets: held }] of [...byPid].sort((a, b) => a[0] - b[0])) {
    const heldPorts = [...new Set(held.map((s) => s.port))].sort((a, b) => a - b);
    const first = held[0]!;
    const supervision = supervisionOf(proc, first, context.userManagerPids?.has(pid) === true);
    const guard = protection(pid, context);
    const startTicks = context.startTicks.get(pid);
    if (guard !== null) {
      skipped.push({ pid, name: proc.name, ports: heldPorts, ...guard });
    } else if (supervision?.kind === 'docker-proxy') {
      skipped.push({
        pid,
        name: proc.name,
        ports: heldPorts,
        reason: 'docker-proxy',
        detail: `docker-proxy forwards the port to a container; killing it breaks the mapping and leaves the container running (${supervision.advice})`,
      });
    } else if (startTicks === null || startTicks === undefined) {
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
        unit: proc.unit,
        container: proc.container,
        startTicks,
        ports: heldPorts,
        inodes: [...new Set(held.map((s) => s.inode))],
        sockets: held.map((s) => ({ protocol: s.protocol, family: s.family, address: s.address, port: s.port })),
        supervision,
      });
    }
  }
  const heldPorts = [...new Set(listeners.map((s) => s.port))].sort((a, b) => a - b);
  return { ports: [...ports], heldPorts, targets, skipped, hidden };
}
