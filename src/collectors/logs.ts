import type { Collected } from '../types.js';
import { selectLogLines, type SelectOptions } from '../logs/select.js';
import type { LogOwner, LogReport, LogSource, RawLogLine } from '../logs/types.js';
import { readDockerLogs } from '../platform/linux/logs/docker.js';
import { readFileTail } from '../platform/linux/logs/file-tail.js';
import { readJournal } from '../platform/linux/logs/journal.js';
import { readProcessOutput } from '../platform/linux/logs/proc-output.js';

export interface CollectLogsOptions extends SelectOptions {
  /** Bytes read from the end of each file (default 256 KiB). */
  readonly maxBytes?: number;
  /** Journal entries / docker lines read (default 500). */
  readonly maxEntries?: number;
  /** Per-tool time limit (default 5 s). */
  readonly timeoutMs?: number;
}

/**
 * Reads the logs of a port's owner — its journal (unit), `docker logs` (container), its
 * stdout/stderr files (pid) and an explicit log file — in parallel and bounded, and keeps the
 * relevant lines. Every source tried is listed with whether it was read and why not; nothing
 * here throws for an unreadable source.
 *
 * @example
 * const report = await collectLogs({ pid: 4242, unit: 'web.service' });
 * const finding = logErrorsFinding(report); // null when nothing relevant
 */
export async function collectLogs(owner: LogOwner, options: CollectLogsOptions = {}): Promise<LogReport> {
  const tail = options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes };
  const tool = { ...(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries, tail: options.maxEntries }), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
  const reads: Promise<{ source: string; read: Collected<RawLogLine[]> }[]>[] = [];
  if (owner.unit !== undefined) reads.push(readJournal(owner.unit, tool).then((read) => [{ source: owner.unit ?? '', read }]));
  if (owner.container !== undefined) reads.push(readDockerLogs(owner.container, tool).then((read) => [{ source: owner.container ?? '', read }]));
  if (owner.pid !== undefined) reads.push(readProcessOutput(owner.pid, tail));
  if (owner.logFile !== undefined) reads.push(readFileTail(owner.logFile, tail).then((read) => [{ source: owner.logFile ?? '', read }]));
  const results = (await Promise.all(reads)).flat();
  const sources: LogSource[] = [];
  const raw: RawLogLine[] = [];
  const seenFiles = new Set<string>();
  for (const { source, read } of results) {
    if (read.ok && seenFiles.has(source)) continue; // --log FILE that is also the process's stdout
    if (read.ok) {
      seenFiles.add(source);
      raw.push(...read.value);
      sources.push({ source, read: true, reason: `${read.value.length} line${read.value.length === 1 ? '' : 's'} read` });
    } else {
      sources.push({ source, read: false, reason: read.reason });
    }
  }
  return { lines: selectLogLines(raw, options), sources };
}
