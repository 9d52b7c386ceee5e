import type { Socket } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { HolderVerdict, KillContext, PlannedHolder, ProcessControl, SignalOutcome } from '../types.js';
import { parseNetstat } from './netstat.js';
import { lookUpProcesses, type Win32ProcessFacts } from './process-details.js';
import { consoleText, NETSTAT_ANO, runSource, type CodePageRead } from './sources.js';
import { parseTasklistCsv } from './tasklist.js';

/**
 * Stopping a process on Windows. There is no SIGTERM: `taskkill /PID N` asks the program to close
 * (a window message; console programs usually cannot receive it), `taskkill /F /PID N` ends it at
 * once — and Node's process.kill is always the latter. So the first step is taskkill without /F,
 * and /F comes only after the grace period, when the user confirms or passed --yes (kill.ts asks).
 * A process is named by its pid and its creation date (Win32_Process.CreationDate): both are
 * checked again just before each signal, with netstat showing that it still holds the socket.
 */

/** A holder's identity: its creation date, which a reused pid does not share. */
const identityOf = (facts: Win32ProcessFacts): string | null => (facts.creationDate === null ? null : `created:${facts.creationDate}`);

const SYSTEM_PID = 4;
/** Parent chains are short; a longer one is a loop through reused pids. */
const MAX_ANCESTORS = 64;

/**
 * Our parent, its parent, … from Win32_Process. A parent created after its child is not the
 * parent any more (Windows reuses the pids of exited parents), so the chain stops there.
 */
function ancestorChain(selfPid: number, processes: ReadonlyMap<number, Win32ProcessFacts>): number[] {
  const chain: number[] = [];
  let child = processes.get(selfPid);
  while (child !== undefined && child.ppid !== null && child.ppid !== 0 && chain.length < MAX_ANCESTORS) {
    const parent = processes.get(child.ppid);
    if (parent === undefined || chain.includes(parent.pid)) break;
    if (parent.creationDate !== null && child.creationDate !== null && parent.creationDate > child.creationDate) break;
    chain.push(parent.pid);
    child = parent;
  }
  return chain;
}

/** Why a holder is never signalled, or null. */
function protectionOf(pid: number, facts: Win32ProcessFacts | undefined): string | null {
  if (pid === SYSTEM_PID) return 'System (pid 4) is the Windows kernel; the ports it holds belong to HTTP.sys or SMB, and it can never be stopped';
  if (facts === undefined) return null;
  const services = facts.services;
  if (/^svchost(\.exe)?$/i.test(facts.name)) {
    if (services === null) return 'svchost runs Windows services, and which ones could not be read: stopping it could stop several of them';
    if (services.length > 1) return `svchost hosts ${services.length} services (${services.join(', ')}): stopping it would stop all of them; stop the one that holds the port with 'Stop-Service NAME' (elevated)`;
  }
  if (facts.creationDate === null) return `its creation time could not be read (PowerShell did not answer), so it cannot be re-checked just before a signal; stop it yourself: 'taskkill /PID ${pid}'`;
  return null;
}

export interface Win32ControlContext {
  readonly reader: SourceReader;
  readonly codePage: () => Promise<CodePageRead>;
}

/**
 * Identities, protections and our ancestry for the holders of `sockets`, from one look at every
 * process (a replay: the snapshot's).
 */
async function killContext(ctx: Win32ControlContext, sockets: readonly Socket[]): Promise<KillContext> {
  const pids = [...new Set(sockets.flatMap((s) => s.processes.map((p) => p.pid)))];
  const live = !ctx.reader.replaying;
  // Every process: the ancestry needs parents that hold no socket.
  const { processes } = await lookUpProcesses(ctx.reader, null, ctx.codePage);
  const identities = new Map<number, string | null>();
  const startTicks = new Map<number, number | null>();
  const protectedPids = new Map<number, string>();
  for (const pid of pids) {
    const facts = processes.get(pid);
    identities.set(pid, facts === undefined ? null : identityOf(facts));
    startTicks.set(pid, null);
    const why = protectionOf(pid, facts);
    if (why !== null) protectedPids.set(pid, why);
  }
  const selfPid = live ? process.pid : -1;
  return { identities, startTicks, selfPid, ancestors: live ? ancestorChain(selfPid, processes) : [], userManagerPids: new Set(), protectedPids };
}

