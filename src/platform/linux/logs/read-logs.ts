import type { LogOwner } from '../../../logs/types.js';
import { readFileTail } from '../../common/file-tail.js';
import type { LogRead, LogReadOptions } from '../../types.js';
import { readDockerLogs } from './docker.js';
import { readJournal } from './journal.js';
import { readProcessOutput } from './proc-output.js';

/**
 * The log sources of a port's owner on Linux — its journal (unit), `docker logs` (container), its
 * stdout/stderr files (pid) and an explicit log file — read in parallel and bounded. Every source
 * tried is returned with whether it was read and why not; nothing here throws.
 */
export async function readLinuxLogs(owner: LogOwner, options: LogReadOptions = {}): Promise<LogRead[]> {
  const tail = options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes };
  const tool = { ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries, tail: options.maxEntries }), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
  const reads: Promise<LogRead[]>[] = [];
  if (owner.unit !== undefined) reads.push(readJournal(owner.unit, tool).then((read) => [{ source: owner.unit ?? '', read }]));
  if (owner.container !== undefined) reads.push(readDockerLogs(owner.container, tool).then((read) => [{ source: owner.container ?? '', read }]));
  if (owner.pid !== undefined) reads.push(readProcessOutput(owner.pid, tail));
  if (owner.logFile !== undefined) reads.push(readFileTail(owner.logFile, tail).then((read) => [{ source: owner.logFile ?? '', read }]));
  return (await Promise.all(reads)).flat();
}
