import type { SourceReader, CommandRun } from '../snapshot/reader.js';
import type { SocketQuery, UnreadSource } from '../types.js';
import { parseDockerPs, type DockerContainer } from './docker-ps.js';
import type { InventoryInput, NetstatTable } from './inventory.js';
import { parseLaunchctlList } from './launchctl.js';
import { parseLsof, type LsofProcess, type LsofResult } from './lsof.js';
import { parseNetstat } from './netstat.js';
import { ProcessDirectory } from './process-directory.js';
import { parsePsLine, psHeaderColumns, PS_COLUMNS, type PsColumn, type PsProcess } from './ps.js';
import { parsePsState } from './ps-state.js';
import { DARWIN_COMMANDS, type CommandSpec } from './sources.js';
import { parseUtcOffset } from './tz.js';

/** Why a command gave nothing usable, in words. */
export function failureOf(run: CommandRun): string {
  if (run.failure === 'not-recorded') return 'not in the snapshot';
  if (run.failure === 'missing') return 'the command is not installed';
  if (run.failure === 'timeout') return 'it did not finish in time';
  if (run.failure === 'denied') return 'permission denied';
  const said = run.stderr.trim().split('\n')[0] ?? '';
  return `it exited with ${run.exitCode ?? 'a signal'}${said === '' ? '' : ` (${said})`}`;
}

export function runSpec(reader: SourceReader, spec: CommandSpec, timeoutMs = 10_000): Promise<CommandRun> {
  return reader.run(spec.key, spec.command, spec.args, { timeoutMs });
}

/** netstat and lsof say nothing on stdout when there is nothing; lsof then exits 1. */
function usable(run: CommandRun): boolean {
  return run.ok || (run.failure === 'exit' && (run.stdout !== '' || run.stderr.trim() === ''));
}

async function readNetstat(reader: SourceReader, protocol: 'tcp' | 'udp', unread: UnreadSource[], names: Map<number, string>): Promise<NetstatTable> {
  const spec = protocol === 'tcp' ? DARWIN_COMMANDS.netstatTcp : DARWIN_COMMANDS.netstatUdp;
  const run = await runSpec(reader, spec);
  const what = protocol.toUpperCase();
  if (!usable(run)) {
    unread.push({ source: spec.key, reason: failureOf(run), effect: `${what} sockets that lsof does not show (other users' without root) are missing from the answer` });
    return { protocol, rows: null };
  }
  // The width of each row says whether -l was given: replayed recordings come with and without it.
  const parsed = parseNetstat(run.stdout);
  if (parsed.layout === null && parsed.rows.length > 0) {
    unread.push({
      source: spec.key,
      reason: `netstat's columns are not a layout portdoctor knows (${parsed.problems.find((p) => /header|pid/.test(p)) ?? parsed.problems[0] ?? 'no header'})`,
      effect: `no pid is taken from netstat: ${what} sockets get their holders from lsof only. Please attach 'portdoctor snapshot --redact' to an issue so the layout can be learned`,
    });
  }
  for (let i = 0; i < parsed.rows.length; i++) {
    const row = parsed.rows[i]!;
    if (row.pid !== null && row.processName !== null && !names.has(row.pid)) names.set(row.pid, row.processName);
  }
  return { protocol, rows: parsed.rows };
}

async function readLsof(reader: SourceReader, unread: UnreadSource[]): Promise<LsofResult | null> {
  const run = await runSpec(reader, DARWIN_COMMANDS.lsof, 20_000);
  if (!usable(run)) {
    unread.push({ source: DARWIN_COMMANDS.lsof.key, reason: failureOf(run), effect: 'each socket shows only the last process that used it (netstat): other processes sharing it (pre-forked workers, inherited sockets) are missing' });
    return null;
  }
  return parseLsof(run.stdout);
}

/**
 * ps's lines by pid, each parsed when first asked for: a Mac runs many hundreds of processes,
 * and a listing needs the few that hold sockets.
 */
export class PsTable {
  private readonly lines = new Map<number, string>();
  private readonly parsed = new Map<number, PsProcess | null>();
  private readonly columns: readonly PsColumn[];

  constructor(text: string) {
    const all = text.split('\n');
    // `ps -o …` without `=` prints a header (recorded snapshots have both forms): it names the columns.
    const first = all[0] ?? '';
    this.columns = (/^\s*PID\b/.test(first) ? psHeaderColumns(first) : null) ?? PS_COLUMNS;
    for (let i = 0; i < all.length; i++) {
      const line = all[i]!;
      const pid = /^\s*(\d+)\s/.exec(line)?.[1];
      if (pid !== undefined) this.lines.set(Number(pid), line);
    }
  }

  has(pid: number): boolean {
    return this.lines.has(pid);
  }

  /** Every pid ps listed. */
  pids(): IterableIterator<number> {
    return this.lines.keys();
  }

