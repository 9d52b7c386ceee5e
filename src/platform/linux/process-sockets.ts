import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { parseProcStat } from './process.js';

/**
 * The socket inodes a process holds right now (its fds that point at `socket:[N]`), or null when
 * its fd table cannot be read: it exited (ENOENT), or it is another user's and we are not root.
 * `kill` calls this just before each signal, so it reads one process only.
 *
 * @example
 * socketInodesOf(process.pid); // Set { 123456, … } — our own sockets
 */
export function socketInodesOf(pid: number): Set<number> | null {
  const dir = `/proc/${pid}/fd/`;
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return null;
  }
  const inodes = new Set<number>();
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(dir + fd);
    } catch {
      continue; // closed since readdir
    }
    if (target.startsWith('socket:[')) inodes.add(Number(target.slice(8, -1)));
  }
  return inodes;
}

/** The parent of a process from /proc/<pid>/stat, or null when it is gone. */
function parentOf(pid: number): number | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'latin1'))?.ppid ?? null;
  } catch {
    return null;
  }
}

/**
 * The chain of parents of `pid` up to (and including) pid 1: the processes `kill` must never
 * signal, since killing our own shell, terminal or test runner frees nothing the user wanted.
 * Bounded at 1024 hops (far beyond any real process tree) so a corrupt read cannot loop.
 *
 * @example
 * ancestorPids(process.pid); // [ppid, …, 1]
 */
export function ancestorPids(pid: number): number[] {
  const chain: number[] = [];
  let current = pid;
  for (let hop = 0; hop < 1024; hop++) {
    const parent = parentOf(current);
    if (parent === null || parent === 0 || chain.includes(parent)) break;
    chain.push(parent);
    if (parent === 1) break;
    current = parent;
  }
  return chain;
}

/**
 * True when /proc/<pid>/cgroup places the process *inside* a user's service manager
 * (`…/user@1000.service/app.slice/foo.service`): such units are stopped with `systemctl --user`.
 * Pure, for tests on captured text.
 *
 * @example
 * isUserManagerCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/vite.service\n'); // true
 */
export function isUserManagerCgroup(text: string): boolean {
  return /\/user@\d+\.service\/.*\.service/.test(text);
}

/** Reads isUserManagerCgroup for a pid; false when unreadable. */
export function inUserManager(pid: number): boolean {
  try {
    return isUserManagerCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  } catch {
    return false;
  }
}
