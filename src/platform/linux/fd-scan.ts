import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { scanFdRange, type FdScanCounts } from './fd-scan-core.js';

export interface FdScanResult {
  /** socket inode → the pids holding it (a socket may be shared: pre-fork servers, inherited fds). */
  readonly owners: Map<number, number[]>;
  readonly counts: FdScanCounts;
}

/** Pids per claim: small enough to balance two threads, large enough to keep Atomics cheap. */
const CHUNK = 16;
/**
 * Below this many processes a second thread costs more than it saves: starting a worker takes
 * ~15-25 ms of the other core, while 150 processes' fd tables take about that long to read.
 */
const WORKER_THRESHOLD = 150;

const workerFile = fileURLToPath(new URL('./fd-scan-worker.js', import.meta.url));
// The worker exists only in the built package (dist/); from TypeScript sources the scan runs on one thread.
const workerAvailable = existsSync(workerFile);

/**
 * Finds which processes hold which sockets by reading every /proc/<pid>/fd. This is the cost
 * that dominates on busy machines (one readlink per open fd), so with many processes the pid
 * list is shared with a worker thread: both claim chunks from one atomic counter, which balances
 * the work whatever the worker's start-up delay.
 *
 * Claim protocol: the worker sets control[1] before its first claim. When the main thread runs
 * out of chunks it reads control[1]; if still 0, every chunk is already claimed by the main
 * thread, so the worker can only find nothing and is not waited for.
 *
 * @example
 * const { owners } = await scanSocketOwners(pids, new Set([12345]));
 * owners.get(12345) // [4242]
 */
export async function scanSocketOwners(pids: readonly number[], wanted: ReadonlySet<number> | null): Promise<FdScanResult> {
  const pairs: number[] = [];
  const counts: FdScanCounts = { scanned: 0, hidden: 0, vanished: 0 };
  if (wanted !== null && wanted.size === 0) return { owners: new Map(), counts };

  if (!workerAvailable || pids.length < WORKER_THRESHOLD) {
    scanFdRange(pids, 0, pids.length, wanted, pairs, counts);
    return { owners: groupPairs(pairs), counts };
  }

  const shared = new Int32Array(new SharedArrayBuffer(pids.length * 4));
  shared.set(pids);
  const control = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(workerFile, {
    workerData: { pids: shared, control, wanted: wanted === null ? null : [...wanted], chunk: CHUNK },
    // The worker needs none of the parent's environment processing; keep its start-up minimal.
    stdout: false,
    stderr: false,
  });
  const workerDone = new Promise<{ pairs: number[]; counts: FdScanCounts } | null>((resolve) => {
    worker.once('message', (message: { pairs: number[]; counts: FdScanCounts }) => resolve(message));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });

  for (;;) {
    const from = Atomics.add(control, 0, CHUNK);
    if (from >= pids.length) break;
    scanFdRange(shared, from, Math.min(from + CHUNK, pids.length), wanted, pairs, counts);
  }

  if (Atomics.load(control, 1) === 0) {
    // The worker has not begun; it can no longer claim anything. Do not wait for it.
    worker.unref();
    void worker.terminate();
  } else {
    const result = await workerDone;
    if (result === null) {
      // The worker died mid-way: its chunks are lost, so rescan everything on this thread.
      pairs.length = 0;
      counts.scanned = counts.hidden = counts.vanished = 0;
      scanFdRange(pids, 0, pids.length, wanted, pairs, counts);
    } else {
      // A loop, not push(...): tens of thousands of arguments would overflow the stack.
      for (const value of result.pairs) pairs.push(value);
      counts.scanned += result.counts.scanned;
      counts.hidden += result.counts.hidden;
      counts.vanished += result.counts.vanished;
    }
  }
  return { owners: groupPairs(pairs), counts };
}

function groupPairs(pairs: readonly number[]): Map<number, number[]> {
  const owners = new Map<number, number[]>();
  for (let i = 0; i < pairs.length; i += 2) {
    const inode = pairs[i]!;
    const pid = pairs[i + 1]!;
    const list = owners.get(inode);
    if (list === undefined) owners.set(inode, [pid]);
    else if (!list.includes(pid)) list.push(pid);
  }
  for (const list of owners.values()) list.sort((a, b) => a - b);
  return owners;
}