const sameAddress = (row: { address: string; zone: string | null }, address: string): boolean => (row.zone === null ? row.address : `${row.address}%${row.zone}`) === address;

/** Does `pid` still hold one of the planned listening sockets? (netstat -ano, read now.) */
async function stillHolds(ctx: Win32ControlContext, holder: PlannedHolder): Promise<boolean | null> {
  const run = await runSource(ctx.reader, 'netstat-ano', NETSTAT_ANO, { timeoutMs: 10_000 });
  if (!run.ok) return null;
  const { rows } = parseNetstat(consoleText(run, await ctx.codePage()).text);
  return rows.some(
    (row) =>
      row.pid === holder.pid &&
      (row.state === 'LISTEN' || (row.protocol === 'udp' && row.state === 'UNCONN')) &&
      holder.sockets.some((s) => s.protocol === row.protocol && s.port === row.port && sameAddress(row, s.address)),
  );
}

/** Is there a process with this pid at all? (tasklist /FI "PID eq N": cheaper than PowerShell.) */
async function exists(ctx: Win32ControlContext, pid: number): Promise<boolean | null> {
  const run = await ctx.reader.run('tasklist-pid', 'tasklist', ['/FI', `PID eq ${pid}`, '/FO', 'CSV', '/NH'], { timeoutMs: 5000 });
  if (!run.ok) return null;
  // With no match tasklist prints a localised "INFO: No tasks …" line, which the parser skips.
  return parseTasklistCsv(consoleText(run, await ctx.codePage()).text).processes.some((p) => p.pid === pid);
}

async function verify(ctx: Win32ControlContext, holder: PlannedHolder): Promise<HolderVerdict> {
  if (ctx.reader.replaying) return 'gone';
  const holding = await stillHolds(ctx, holder);
  if (holding === false) return (await exists(ctx, holder.pid)) === false ? 'gone' : 'released';
  const { processes } = await lookUpProcesses(ctx.reader, [holder.pid], ctx.codePage);
  const facts = processes.get(holder.pid);
  if (facts === undefined) return 'gone';
  // Not provably the process we planned for (another creation time, or none could be read, or
  // netstat did not answer): treated as a stranger, never signalled.
  if (holding === null || identityOf(facts) !== holder.identity) return 'reused';
  return 'same';
}

/**
 * taskkill's exit codes: 0 done, 128 no such process; 1 for everything else, in a localised
 * message ("Access is denied", or "can only be terminated forcefully"), so 1 is read by what was
 * asked: refused with /F means no permission; refused without /F means the program would not
 * close on request, and the process is still running — kill.ts then waits and asks about /F.
 */
async function signal(ctx: Win32ControlContext, pid: number, signalName: NodeJS.Signals): Promise<SignalOutcome> {
  if (ctx.reader.replaying) return 'gone';
  const forceful = signalName === 'SIGKILL';
  const run = await ctx.reader.run('taskkill', 'taskkill', [...(forceful ? ['/F'] : []), '/PID', String(pid)], { timeoutMs: 10_000 });
  if (run.ok) return 'sent';
  if (run.exitCode === 128) return 'gone';
  return forceful ? 'permission-denied' : 'sent';
}

/**
 * The Windows ProcessControl over a reader (live: this machine; replay: the snapshot, which
 * plans and never signals).
 *
 * @example
 * const control = win32ProcessControl({ reader: liveReader(), codePage });
 * control.forcefulOnly; // true
 */
export function win32ProcessControl(ctx: Win32ControlContext): ProcessControl {
  return {
    forcefulOnly: true,
    context: (sockets) => killContext(ctx, sockets),
    verify: (holder) => verify(ctx, holder),
    signal: (pid, signalName) => signal(ctx, pid, signalName),
  };
}
