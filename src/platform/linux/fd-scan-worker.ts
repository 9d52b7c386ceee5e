import { parentPort, workerData } from 'node:worker_threads';
import { scanFdRange, type FdScanCounts } from './fd-scan-core.js';

/**
 * The second thread of the fd scan. It shares the pid list and a chunk counter with the main
 * thread and claims chunks until none are left, then posts its (inode, pid) pairs back.
 * See fd-scan.ts for the claim protocol.
 */
interface WorkerInput {
  readonly pids: Int32Array;
  readonly control: Int32Array; // [0] next index to claim, [1] worker has tried to claim
  readonly wanted: number[] | null;
  readonly chunk: number;
}

const input = workerData as WorkerInput;
const wanted = input.wanted === null ? null : new Set(input.wanted);
const pairs: number[] = [];
const counts: FdScanCounts = { scanned: 0, hidden: 0, vanished: 0 };
const total = input.pids.length;
Atomics.store(input.control, 1, 1);
for (;;) {
  const from = Atomics.add(input.control, 0, input.chunk);
  if (from >= total) break;
  scanFdRange(input.pids, from, Math.min(from + input.chunk, total), wanted, pairs, counts);
}
parentPort?.postMessage({ pairs, counts });