  get(pid: number): PsProcess | undefined {
    let process = this.parsed.get(pid);
    if (process === undefined) {
      const line = this.lines.get(pid);
      process = line === undefined ? null : parsePsLine(line, this.columns);
      this.parsed.set(pid, process);
    }
    return process ?? undefined;
  }
}

async function readPs(reader: SourceReader, unread: UnreadSource[]): Promise<PsTable | null> {
  const run = await runSpec(reader, DARWIN_COMMANDS.ps);
  if (!run.ok) {
    unread.push({ source: DARWIN_COMMANDS.ps.key, reason: failureOf(run), effect: 'processes have no command line, parent, user or start time' });
    return null;
  }
  return new PsTable(run.stdout);
}

async function readOptional<T>(reader: SourceReader, spec: CommandSpec, parse: (text: string) => T, unread: UnreadSource[], effect: string | null): Promise<T | null> {
  const run = await runSpec(reader, spec);
  if (run.ok) return parse(run.stdout);
  if (effect !== null) unread.push({ source: spec.key, reason: failureOf(run), effect });
  return null;
}

/**
 * Docker Desktop's containers, only asked when a Docker process holds a socket: `docker ps` is
 * slow to start, and most listings have nothing to do with Docker.
 */
async function readContainers(reader: SourceReader, lsof: LsofResult | null, names: ReadonlyMap<number, string>): Promise<DockerContainer[] | null> {
  const docker = /^(com\.docker\.|vpnkit)/;
  const involved = (lsof?.processes ?? []).some((p: LsofProcess) => docker.test(p.command)) || [...names.values()].some((n) => docker.test(n));
  if (!involved && !reader.replaying) return null;
  const run = await runSpec(reader, DARWIN_COMMANDS.dockerPs);
  return run.ok ? [...parseDockerPs(run.stdout).containers] : null;
}

/** What describes processes besides lsof: ps, their states, the time zone, launchd's jobs. */
async function readProcessTables(reader: SourceReader, unread: UnreadSource[]) {
  return Promise.all([
    readPs(reader, unread),
    readOptional(reader, DARWIN_COMMANDS.psState, parsePsState, unread, 'process states are unknown (a stopped server is not recognised)'),
    readOptional(reader, DARWIN_COMMANDS.tz, parseUtcOffset, unread, 'start times are unknown (ps prints local time without a zone)'),
    readOptional(reader, DARWIN_COMMANDS.launchctl, parseLaunchctlList, [], null),
  ]);
}

/**
 * One process as ps describes it (no lsof: its name comes from its command line), or null when
 * ps does not list it.
 */
export async function readOneProcess(reader: SourceReader, pid: number): Promise<ProcessDirectory | null> {
  const [ps, states, utcOffset, launchd] = await readProcessTables(reader, []);
  if (ps?.has(pid) !== true) return null;
  return new ProcessDirectory({ ps, lsof: new Map(), netstatNames: new Map(), states, utcOffsetMinutes: utcOffset, launchdJobs: launchd, containers: null });
}

/**
 * The `lstart` ps gives a pid (its identity for `kill`): null when ps does not list it (it has
 * exited), undefined when ps could not be read at all.
 */
export async function readLstart(reader: SourceReader, pid: number): Promise<string | null | undefined> {
  const ps = await readPs(reader, []);
  return ps === null ? undefined : (ps.get(pid)?.lstart ?? null);
}

/**
 * Reads (live or from a snapshot) what the socket inventory needs, in parallel, and parses it.
 * Only the tables the query asks for are read; without processes, neither lsof nor ps runs.
 */
export async function readInventoryInput(reader: SourceReader, query: SocketQuery, privileged: boolean): Promise<InventoryInput> {
  const unread: UnreadSource[] = [];
  const protocols = query.protocols ?? ['tcp', 'udp'];
  const withProcesses = query.withProcesses !== false;
  const names = new Map<number, string>();
  const [tables, lsof, [ps, states, utcOffset, launchd]] = await Promise.all([
    Promise.all((['tcp', 'udp'] as const).filter((p) => protocols.includes(p)).map((p) => readNetstat(reader, p, unread, names))),
    withProcesses ? readLsof(reader, unread) : Promise.resolve(null),
    withProcesses ? readProcessTables(reader, unread) : Promise.resolve([null, null, null, null] as const),
  ]);
  const containers = withProcesses ? await readContainers(reader, lsof, names) : null;
  const processes = new ProcessDirectory({
    ps,
    lsof: new Map((lsof?.processes ?? []).map((p) => [p.pid, p])),
    netstatNames: names,
    states,
    utcOffsetMinutes: utcOffset,
    launchdJobs: launchd,
    containers,
  });
  return { netstat: tables, lsof, processes, privileged, unread };
}
