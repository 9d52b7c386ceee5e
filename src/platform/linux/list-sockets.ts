import { readFileSync } from 'node:fs';
import type { NetnsRef, ProcessInfo, Socket } from '../../types.js';
import type { SocketInventory, SocketQuery } from '../types.js';
import { listPids } from './fd-scan-core.js';
import { startSocketScan } from './fd-scan.js';
import { readListenBacklogs } from './listen-backlog.js';
import { currentNetnsId, namedNamespaces, namespacesOfPids } from './netns.js';
import { parseCgroup, readProcess, toProcessInfo } from './process.js';
import { PROC_NET_TABLES, type ProcNetRow, type ProcNetTable, type RowFilter } from './proc-net.js';
import { readProcNetTableSync } from './proc-net-file.js';
import { userName } from './users.js';

interface NamespaceSource {
  readonly ref: NetnsRef;
  /** Directory holding tcp, tcp6, udp, udp6 for this namespace. */
  readonly netDir: string;
  /** A pid inside the namespace (to enter it for the backlog), or null for our own. */
  readonly pid: number | null;
}

function rowFilter(query: SocketQuery): RowFilter {
  const listeningOnly = (query.states ?? 'listening') === 'listening';
  const ports = query.ports;
  if (ports === undefined) return { listeningOnly, portFrom: 0, portTo: 65535 };
  if ('from' in ports) return { listeningOnly, portFrom: ports.from, portTo: ports.to };
  const list = ports as readonly number[];
  return { listeningOnly, portFrom: Math.min(...list), portTo: Math.max(...list), portSet: new Set(list) };
}

function containerOf(pid: number): string | null {
  try {
    return parseCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).container;
  } catch {
    return null;
  }
}

/** The namespaces to read: ours, plus with allNetns every other one a process is in. */
function namespaceSources(query: SocketQuery, pids: readonly number[] | null): NamespaceSource[] {
  const currentId = currentNetnsId() ?? 0;
  const names = query.allNetns === true ? namedNamespaces() : new Map<number, string>();
  const sources: NamespaceSource[] = [
    { ref: { id: currentId, current: true, name: names.get(currentId) ?? null }, netDir: '/proc/self/net', pid: null },
  ];
  if (query.allNetns !== true || pids === null) return sources;
  for (const [id, members] of namespacesOfPids(pids)) {
    if (id === currentId) continue;
    const pid = members[0]!;
    // Processes of one container share its cgroup; a few members tell, and reading every
    // member's cgroup would cost thousands of reads in a busy namespace.
    let container: string | null = null;
    for (const member of members.slice(0, 4)) {
      container = containerOf(member);
      if (container !== null) break;
    }
    const name = names.get(id) ?? (container === null ? null : container.slice(0, 12));
    sources.push({ ref: { id, current: false, name }, netDir: `/proc/${pid}/net`, pid });
  }
  return sources;
}

function queueOf(row: ProcNetRow, backlogs: ReadonlyMap<number, number>): { recv: number; send: number } {
  if (row.protocol === 'tcp' && row.state === 'LISTEN') return { recv: row.rxQueue, send: backlogs.get(row.inode) ?? row.txQueue };
  return { recv: row.rxQueue, send: row.txQueue };
}

const STATE_ORDER = (socket: Socket): number => (socket.state === 'LISTEN' || socket.state === 'UNCONN' ? 0 : 1);

/** Plain code-unit order: the strings compared are ASCII (tcp/udp, ipv4/ipv6, addresses), and localeCompare is slow on 40,000 sockets. */
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareSockets(a: Socket, b: Socket): number {
  return (
    Number(b.netns.current) - Number(a.netns.current) ||
    STATE_ORDER(a) - STATE_ORDER(b) ||
    a.port - b.port ||
    byText(a.protocol, b.protocol) ||
    byText(a.family, b.family) ||
    byText(a.address, b.address) ||
    (a.remotePort ?? 0) - (b.remotePort ?? 0)
  );
}

/**
 * The Linux socket inventory: /proc/net tables of each namespace, joined with the /proc/<pid>/fd
 * scan for owners. Filters apply while parsing, so `who 3000` looks up owners of a handful of
 * inodes instead of every socket on the machine.
 */
