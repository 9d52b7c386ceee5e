import type { ProcessInfo } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { UnreadSource } from '../types.js';
import { parsePowerShellProcesses, powershellProcessesScript, type Win32Process, type Win32Service } from './powershell.js';
import { consoleText, failureText, powershellCommand, runSource, TASKLIST, type CodePageRead } from './sources.js';
import { parseTasklistCsv } from './tasklist.js';

/**
 * Who the pids are: the details `who` and `ls` show, from the richer source that answers.
 * PowerShell (Win32_Process: parent, command line, executable, creation date; Win32_Service: the
 * services each process hosts), restricted to the pids asked for; when PowerShell is missing,
 * slow or not in the snapshot, `tasklist /FO CSV /NH` (names only). What neither source knows is
 * said in `unread`.
 */

/** PowerShell starts in hundreds of milliseconds, WMI adds more on a busy machine; past this, tasklist answers. */
export const POWERSHELL_TIMEOUT_MS = 8000;

/** What is known about one pid. */
export interface Win32ProcessFacts {
  readonly pid: number;
  readonly ppid: number | null;
  readonly name: string;
  readonly commandLine: string | null;
  readonly executablePath: string | null;
  /** ISO 8601, or null when unknown: with the pid, the process's identity before a signal. */
  readonly creationDate: string | null;
  /** The Windows services it hosts; null when unknown (tasklist does not say). */
  readonly services: readonly string[] | null;
}

export interface ProcessLookup {
  /** The pids found (a pid that is missing has exited, or the source could not see it). */
  readonly processes: ReadonlyMap<number, Win32ProcessFacts>;
  /** Where the details came from. */
  readonly source: 'powershell' | 'tasklist' | null;
  readonly unread: readonly UnreadSource[];
}

/** The snapshot key of the processes script. */
export const POWERSHELL_PROCESSES_KEY = 'powershell-processes';

function fromPowerShell(processes: readonly Win32Process[], services: readonly Win32Service[]): Map<number, Win32ProcessFacts> {
  const hosted = new Map<number, string[]>();
  for (const service of services) hosted.set(service.pid, [...(hosted.get(service.pid) ?? []), service.name]);
  const result = new Map<number, Win32ProcessFacts>();
  for (const p of processes) {
    result.set(p.pid, { pid: p.pid, ppid: p.ppid, name: p.name, commandLine: p.commandLine, executablePath: p.executablePath, creationDate: p.creationDate, services: (hosted.get(p.pid) ?? []).sort() });
  }
  return result;
}

/**
 * Details of `pids` (all processes when `pids` is null), PowerShell first, tasklist as fallback.
 *
 * @example
 * const { processes } = await lookUpProcesses(reader, [4242], codePage);
 * processes.get(4242)?.commandLine;
 */
export async function lookUpProcesses(reader: SourceReader, pids: readonly number[] | null, codePage: () => Promise<CodePageRead>): Promise<ProcessLookup> {
  const wanted = pids === null ? null : new Set(pids);
  const keep = <T extends { pid: number }>(items: readonly T[]): T[] => (wanted === null ? [...items] : items.filter((item) => wanted.has(item.pid)));
  const unread: UnreadSource[] = [];

  const script = powershellCommand(powershellProcessesScript(pids ?? []));
  const ps = await runSource(reader, POWERSHELL_PROCESSES_KEY, script, { timeoutMs: POWERSHELL_TIMEOUT_MS });
  if (ps.ok) {
    // The script forces UTF-8 output; a BOM (PowerShell 7 on some hosts) is dropped by the parser.
    const parsed = parsePowerShellProcesses(ps.bytes.toString('utf8'));
    if (parsed.ok) {
      if (parsed.value.problems.length > 0) {
        unread.push({ source: POWERSHELL_PROCESSES_KEY, reason: `${parsed.value.problems.length} item(s) could not be read (${parsed.value.problems[0]})`, effect: 'those processes are shown without details' });
      }
      return { processes: fromPowerShell(keep(parsed.value.processes), keep(parsed.value.services)), source: 'powershell', unread };
    }
    unread.push({ source: POWERSHELL_PROCESSES_KEY, reason: parsed.reason, effect: 'command lines, parents, start times and services are missing' });
  } else {
    unread.push({ source: POWERSHELL_PROCESSES_KEY, reason: failureText(ps), effect: 'command lines, parents, start times and services are missing' });
  }

  const tasklist = await runSource(reader, 'tasklist', TASKLIST, { timeoutMs: 5000 });
  if (!tasklist.ok) {
    unread.push({ source: 'tasklist', reason: failureText(tasklist), effect: 'process names are missing; sockets show only their pid' });
    return { processes: new Map(), source: null, unread };
  }
  const decoded = consoleText(tasklist, await codePage());
  const parsed = parseTasklistCsv(decoded.text);
  if (parsed.problems.length > 0) unread.push({ source: 'tasklist', reason: `${parsed.problems.length} line(s) could not be read (${parsed.problems[0]})`, effect: 'those processes are shown without a name' });
  if (decoded.doubt !== null) unread.push({ source: 'chcp', reason: decoded.doubt, effect: 'non-ASCII process names may be misspelt' });
  const processes = new Map<number, Win32ProcessFacts>();
  for (const p of keep(parsed.processes)) processes.set(p.pid, { pid: p.pid, ppid: null, name: p.name, commandLine: null, executablePath: null, creationDate: null, services: null });
  return { processes, source: 'tasklist', unread };
}

/**
 * A pid as a ProcessInfo: what is known, and '?' / -1 / null for the rest. A pid the sources did
 * not find still appears (name '?'): netstat named it as the owner, and that is a fact.
 *
 * @example
 * toProcessInfo(4242, lookup.processes.get(4242)).name; // 'node.exe'
 */
export function toProcessInfo(pid: number, facts: Win32ProcessFacts | undefined): ProcessInfo {
  const name = facts?.name ?? '?';
  return {
    pid,
    ppid: facts?.ppid ?? -1,
    name,
    // Without a readable command line (another user's process, or tasklist only), the image name.
    command: facts?.commandLine ?? name,
    user: '?',
    uid: -1,
    state: '?',
    startedAt: facts?.creationDate ?? null,
    container: null,
    details: { os: 'win32', executable: facts?.executablePath ?? null, ...(facts?.services === null || facts?.services === undefined ? {} : { services: facts.services }) },
  };
}
