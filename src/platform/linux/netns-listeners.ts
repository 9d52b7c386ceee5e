/**
 * The listening sockets of one network namespace — a container's, entered through a process in
 * it — read from /proc/<pid>/net (the kernel shows each process the tables of its own namespace),
 * with the processes of that namespace that hold them. Nothing is sent to the namespace.
 */
import type { Collected, ProcessInfo, Socket } from '../../types.js';
import type { ProcView } from './list-sockets.js';
import { toProcessInfo } from './process.js';
import { PROC_NET_TABLES, type ProcNetRow } from './proc-net.js';

const LISTENING = { listeningOnly: true, portFrom: 0, portTo: 65535 } as const;

/**
 * Listeners in the namespace of `pid`, sorted by port.
 *
 * @example
 * const inside = await namespaceListenersFrom(liveProcView(), containerPid);
 * if (inside.ok) inside.value.map((s) => `${s.address}:${s.port}`); // ['127.0.0.1:80']
 */
export async function namespaceListenersFrom(view: ProcView, pid: number): Promise<Collected<Socket[]>> {
  const nsId = [...view.namespacesOfPids([pid]).keys()][0];
  if (nsId === undefined) {
    return { ok: false, reason: `the network namespace of pid ${pid} cannot be read (the process exited, or it is another user's)`, hint: 'Run as root to read a container\'s sockets.' };
  }
  const rows: ProcNetRow[] = [];
  const errors: string[] = [];
  for (const table of PROC_NET_TABLES) {
    const read = view.readTable(`/proc/${pid}/net/${table.file}`, table, LISTENING);
    // tcp6/udp6 are absent on a kernel without IPv6: nothing to read, not an error.
    if ('error' in read) {
      if (!(read.error === 'ENOENT' && table.family === 'ipv6')) errors.push(`${table.file}: ${read.error}`);
    } else rows.push(...read);
  }
  if (rows.length === 0 && errors.length > 0) {
    return { ok: false, reason: `the socket tables of pid ${pid}'s network namespace could not be read (${errors.join(', ')})`, hint: 'Run as root to read a container\'s sockets.' };
  }
  // The holders: only the processes of that namespace need their fds read.
  const members = view.namespacesOfPids(view.listPids()).get(nsId) ?? [pid];
  const wanted = new Set(rows.map((r) => r.inode).filter((inode) => inode !== 0));
  const scan = await view.startScan(members).finish(wanted, { cgroup: true });
  const cache = new Map<number, ProcessInfo | null>();
  const processOf = (owner: number): ProcessInfo | null => {
    if (!cache.has(owner)) {
      const known = scan.details.get(owner);
      const details = known === undefined ? view.readProcess(owner, true) : known;
      cache.set(owner, details === null ? null : toProcessInfo(details));
    }
    return cache.get(owner) ?? null;
  };
  const current = view.currentNetnsId();
  const sockets = rows.map(
    (row): Socket => ({
      protocol: row.protocol,
      family: row.family,
      address: row.address,
      port: row.port,
      remoteAddress: null,
      remotePort: null,
      state: row.state,
      uid: row.uid,
      user: view.userName(row.uid),
      inode: row.inode,
      netns: { id: nsId, current: nsId === current, name: null },
      queue: { recv: row.rxQueue, send: row.txQueue },
      ownerHidden: false,
      processes: (scan.owners.get(row.inode) ?? []).map(processOf).filter((p): p is ProcessInfo => p !== null),
    }),
  );
  return { ok: true, value: sockets.sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0)) };
}
