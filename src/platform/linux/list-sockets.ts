import type { NetnsRef, ProcessInfo, Socket } from '../../types.js';
import { compareSockets } from '../common/socket-order.js';
import type { SocketInventory, SocketQuery, UnreadSource } from '../types.js';
import type { FdScan } from './fd-scan.js';
import type { ProcessDetails } from './process.js';
import { toProcessInfo } from './process.js';
import { PROC_NET_TABLES, type ProcNetRow, type ProcNetTable, type RowFilter } from './proc-net.js';

/**
 * What the socket inventory reads of /proc, as one seam: the live /proc (proc-view-live.ts, the
 * hot path, with its worker thread) or a recorded snapshot of it (proc-view-snapshot.ts). The
 * algorithm below is the same for both, so a snapshot replays to exactly the live answer.
 */
export interface ProcView {
  readonly privileged: boolean;
  /** Our uid: with hidepid, the processes we can still see are our own. */
  readonly selfUid: number;
  /** /proc is mounted with hidepid: other users' processes are not listed at all. */
  hidesPids(): boolean;
  /** Every pid (the numeric entries of /proc). */
  listPids(): number[];
  /** Starts attributing socket inodes to pids; `finish` says which inodes matter. */
  startScan(pids: readonly number[]): FdScan;
  currentNetnsId(): number | null;
  /** `ip netns` names by namespace id. */
  namedNamespaces(): Map<number, string>;
  /** Namespace id → its pids (ascending). */
  namespacesOfPids(pids: readonly number[]): Map<number, number[]>;
  containerOf(pid: number): string | null;
  /** One table (`<netDir>/tcp6`), filtered while parsing; or why it could not be read (an errno code). */
  readTable(path: string, table: ProcNetTable, filter: RowFilter): ProcNetRow[] | { readonly error: string };
  readProcess(pid: number, cgroup: boolean): ProcessDetails | null;
  /** A process's arguments (/proc/<pid>/cmdline split at NUL); null when it cannot be read. */
  readArgv(pid: number): string[] | null;
  userName(uid: number): string;
  /** inode → listen backlog for a namespace (ours: nsPid undefined). */
  backlogs(options: { port?: number; nsPid?: number }): Promise<Map<number, number>>;
}

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

