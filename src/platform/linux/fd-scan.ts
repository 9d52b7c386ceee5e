import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as WorkerThreads from 'node:worker_threads';
import { readOwnerDetails, scanFdRange, type FdScanCounts } from './fd-scan-core.js';
import type { ProcessDetails } from './process.js';

export interface FdScanResult {
  /** socket inode → the pids holding it (a socket may be shared: pre-fork servers, inherited fds). */
  readonly owners: Map<number, number[]>;
  readonly counts: FdScanCounts;
  /**
   * Details of owners read during the scan (null: the process exited), when they were asked
   * for and two threads scanned; the caller reads any owner missing here itself.
   */
  readonly details: ReadonlyMap<number, ProcessDetails | null>;
}

/** Which owner details to read while scanning. */
export interface OwnerDetailsRequest {
  readonly cgroup: boolean;
}

/** A scan under way: `finish` says which inodes matter and returns their owners. */
export interface FdScan {
  finish(wanted: ReadonlySet<number>, details?: OwnerDetailsRequest): Promise<FdScanResult>;
}

/** Pids per claim: small enough to balance two threads, large enough to keep Atomics cheap. */
const CHUNK = 16;
/**
 * Below this many processes a second thread costs more than it saves: starting a worker takes
 * ~15-25 ms of the other core (a new isolate, loading the scan module), while 300 processes'
 * fd tables take about that long to read.
 */
const WORKER_THRESHOLD = 300;

const workerFile = fileURLToPath(new URL('./fd-scan-worker.js', import.meta.url));

interface WorkerMessage {
  readonly pairs: number[];
  readonly counts: FdScanCounts;
  readonly details: [number, ProcessDetails | null][];
}

/**
 * Finds which processes hold which sockets by reading every /proc/<pid>/fd. This is the cost that
 * dominates on busy machines (one readlink per open fd), so with many processes the work is shared
 * with a worker thread that starts *now*, before the caller has even read the socket tables: both
 * claim chunks of the pid list from one atomic counter, which balances the work whatever the
 * worker's start-up delay. The worker records every socket fd (it cannot know which inodes
 * matter yet); `finish` keeps the wanted ones. `finish` also sends the worker the wanted inodes,
 * so that from then on each thread reads the details (stat, status, cmdline) of the owners it
 * finds: with 2,000 owners that is 6,000 more files, split between the threads too.
 *
 * Claim protocol: the worker sets control[1] before its first claim. When the main thread runs
 * out of chunks it reads control[1]; if still 0, every chunk is already claimed by the main
 * thread, so the worker can only find nothing and is not waited for.
 *
 * @example
 * const scan = startSocketScan(listPids());
 * const tables = readTablesSync();                   // meanwhile, the worker scans
 * const { owners } = await scan.finish(new Set([12345]));
 */
export function startSocketScan(pids: readonly number[]): FdScan {
  // The worker exists only in the built package (dist/); from TypeScript sources the scan runs on one thread.
  if (pids.length < WORKER_THRESHOLD || !existsSync(workerFile)) return scanOnThisThread(pids);

  const shared = new Int32Array(new SharedArrayBuffer(pids.length * 4));
  shared.set(pids);
  const control = new Int32Array(new SharedArrayBuffer(8));
  // worker_threads is loaded only here, so small machines never pay for it; and synchronously (not
  // with import()), so the thread starts now even if the caller then blocks on reading tables.
  const { MessageChannel, Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof WorkerThreads;
  const { port1: toWorker, port2: workerPort } = new MessageChannel();
  let worker: WorkerThreads.Worker;
  try {
    worker = new Worker(workerFile, { workerData: { pids: shared, control, chunk: CHUNK, port: workerPort }, transferList: [workerPort], stdout: false, stderr: false });
  } catch {
    // No thread to be had (a resource limit, an embedder without workers): one thread still answers.
    toWorker.close();
    return scanOnThisThread(pids);
  }
  const done = new Promise<WorkerMessage | null>((resolve) => {
    worker.once('message', (message: WorkerMessage) => resolve(message));
    worker.once('error', () => resolve(null));
    worker.once('exit', () => resolve(null));
  });

  const stopWorker = (): void => {
    toWorker.close();
    worker.unref();
    void worker.terminate();
  };
  return {
    async finish(wanted, request) {
      const pairs: number[] = [];
      const counts: FdScanCounts = { scanned: 0, hidden: 0, vanished: 0 };
      const details = new Map<number, ProcessDetails | null>();
      if (wanted.size === 0) {
        // Nothing to attribute: make every remaining chunk look claimed so the worker stops.
        Atomics.store(control, 0, pids.length);
        stopWorker();
        return { owners: new Map(), counts, details };
      }
      if (request !== undefined) toWorker.postMessage({ wanted: [...wanted], cgroup: request.cgroup });
      for (;;) {
        const from = Atomics.add(control, 0, CHUNK);
        if (from >= pids.length) break;
        const before = pairs.length;
        scanFdRange(shared, from, Math.min(from + CHUNK, pids.length), wanted, pairs, counts);
        if (request !== undefined) readOwnerDetails(pairs, before, wanted, request.cgroup, details);
      }
      if (Atomics.load(control, 1) === 0) {
        // The worker has not begun; it can no longer claim anything. Do not wait for it.
        stopWorker();
        return { owners: groupPairs(pairs, wanted), counts, details };
      }
      const result = await done;
      toWorker.close();
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
        for (const [pid, info] of result.details) details.set(pid, info);
      }
      return { owners: groupPairs(pairs, wanted), counts, details };
    },
  };
}

/** The whole scan on the calling thread, once the wanted inodes are known. */
function scanOnThisThread(pids: readonly number[]): FdScan {
  return {
    async finish(wanted) {
      const pairs: number[] = [];
      const counts: FdScanCounts = { scanned: 0, hidden: 0, vanished: 0 };
      if (wanted.size > 0) scanFdRange(pids, 0, pids.length, wanted, pairs, counts);
      // One thread: the caller reads the owners' details as it needs them.
      return { owners: groupPairs(pairs, wanted), counts, details: new Map() };
    },
  };
}

function groupPairs(pairs: readonly number[], wanted: ReadonlySet<number>): Map<number, number[]> {
  const owners = new Map<number, number[]>();
  for (let i = 0; i < pairs.length; i += 2) {
    const inode = pairs[i]!;
    if (!wanted.has(inode)) continue;
    const pid = pairs[i + 1]!;
    const list = owners.get(inode);
    if (list === undefined) owners.set(inode, [pid]);
    else if (!list.includes(pid)) list.push(pid);
  }
  for (const list of owners.values()) list.sort((a, b) => a - b);
  return owners;
}
