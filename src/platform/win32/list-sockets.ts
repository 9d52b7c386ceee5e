import type { ProcessInfo, Socket } from '../../types.js';
import { compareSockets } from '../common/socket-order.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { SocketInventory, SocketQuery, UnreadSource } from '../types.js';
import { parseNetstat, resolveBoundRows } from './netstat.js';
import { readPortProxies, withPortProxies } from './port-proxies.js';
import { parsePowerShellSockets, powershellSocketsScript } from './powershell.js';
import { lookUpProcesses, POWERSHELL_TIMEOUT_MS, toProcessInfo, type ProcessLookup } from './process-details.js';
import type { Win32SocketRow } from './socket-row.js';
import { consoleText, failureText, NETSTAT_ANO, NETSTAT_ANOQ, powershellCommand, runSource, type CodePageRead } from './sources.js';

/**
 * The Windows socket inventory. netstat -ano first: one cheap program with every socket and its
 * owning pid (Windows shows every pid to every user). The rows are filtered by the query, and
 * only then are the owners looked up (process-details.ts), so `who 3000` asks about a handful
 * of pids. Without netstat, PowerShell's Get-NetTCPConnection / Get-NetUDPEndpoint gives the
 * sockets and their owners in one call. Ports are compared as numbers: 3000 never matches 30001.
 */

export interface Win32ListContext {
  readonly reader: SourceReader;
  readonly codePage: () => Promise<CodePageRead>;
  readonly elevated: boolean;
}

/** The owners' pid for a row: 0 is the System Idle Process, which netstat names for TIME_WAIT rows that no process holds. */
const ownerPid = (row: Win32SocketRow): number | null => (row.pid === 0 ? null : row.pid);

function portFilter(query: SocketQuery): (port: number) => boolean {
  const ports = query.ports;
  if (ports === undefined) return () => true;
  if ('from' in ports) return (port) => port >= ports.from && port <= ports.to;
  const set = new Set<number>(ports as readonly number[]);
  return (port) => set.has(port);
}

/** The rows the query wants: protocol, local port, and (by default) only listeners and unconnected UDP. */
function wantedRows(rows: readonly Win32SocketRow[], query: SocketQuery): Win32SocketRow[] {
  const onPort = portFilter(query);
  const listeningOnly = (query.states ?? 'listening') === 'listening';
  return rows.filter(
    (row) =>
      (query.protocols === undefined || query.protocols.includes(row.protocol)) &&
      onPort(row.port) &&
      (!listeningOnly || row.state === 'LISTEN' || (row.protocol === 'udp' && row.state === 'UNCONN')),
  );
}

interface RowsRead {
  readonly rows: readonly Win32SocketRow[] | null;
  readonly unread: readonly UnreadSource[];
}

function problemsUnread(source: string, problems: readonly string[]): UnreadSource[] {
  return problems.length === 0 ? [] : [{ source, reason: `${problems.length} line(s) could not be read (${problems[0]})`, effect: 'the sockets on those lines are missing from the answer' }];
}

/**
 * netstat's rows. With `states: 'all'` and TCP wanted, `-anoq`, which adds bound sockets that
 * neither listen nor connect (they still block a bind); a bound row whose state word we cannot
 * read is settled against plain `-ano` (netstat.ts: resolveBoundRows).
 */
async function netstatRows(ctx: Win32ListContext, query: SocketQuery): Promise<RowsRead> {
  const unread: UnreadSource[] = [];
  const wantBound = query.states === 'all' && (query.protocols === undefined || query.protocols.includes('tcp'));
  let plain: { rows: readonly Win32SocketRow[] } | null = null;
  const readPlain = async (): Promise<readonly Win32SocketRow[] | null> => {
    if (plain !== null) return plain.rows;
    const run = await runSource(ctx.reader, 'netstat-ano', NETSTAT_ANO, { timeoutMs: 10_000 });
    if (!run.ok) {
      unread.push({ source: 'netstat-ano', reason: failureText(run), effect: 'netstat could not list the sockets' });
      return null;
    }
    const decoded = consoleText(run, await ctx.codePage());
    if (decoded.doubt !== null) unread.push({ source: 'chcp', reason: decoded.doubt, effect: 'netstat state words in another language may be misread; ports, addresses and pids are not affected' });
    const parsed = parseNetstat(decoded.text);
    unread.push(...problemsUnread('netstat-ano', parsed.problems));
    plain = { rows: parsed.rows };
    return parsed.rows;
  };
  if (!wantBound) return { rows: await readPlain(), unread };

  const run = await runSource(ctx.reader, 'netstat-anoq', NETSTAT_ANOQ, { timeoutMs: 10_000 });
  if (!run.ok) {
    unread.push({ source: 'netstat-anoq', reason: failureText(run), effect: 'TCP sockets that are bound but neither listen nor connect (they still block a bind) are not shown' });
    return { rows: await readPlain(), unread };
  }
  const decoded = consoleText(run, await ctx.codePage());
  if (decoded.doubt !== null) unread.push({ source: 'chcp', reason: decoded.doubt, effect: 'netstat state words in another language may be misread; ports, addresses and pids are not affected' });
  const parsed = parseNetstat(decoded.text, { includesBound: true });
  unread.push(...problemsUnread('netstat-anoq', parsed.problems));
  const undecided = parsed.rows.some((row) => row.protocol === 'tcp' && row.state === 'UNKNOWN' && row.remoteAddress === null);
  if (!undecided) return { rows: parsed.rows, unread };
  const listening = await readPlain();
  if (listening === null) {
    // Without the plain listing a localised row with no peer cannot be told apart: keep it UNKNOWN, never guess LISTEN.
    unread.push({ source: 'netstat-ano', reason: 'needed to tell listeners from bound sockets in localised -q output', effect: 'some TCP sockets with no peer have state UNKNOWN (listening or only bound)' });
    return { rows: parsed.rows, unread };
  }
  return { rows: resolveBoundRows(parsed.rows, listening), unread };
}