/** The namespaces to read: ours, plus with allNetns every other one a process is in. */
function namespaceSources(view: ProcView, query: SocketQuery, pids: readonly number[] | null): NamespaceSource[] {
  const currentId = view.currentNetnsId() ?? 0;
  const names = query.allNetns === true ? view.namedNamespaces() : new Map<number, string>();
  const sources: NamespaceSource[] = [
    { ref: { id: currentId, current: true, name: names.get(currentId) ?? null }, netDir: '/proc/self/net', pid: null },
  ];
  if (query.allNetns !== true || pids === null) return sources;
  for (const [id, members] of view.namespacesOfPids(pids)) {
    if (id === currentId) continue;
    const pid = members[0]!;
    // Processes of one container share its cgroup; a few members tell, and reading every
    // member's cgroup would cost thousands of reads in a busy namespace.
    let container: string | null = null;
    for (const member of members.slice(0, 4)) {
      container = view.containerOf(member);
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

/**
 * The Linux socket inventory: /proc/net tables of each namespace, joined with the /proc/<pid>/fd
 * scan for owners. Filters apply while parsing, so `who 3000` looks up owners of a handful of
 * inodes instead of every socket on the machine.
 */
export async function listSocketsFrom(view: ProcView, query: SocketQuery): Promise<SocketInventory> {
  const privileged = view.privileged;
  const withProcesses = query.withProcesses !== false;
  const pids = withProcesses || query.allNetns === true ? view.listPids() : null;
  // Start the fd scan first (on a worker thread when there are many processes), so it runs while
  // everything below happens; it learns which inodes matter once the tables are parsed.
  const scanner = withProcesses && pids !== null ? view.startScan(pids) : null;
  const sources = namespaceSources(view, query, pids);
  const filter = rowFilter(query);
  const wantTcp = query.protocols === undefined || query.protocols.includes('tcp');
  const wantUdp = query.protocols === undefined || query.protocols.includes('udp');

  // Start the backlog lookup of our own namespace (a child process) before reading the tables, so
  // that `ss` runs on the other core meanwhile.
  const singlePort = filter.portFrom === filter.portTo ? filter.portFrom : undefined;
  const wantBacklog = query.withBacklog !== false && wantTcp;
  const ownBacklog = wantBacklog ? view.backlogs(singlePort === undefined ? {} : { port: singlePort }) : null;

  const reads: { source: NamespaceSource; table: ProcNetTable; path: string }[] = [];
  for (const source of sources) {
    for (const table of PROC_NET_TABLES) {
      if ((table.protocol === 'tcp' && !wantTcp) || (table.protocol === 'udp' && !wantUdp)) continue;
      reads.push({ source, table, path: `${source.netDir}/${table.file}` });
    }
  }
  // Read on this thread while the worker (if any) scans on the other core.
  const tables = reads.map(({ path, table }) => view.readTable(path, table, filter));
  const rows: { row: ProcNetRow; source: NamespaceSource }[] = [];
  const unread: UnreadSource[] = [];
  reads.forEach(({ source, path, table }, index) => {
    const read = tables[index]!;
    if ('error' in read) {
      // An absent tcp6/udp6 is a kernel without IPv6 (ipv6.disable=1): nothing to read, not a gap.
      // An absent table of another namespace is one that vanished while we read (its last process exited).
      const expected = read.error === 'ENOENT' && (table.family === 'ipv6' || !source.ref.current);
      if (!expected) unread.push({ source: path, reason: read.error, effect: `${table.protocol.toUpperCase()} ${table.family === 'ipv4' ? 'IPv4' : 'IPv6'} sockets${source.ref.current ? '' : ` of network namespace ${source.ref.name ?? source.ref.id}`} are missing from the answer` });
      return;
    }
    for (const row of read) rows.push({ row, source });
  });

  // Other namespaces' backlogs (nsenter + ss) only where they have listeners; before the synchronous fd scan, so they overlap.
  const hasListeners = (source: NamespaceSource): boolean => rows.some((r) => r.source === source && r.row.state === 'LISTEN');
  const backlogPromises = sources.map((source) =>
    source.pid === null
      ? (ownBacklog ?? Promise.resolve(new Map<number, number>()))
      : wantBacklog && privileged && hasListeners(source)
        ? view.backlogs({ ...(singlePort === undefined ? {} : { port: singlePort }), nsPid: source.pid })
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
      const details = view.readProcess(pid, cgroup);
      info = details === null ? null : toProcessInfo(details);
      processCache.set(pid, info);
    }
    return info;
  };

  const backlogs = await Promise.all(backlogPromises);
  // With hidepid another user's process is not listed (so never counted as hidden): a socket of
  // another uid without a visible holder is then hidden, not ownerless.
  const hidepid = withProcesses && !privileged && view.hidesPids();
  const hiddenExists = (scan?.counts.hidden ?? 0) > 0;
  const hiddenOwner = (row: ProcNetRow, processes: readonly ProcessInfo[]): boolean =>
    withProcesses && processes.length === 0 && row.inode !== 0 && !privileged && (hiddenExists || (hidepid && row.uid !== view.selfUid));
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
      user: view.userName(row.uid),
      inode: row.inode,
      netns: source.ref,
      queue: queueOf(row, backlogs[sources.indexOf(source)] ?? new Map()),
      ownerHidden: hiddenOwner(row, processes),
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
      ...(hidepid ? { hidepid: true } : {}),
      ...(unread.length > 0 ? { tablesUnread: unread.length, unread } : {}),
    },
  };
}
