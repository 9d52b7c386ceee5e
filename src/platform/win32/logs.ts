import type { LogOwner } from '../../logs/types.js';
import { readFileTail } from '../common/file-tail.js';
import type { LogRead, LogReadOptions } from '../types.js';

/**
 * Logs on Windows: there is no journal that holds a program's output, and a process's stdout is
 * not a file portdoctor can open (as /proc/<pid>/fd/1 is on Linux). What works is the file the
 * user names (`--log FILE`), read from this machine's disk on a replay too (a log attached to
 * the bug report). The rest is said, not skipped.
 *
 * @example
 * const reads = await readWin32Logs({ pid: 4242, logFile: 'C:\\app\\server.log' });
 */
export async function readWin32Logs(owner: LogOwner, options: LogReadOptions = {}): Promise<LogRead[]> {
  const reads: LogRead[] = [];
  if (owner.pid !== undefined) {
    reads.push({
      source: `pid ${owner.pid}`,
      read: { ok: false, reason: "Windows keeps no copy of a process's output that portdoctor can read", hint: "Pass the server's log file with --log FILE, or start it with its output redirected to a file." },
    });
  }
  if (owner.unit !== undefined) reads.push({ source: owner.unit, read: { ok: false, reason: 'service logs on Windows are in the Event Log, which portdoctor does not read', hint: "Look in Event Viewer › Windows Logs › Application, or 'Get-WinEvent -LogName Application -MaxEvents 50'." } });
  if (owner.container !== undefined) reads.push({ source: owner.container, read: { ok: false, reason: 'container logs are not read on Windows', hint: `Run 'docker logs --tail 200 ${owner.container}'.` } });
  if (owner.logFile !== undefined) reads.push({ source: owner.logFile, read: await readFileTail(owner.logFile, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }) });
  return reads;
}
