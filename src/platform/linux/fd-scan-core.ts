import { readdirSync, readlinkSync } from 'node:fs';
import { errnoCode } from '../../errors.js';
import { readProcess, type ProcessDetails } from './process.js';

/** Counters of one fd scan; merged across threads. */
export interface FdScanCounts {
  scanned: number;
  hidden: number;
  vanished: number;
}

/**
 * Reads the fd table of each pid in `pids[from, to)` and records, for every fd that is a socket
 * whose inode is wanted, the pair (inode, pid) into `pairs` (flat: inode, pid, inode, pid, …).
 * `wanted` null means every socket.
 *
 * Hot path, synchronous on purpose: the cost is one readlink syscall per fd, and the sync calls
 * avoid a promise per fd. A pid may exit between readdir and readlink (ENOENT: skipped, counted as
 * vanished); another user's fd table is unreadable without root (EACCES: counted as hidden).
 */
export function scanFdRange(
  pids: ArrayLike<number>,
  from: number,
  to: number,
  wanted: ReadonlySet<number> | null,
  pairs: number[],
  counts: FdScanCounts,
): void {
  for (let index = from; index < to; index++) {
    const pid = pids[index]!;
    const dir = `/proc/${pid}/fd/`;
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EACCES' || code === 'EPERM') counts.hidden++;
      else counts.vanished++;
      continue;
    }
    counts.scanned++;
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(dir + fd);
      } catch {
        // The fd was closed (or the process exited) since readdir: nothing to attribute.
        continue;
      }
      // "socket:[12345]"
      if (target.charCodeAt(0) !== 115 /* s */ || !target.startsWith('socket:[')) continue;
      let inode = 0;
      for (let i = 8; i < target.length - 1; i++) inode = inode * 10 + (target.charCodeAt(i) - 48);
      if (wanted !== null && !wanted.has(inode)) continue;
      pairs.push(inode, pid);
    }
  }
}

/**
 * Reads the details of every pid in `pairs` from index `from` on that holds a wanted inode and is
 * not in `into` yet (null: it exited). Run by each scanning thread right after its chunk, so the
 * owners' details are read in parallel too, while their /proc entries are still warm.
 */
export function readOwnerDetails(pairs: readonly number[], from: number, wanted: ReadonlySet<number>, cgroup: boolean, into: Map<number, ProcessDetails | null>): void {
  for (let i = from; i < pairs.length; i += 2) {
    const pid = pairs[i + 1]!;
    if (!into.has(pid) && wanted.has(pairs[i]!)) into.set(pid, readProcess(pid, { cgroup }));
  }
}

/** Numeric entries of /proc: the thread-group leaders, i.e. the processes. */
export function listPids(procRoot = '/proc'): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(procRoot)) {
    const first = name.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    pids.push(Number(name));
  }
  return pids;
}
