import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { readOwnerDetails, scanFdRange, type FdScanCounts } from './fd-scan-core.js';
import type { ProcessDetails } from './process.js';

/**
 * The second thread of the fd scan. It shares the pid list and a chunk counter with the main
 * thread and claims chunks until none are left, then posts its (inode, pid) pairs back.
 * Once the main thread has parsed the socket tables it sends the wanted inodes on `port`; from
 * then on this thread also reads the details of the owners it finds. See fd-scan.ts.
 */
interface WorkerInput {
  readonly pids: Int32Array;
  readonly control: Int32Array; // [0] next index to claim, [1] worker has tried to claim
  readonly chunk: number;
  readonly port: MessagePort;
}

interface WantedMessage {
  readonly wanted: number[];
  readonly cgroup: boolean;
}

const input = workerData as WorkerInput;
const pairs: number[] = [];
const counts: FdScanCounts = { scanned: 0, hidden: 0, vanished: 0 };
const details = new Map<number, ProcessDetails | null>();
let wanted: ReadonlySet<number> | null = null;
let cgroup = false;
const total = input.pids.length;
Atomics.store(input.control, 1, 1);
for (;;) {
  const from = Atomics.add(input.control, 0, input.chunk);
  if (from >= total) break;
  if (wanted === null) {
    // Polled between chunks: this thread never returns to its event loop until it is done.
    const received = receiveMessageOnPort(input.port) as { message: WantedMessage } | undefined;
    if (received !== undefined) {
      wanted = new Set(received.message.wanted);
      cgroup = received.message.cgroup;
    }
  }
  const before = pairs.length;
  // Until the wanted inodes arrive, every socket is recorded; from then on only the wanted ones.
  scanFdRange(input.pids, from, Math.min(from + input.chunk, total), wanted, pairs, counts);
  if (wanted !== null) readOwnerDetails(pairs, before, wanted, cgroup, details);
}
input.port.close();
parentPort?.postMessage({ pairs, counts, details: [...details] });