export async function listSocketsLinux(query: SocketQuery): Promise<SocketInventory> {
  const privileged = process.getuid?.() === 0;
  const withProcesses = query.withProcesses !== false;
  const pids = withProcesses || query.allNetns === true ? listPids() : null;
  // Start the fd scan first (on a worker thread when there are many processes), so it runs while
  // everything below happens; it learns which inodes matter once the tables are parsed.
  const scanner = withProcesses && pids !== null ? startSocketScan(pids) : null;
  const sources = namespaceSources(query, pids);
  const filter = rowFilter(query);
  const wantTcp = query.protocols === undefined || query.protocols.includes('tcp');
  const wantUdp = query.protocols === undefined || query.protocols.includes('udp');

  // Start the backlog lookup of our own namespace (a child process) before reading the tables, so
  // that `ss` runs on the other core meanwhile.
  const singlePort = filter.portFrom === filter.portTo ? filter.portFrom : undefined;
  const wantBacklog = query.withBacklog !== false && wantTcp;
  const ownBacklog = wantBacklog ? readListenBacklogs(singlePort === undefined ? {} : { port: singlePort }) : null;

  const reads: { source: NamespaceSource; table: ProcNetTable; path: string }[] = [];
  for (const source of sources) {
    for (const table of PROC_NET_TABLES) {
      if ((table.protocol === 'tcp' && !wantTcp) || (table.protocol === 'udp' && !wantUdp)) continue;
      reads.push({ source, table, path: `${source.netDir}/${table.file}` });
    }
  }
  // Read on this thread while the worker (if any) scans on the other core.
  const tables = reads.map(({ path, table }) => readProcNetTableSync(path, table, filter));
  const rows: { row: ProcNetRow; source: NamespaceSource }[] = [];
  reads.forEach(({ source }, index) => {
    for (const row of tables[index] ?? []) rows.push({ row, source });
  });

  // Other namespaces' backlogs (nsenter + ss) only where they have listeners; before the synchronous fd scan, so they overlap.
  const hasListeners = (source: NamespaceSource): boolean => rows.some((r) => r.source === source && r.row.state === 'LISTEN');
  const backlogPromises = sources.map((source) =>
    source.pid === null
      ? (ownBacklog ?? Promise.resolve(new Map<number, number>()))
      : wantBacklog && privileged && hasListeners(source)
        ? readListenBacklogs({ ...(singlePort === undefined ? {} : { port: singlePort }), nsPid: source.pid })
        : Promise.resolve(new Map<number, number>()),
  );

  const wanted = new Set<number>();
  for (const { row } of rows) if (row.inode !== 0) wanted.add(row.inode);
  const cgroup = query.processDetails !== 'brief';
  const scan = scanner === null ? null : await scanner.finish(wanted, { cgroup });

  const processCache = new Map<number, ProcessInfo | null>();
  for (const [pid, details] of scan?.details ?? []) processCache.set(pid, details === null ? null : toProcessInfo(details));
  const processOf = (pid: number): ProcessInfo | null => {
    let info = processCache.get(pid);
    if (info === undefined) {
      const details = readProcess(pid, { cgroup });
      info = details === null ? null : toProcessInfo(details);
      processCache.set(pid, info);
    }
    return info;
  };

  const backlogs = await Promise.all(backlogPromises);
  const hiddenExists = (scan?.counts.hidden ?? 0) > 0;
  const sockets: Socket[] = rows.map(({ row, source }) => {
    const ownerPids = scan?.owners.get(row.inode) ?? [];
    const processes = ownerPids.map(processOf).filter((p): p is ProcessInfo => p !== null);
    return {
      protocol: row.protocol,
      family: row.family,
      address: row.address,
      port: row.port,
      remoteAddress: row.remotePort === 0 && row.state !== 'ESTAB' ? null : row.remoteAddress,
      remotePort: row.remotePort === 0 && row.state !== 'ESTAB' ? null : row.remotePort,
      state: row.state,
      uid: row.uid,
      user: userName(row.uid),
      inode: row.inode,
      netns: source.ref,
      queue: queueOf(row, backlogs[sources.indexOf(source)] ?? new Map()),
      ownerHidden: withProcesses && processes.length === 0 && row.inode !== 0 && hiddenExists && !privileged,
      processes,
    };
  });
  sockets.sort(compareSockets);
  return {
    sockets,
    stats: {
      processesScanned: scan?.counts.scanned ?? 0,
      processesHidden: scan?.counts.hidden ?? 0,
      processesVanished: scan?.counts.vanished ?? 0,
      namespaces: sources.length,
      privileged,
    },
  };
}