/** The fallback when netstat gives nothing: PowerShell's socket cmdlets, with their owners. */
async function powershellRows(ctx: Win32ListContext, query: SocketQuery): Promise<{ rows: Win32SocketRow[] | null; lookup: ProcessLookup | null; unread: UnreadSource[] }> {
  const ports = query.ports !== undefined && !('from' in query.ports) ? [...(query.ports as readonly number[])] : [];
  const run = await runSource(ctx.reader, 'powershell-sockets', powershellCommand(powershellSocketsScript(ports)), { timeoutMs: POWERSHELL_TIMEOUT_MS });
  if (!run.ok) return { rows: null, lookup: null, unread: [{ source: 'powershell-sockets', reason: failureText(run), effect: 'no socket source could be read: the inventory is empty' }] };
  const parsed = parsePowerShellSockets(run.bytes.toString('utf8'));
  if (!parsed.ok) return { rows: null, lookup: null, unread: [{ source: 'powershell-sockets', reason: parsed.reason, effect: 'no socket source could be read: the inventory is empty' }] };
  const processes = new Map(
    parsed.value.processes.map((p) => [p.pid, { pid: p.pid, ppid: p.ppid, name: p.name, commandLine: p.commandLine, executablePath: p.executablePath, creationDate: p.creationDate, services: null }] as const),
  );
  const unread = parsed.value.problems.length > 0 ? [{ source: 'powershell-sockets', reason: `${parsed.value.problems.length} item(s) could not be read (${parsed.value.problems[0]})`, effect: 'those sockets or processes are missing' }] : [];
  return { rows: [...parsed.value.sockets], lookup: { processes, source: 'powershell', unread: [] }, unread };
}

function toSocket(row: Win32SocketRow, processOf: (pid: number) => ProcessInfo | null): Socket {
  const pid = ownerPid(row);
  const owner = pid === null ? null : processOf(pid);
  return {
    protocol: row.protocol,
    family: row.family,
    // A link-local address is meaningless without its interface: keep the zone, as `fe80::1%12`.
    address: row.zone === null ? row.address : `${row.address}%${row.zone}`,
    port: row.port,
    remoteAddress: row.remoteAddress,
    remotePort: row.remotePort,
    state: row.state,
    // Windows sockets have no owning uid; their process has a user, which these sources do not give.
    uid: -1,
    user: '?',
    // netstat has no queue columns.
    queue: { recv: 0, send: 0 },
    // Every user sees every socket's owning pid on Windows (netstat -ano needs no elevation).
    ownerHidden: false,
    processes: owner === null ? [] : [owner],
  };
}

/** Unread entries, each (source, reason) once. */
function distinct(unread: readonly UnreadSource[]): UnreadSource[] {
  const seen = new Set<string>();
  return unread.filter((u) => {
    const key = `${u.source}\0${u.reason}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every socket the query asks for, with its owning process.
 *
 * @example
 * const { sockets } = await listWin32Sockets(ctx, { ports: [3000], states: 'all' });
 */
export async function listWin32Sockets(ctx: Win32ListContext, query: SocketQuery): Promise<SocketInventory> {
  const unread: UnreadSource[] = [];
  const fromNetstat = await netstatRows(ctx, query);
  unread.push(...fromNetstat.unread);
  let rows = fromNetstat.rows;
  let lookup: ProcessLookup | null = null;
  if (rows === null) {
    const fallback = await powershellRows(ctx, query);
    unread.push(...fallback.unread);
    rows = fallback.rows;
    lookup = fallback.lookup;
  }
  const wanted = wantedRows(rows ?? [], query);
  const withProcesses = query.withProcesses !== false;
  const pids = [...new Set(wanted.map(ownerPid).filter((pid): pid is number => pid !== null))].sort((a, b) => a - b);
  if (withProcesses && lookup === null && pids.length > 0) {
    lookup = await lookUpProcesses(ctx.reader, pids, ctx.codePage);
    unread.push(...lookup.unread);
  }
  const cache = new Map<number, ProcessInfo | null>();
  const processOf = (pid: number): ProcessInfo | null => {
    if (!withProcesses) return null;
    let info = cache.get(pid);
    if (info === undefined) {
      info = toProcessInfo(pid, lookup?.processes.get(pid));
      cache.set(pid, info);
    }
    return info;
  };
  // The IP Helper service's listeners are joined with the port proxy rules that make them.
  const proxied = await withPortProxies(
    wanted.map((row) => toSocket(row, processOf)),
    () => readPortProxies(ctx.reader, ctx.codePage),
  );
  unread.push(...proxied.unread);
  const sockets = proxied.sockets;
  sockets.sort(compareSockets);
  const found = withProcesses ? pids.filter((pid) => lookup?.processes.has(pid) === true).length : 0;
  const all = distinct(unread);
  // Tables: the socket listings themselves (netstat, or the PowerShell cmdlets), not the process details.
  const tablesUnread = all.filter((u) => u.source.startsWith('netstat') || u.source === 'powershell-sockets').length;
  return {
    sockets,
    stats: {
      processesScanned: found,
      processesHidden: 0,
      // A pid netstat named that neither PowerShell nor tasklist knew: it exited in between.
      processesVanished: withProcesses && lookup !== null && lookup.source !== null ? pids.length - found : 0,
      namespaces: 1,
      privileged: ctx.elevated,
      ...(tablesUnread > 0 ? { tablesUnread } : {}),
      ...(all.length > 0 ? { unread: all } : {}),
    },
  };
}
