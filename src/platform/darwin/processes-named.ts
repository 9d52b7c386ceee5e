import type { Collected } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { NamedProcess, NamedProcesses } from '../types.js';
import { failureOf, PsTable, runSpec } from './read-sources.js';
import { DARWIN_COMMANDS } from './sources.js';

/**
 * The processes whose program (the first word of ps's `args`, without its directory) is one of
 * `names`, from the `ps -axww` listing the inventory reads anyway (live or recorded): it covers
 * every process. ps prints the command line as one string, so the arguments are split at spaces
 * (`argvExact: false`): an argument that holds a space reads as two. A program whose path holds a
 * space is not matched. macOS has no network namespaces: `sameNetns` is null.
 *
 * @example
 * await darwinProcessesNamed(reader, ['ssh']); // { ok: true, value: { processes: [{ pid: 812, name: 'ssh', argv: ['ssh', '-N', '-L', '8080:db:5432', 'bastion'], argvExact: false, … }] } }
 */
export async function darwinProcessesNamed(reader: SourceReader, names: readonly string[]): Promise<Collected<NamedProcesses>> {
  const run = await runSpec(reader, DARWIN_COMMANDS.ps);
  if (!run.ok) return { ok: false, reason: `ps could not be read: ${failureOf(run)}`, hint: "Run 'ps -axww -o pid,args' and look for the program." };
  const table = new PsTable(run.stdout);
  const wanted = new Set(names);
  const processes: NamedProcess[] = [];
  let examined = 0;
  let unparsed = 0;
  for (const pid of table.pids()) {
    examined++;
    const row = table.get(pid);
    if (row === undefined) {
      unparsed++;
      continue;
    }
    const argv = row.command.split(' ').filter((word) => word !== '');
    const program = argv[0] ?? '';
    const name = program.slice(program.lastIndexOf('/') + 1);
    if (wanted.has(name)) processes.push({ pid, name, argv, argvExact: false, sameNetns: null });
  }
  return { ok: true, value: { processes, examined, partial: unparsed === 0 ? null : `${unparsed} line${unparsed === 1 ? '' : 's'} of ps not read` } };
}
