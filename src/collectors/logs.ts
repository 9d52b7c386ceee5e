import { platform } from '../platform/index.js';
import type { LogReadOptions } from '../platform/types.js';
import { selectLogLines, type SelectOptions } from '../logs/select.js';
import type { LogOwner, LogReport, LogSource, RawLogLine } from '../logs/types.js';

export interface CollectLogsOptions extends SelectOptions, LogReadOptions {}

/**
 * Reads the logs of a port's owner — on Linux its journal (unit), `docker logs` (container), its
 * stdout/stderr files (pid) and an explicit log file — in parallel and bounded, and keeps the
 * relevant lines. Every source tried is listed with whether it was read and why not; nothing
 * here throws for an unreadable source.
 *
 * @example
 * const report = await collectLogs({ pid: 4242, unit: 'web.service' });
 * const finding = logErrorsFinding(report); // null when nothing relevant
 */
export async function collectLogs(owner: LogOwner, options: CollectLogsOptions = {}): Promise<LogReport> {
  const results = await (await platform()).readLogs(owner, options);
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
