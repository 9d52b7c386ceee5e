import { checkIdentity } from '../common/identity.js';
import type { Socket } from '../../types.js';
import { sendSignal } from '../common/signal.js';
import type { KillContext, PlannedHolder, ProcessControl } from '../types.js';
import { ancestorPids, inUserManager, socketInodesOf } from './process-sockets.js';
import { processStartTicks, readProcess } from './process.js';

/** A Linux process's identity for the life of the system: its start time in clock ticks. */
export const ticksIdentity = (ticks: number): string => `ticks:${ticks}`;

function ticksOf(identity: string): number | null {
  return identity.startsWith('ticks:') ? Number(identity.slice(6)) : null;
}

/**
 * Stopping processes on Linux: identities from /proc/<pid>/stat, holding checked by socket inode,
 * ancestors from the stat chain, user-manager units from the cgroup, signals with kill(2).
 */
export const LINUX_PROCESS_CONTROL: ProcessControl = {
  forcefulOnly: false,
  async context(sockets: readonly Socket[]): Promise<KillContext> {
    const pids = new Set(sockets.flatMap((s) => s.processes.map((p) => p.pid)));
    const startTicks = new Map<number, number | null>();
    const identities = new Map<number, string | null>();
    const userManagerPids = new Set<number>();
    for (const pid of pids) {
      const ticks = readProcess(pid, { cgroup: false })?.startTicks ?? null;
      startTicks.set(pid, ticks);
      identities.set(pid, ticks === null ? null : ticksIdentity(ticks));
      if (inUserManager(pid)) userManagerPids.add(pid);
    }
    return { identities, startTicks, selfPid: process.pid, ancestors: ancestorPids(process.pid), userManagerPids };
  },
  async verify(holder: PlannedHolder) {
    const ticks = ticksOf(holder.identity);
    if (ticks === null) return 'reused';
    return checkIdentity({ pid: holder.pid, startTicks: ticks, inodes: holder.inodes }, { startTicks: processStartTicks(holder.pid), inodes: socketInodesOf(holder.pid) });
  },
  async signal(pid, signal) {
    return sendSignal(pid, signal);
  },
};
