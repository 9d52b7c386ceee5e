/** What we know of a process from the plan: enough to recognise it again. */
export interface ExpectedHolder {
  readonly pid: number;
  readonly startTicks: number;
  /** The listening socket inodes it held at planning time. */
  readonly inodes: readonly number[];
}

/** What /proc says about that pid now. */
export interface ObservedProcess {
  /** Start ticks of whatever process has this pid now; null when no process has it. */
  readonly startTicks: number | null;
  /** Socket inodes it holds now; null when its fd table could not be read (exited, zombie, not ours). */
  readonly inodes: ReadonlySet<number> | null;
}

/**
 * - `same`: the very process we planned for, still holding at least one of the sockets — safe to signal;
 * - `gone`: no process has this pid any more;
 * - `reused`: the pid now names a *different* process (another start time) — never signal it;
 * - `released`: the same process, but it no longer holds (or we can no longer see it hold) the socket.
 */
export type IdentityVerdict = 'same' | 'gone' | 'reused' | 'released';

/**
 * Decides, just before a signal, whether a pid is still the process we planned to stop. Pids are
 * reused: between the scan and the signal the holder may exit and the kernel may hand its pid to
 * an unrelated process. A pid plus its start time (clock ticks after boot, field 22 of
 * /proc/<pid>/stat) names one process for the life of the system, and holding the socket inode
 * proves it is still the one blocking the port. Anything short of both is not signalled. Pure.
 *
 * @example
 * checkIdentity({ pid: 42, startTicks: 900, inodes: [7] }, { startTicks: 1200, inodes: new Set([7]) }); // 'reused'
 */
export function checkIdentity(expected: ExpectedHolder, observed: ObservedProcess): IdentityVerdict {
  if (observed.startTicks === null) return 'gone';
  if (observed.startTicks !== expected.startTicks) return 'reused';
  if (observed.inodes === null) return 'released';
  return expected.inodes.some((inode) => observed.inodes!.has(inode)) ? 'same' : 'released';
}
