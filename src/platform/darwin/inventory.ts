import type { Family, Protocol, Socket, SocketState } from '../../types.js';
import { compareSockets } from '../common/socket-order.js';
import type { ScanStats, SocketInventory, SocketQuery, UnreadSource } from '../types.js';
import type { LsofProcess, LsofResult, LsofSocket } from './lsof.js';
import type { NetstatRow } from './netstat.js';
import type { ProcessDirectory } from './process-directory.js';

/**
 * The macOS socket inventory: netstat lists every socket (and, in most layouts, the last process
 * that used it), lsof lists every holder of the sockets it may see (all of them as root, our own
 * otherwise), ps describes the processes. Joined here, pure, so a live run and a replayed snapshot
 * give the same answer.
 *
 * How a socket gets its holders:
 * - lsof's holders of the same addresses, when lsof lists any: a pre-forked server's listener
 *   under every worker, an inherited socket under parent and child. Sockets that lsof shows with
 *   the same addresses in several processes are one socket when lsof gives them one device (the
 *   kernel address), or when netstat has one row for those addresses.
 * - else netstat's pid (the last process that used the socket): the one holder we know of, for
 *   instance of another user's socket that lsof cannot see without root. Not for TIME-WAIT:
 *   those sockets belong to no process any more.
 * - else nobody: `ownerHidden` when lsof ran without root (the holder is some other user's).
 * A socket lsof shows and netstat does not (opened between the two reads) is listed from lsof.
 */

/** One netstat table as read: its rows, or why it could not be read. */
export interface NetstatTable {
  readonly protocol: Protocol;
  readonly rows: readonly NetstatRow[] | null;
}

export interface InventoryInput {
  readonly netstat: readonly NetstatTable[];
  /** lsof as read, or null when it could not be (then netstat's pid is the only holder). */
  readonly lsof: LsofResult | null;
  readonly processes: ProcessDirectory;
  /** Root: lsof saw every process. */
  readonly privileged: boolean;
  /** Sources that could not be read, already worded. */
  readonly unread: readonly UnreadSource[];
}

interface Filter {
  readonly protocols: ReadonlySet<Protocol>;
  readonly listeningOnly: boolean;
  readonly ports: ((port: number) => boolean) | null;
}

function filterOf(query: SocketQuery): Filter {
  const ports = query.ports;
  let test: ((port: number) => boolean) | null = null;
  if (ports !== undefined) {
    if ('from' in ports) test = (port) => port >= ports.from && port <= ports.to;
    else {
      const set = new Set<number>(ports as readonly number[]);
      test = (port) => set.has(port);
    }
  }
  return { protocols: new Set(query.protocols ?? ['tcp', 'udp']), listeningOnly: (query.states ?? 'listening') === 'listening', ports: test };
}

function accepts(filter: Filter, protocol: Protocol, port: number, state: SocketState): boolean {
  if (!filter.protocols.has(protocol)) return false;
  if (filter.ports !== null && !filter.ports(port)) return false;
  return !filter.listeningOnly || state === 'LISTEN' || (protocol === 'udp' && state === 'UNCONN');
}

const plural = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

/** An address without its zone: netstat names the interface (`%en5`), lsof numbers it (`%5`). */
const bare = (address: string | null): string => {
  if (address === null) return '*';
  const zone = address.indexOf('%');
  return zone === -1 ? address : address.slice(0, zone);
};

function keyOf(protocol: Protocol, family: Family | null, address: string | null, port: number, remoteAddress: string | null, remotePort: number | null): string {
  return `${protocol}|${family ?? '?'}|${bare(address)}|${port}|${bare(remoteAddress)}|${remotePort ?? '*'}`;
}

/** A wildcard lsof printed as `*` without a `t` field has no family; it is looked up by this key too. */
function familylessKeyOf(protocol: Protocol, address: string | null, port: number, remoteAddress: string | null, remotePort: number | null): string {
  const wildcard = address === null || address === '0.0.0.0' || address === '::';
  return keyOf(protocol, null, wildcard ? null : address, port, remoteAddress, remotePort);
}

interface LsofEntry {
  readonly process: LsofProcess;
  readonly socket: LsofSocket;
}

/** lsof's sockets that pass the filter, by address key. */
function indexLsof(lsof: LsofResult | null, filter: Filter): Map<string, LsofEntry[]> {
  const index = new Map<string, LsofEntry[]>();
  for (const process of lsof?.processes ?? []) {
    for (const socket of process.sockets) {
      if (!accepts(filter, socket.protocol, socket.port, socket.state)) continue;
      const key = socket.family === null ? familylessKeyOf(socket.protocol, socket.address, socket.port, socket.remoteAddress, socket.remotePort) : keyOf(socket.protocol, socket.family, socket.address, socket.port, socket.remoteAddress, socket.remotePort);
      const list = index.get(key);
      if (list === undefined) index.set(key, [{ process, socket }]);
      else list.push({ process, socket });
    }
  }
  return index;
}

/** lsof entries that are one socket: by device when lsof gave it, else all of them or one per pid. */
function groupsOf(entries: readonly LsofEntry[], netstatRows: number): LsofEntry[][] {
  const byKey = new Map<string, LsofEntry[]>();
  const everyDevice = entries.every((e) => e.socket.device !== null);
  for (const entry of entries) {
    const key = everyDevice ? (entry.socket.device ?? '') : netstatRows <= 1 ? 'one' : String(entry.process.pid);
    const group = byKey.get(key);
    if (group === undefined) byKey.set(key, [entry]);
    else group.push(entry);
  }
  return [...byKey.values()];
}

const pidsOf = (group: readonly LsofEntry[]): number[] => [...new Set(group.map((e) => e.process.pid))].sort((a, b) => a - b);

interface Counts {
  hiddenPids: Set<number>;
  vanishedPids: Set<number>;
}

/**
 * Whether netstat's pid should be added to lsof's holders: when lsof could not have seen it (no
 * root, another user's process that ps lists). A pid of our own that lsof did not list holding
 * the socket has let go of it (the socket was passed on).
 */
function netstatPidStillHolds(pid: number, input: InventoryInput, selfUid: number | null): boolean {
  if (input.privileged || input.lsof === null) return false;
  const uid = input.processes.uidOf(pid);
  return uid !== null && selfUid !== null && uid !== selfUid && input.processes.exists(pid) === true;
}

function socketFrom(
  base: { protocol: Protocol; family: Family; address: string; port: number; remoteAddress: string | null; remotePort: number | null; state: SocketState; recvQ: number; sendQ: number },
  pids: readonly number[],
  input: InventoryInput,
  withProcesses: boolean,
): Socket {
  const processes = withProcesses ? pids.map((pid) => input.processes.info(pid)) : [];
  const owner = processes[0];
  return {
    protocol: base.protocol,
    family: base.family,
    address: base.address,
    port: base.port,
    remoteAddress: base.remoteAddress,
    remotePort: base.remotePort,
    state: base.state,
    uid: owner?.uid ?? -1,
    user: owner?.user ?? 'unknown',
    queue: { recv: base.recvQ, send: base.sendQ },
    ownerHidden: withProcesses && processes.length === 0 && base.state !== 'TIME-WAIT' && !input.privileged && input.lsof !== null,
    processes,
  };
}

/** lsof's addresses by protocol and port, for completing the addresses netstat cut short. */
function addressesByPort(lsofIndex: ReadonlyMap<string, LsofEntry[]>): Map<string, Set<string>> {
  const byPort = new Map<string, Set<string>>();
  for (const entries of lsofIndex.values()) {
    for (const { socket } of entries) {
      if (socket.address === null) continue;
      const key = `${socket.protocol}|${socket.port}`;
      const set = byPort.get(key);
      if (set === undefined) byPort.set(key, new Set([socket.address]));
      else set.add(socket.address);
    }
  }
  return byPort;
}

/** A row whose IPv6 address netstat cut short: the one address lsof gives on that port that starts with it. */
function completeAddress(row: NetstatRow, byPort: ReadonlyMap<string, ReadonlySet<string>>): string | null {
  let found: string | null = null;
  for (const address of byPort.get(`${row.protocol}|${row.port}`) ?? []) {
    if (!bare(address).startsWith(row.addressText)) continue;
    if (found !== null && found !== address) return null; // two candidates: do not guess
    found = address;
  }
  return found;
}

/**
 * Joins the parsed tables into the inventory.
 *
 * @example
 * const inventory = assembleInventory(input, { states: 'listening' }, 501);
 * inventory.sockets[0]?.processes.map((p) => p.pid);
 */
export function assembleInventory(input: InventoryInput, query: SocketQuery, selfUid: number | null): SocketInventory {
  const filter = filterOf(query);
  const withProcesses = query.withProcesses !== false;
  const lsofIndex = indexLsof(withProcesses ? input.lsof : null, filter);
  const consumed = new Set<LsofEntry>();
  const counts: Counts = { hiddenPids: new Set(), vanishedPids: new Set() };
  const unread = [...input.unread];
  const sockets: Socket[] = [];
  let cut = 0;

  // netstat rows by key, so that every row of the same addresses is matched together.
  const rowsByKey = new Map<string, NetstatRow[]>();
  let byPort: Map<string, Set<string>> | undefined;
  for (const table of input.netstat) {
    for (const row of table.rows ?? []) {
      if (!accepts(filter, row.protocol, row.port, row.state)) continue;
      let address = row.address;
      if (address === null) address = completeAddress(row, (byPort ??= addressesByPort(lsofIndex)));
      if (address === null) {
        cut++;
        continue;
      }
      const complete = address === row.address ? row : { ...row, address };
      const key = keyOf(row.protocol, row.family, address, row.port, row.remoteAddress, row.remotePort);
      const list = rowsByKey.get(key);
      if (list === undefined) rowsByKey.set(key, [complete]);
      else list.push(complete);
    }
  }

  // 1. Each row with lsof's sockets of the same addresses and family.
  const lsofHolders = new Map<NetstatRow, number[]>();
  for (const [key, rows] of rowsByKey) {
    const groups = groupsOf((lsofIndex.get(key) ?? []).filter((e) => !consumed.has(e)), rows.length);
    const take = (group: LsofEntry[]): number[] => {
      groups.splice(groups.indexOf(group), 1);
      for (const entry of group) consumed.add(entry);
      return pidsOf(group);
    };
    // A row goes with the group that holds its pid, else with the next group left (in order).
    const mine = rows.map((row) => {
      const group = row.pid === null ? undefined : groups.find((g) => g.some((e) => e.process.pid === row.pid));
      return group === undefined ? null : take(group);
    });
    rows.forEach((row, index) => {
      const pids = mine[index] ?? (groups[0] === undefined ? null : take(groups[0]));
      if (pids !== null) lsofHolders.set(row, pids);
    });
  }
  // 2. lsof's `*` sockets without a family (no t field) go with every row of that port left
  //    without holders, of either family: lsof did not say which one is which.
  const waiting = new Map<string, NetstatRow[]>();
  for (const rows of rowsByKey.values()) {
    for (const row of rows) {
      if (lsofHolders.has(row)) continue;
      const key = familylessKeyOf(row.protocol, row.address, row.port, row.remoteAddress, row.remotePort);
      const list = waiting.get(key);
      if (list === undefined) waiting.set(key, [row]);
      else list.push(row);
    }
  }
  for (const [key, rows] of waiting) {
    const entries = (lsofIndex.get(key) ?? []).filter((e) => !consumed.has(e));
    if (entries.length === 0) continue;
    for (const entry of entries) consumed.add(entry);
    for (const row of rows) lsofHolders.set(row, pidsOf(entries));
  }
  // 3. The sockets, with netstat's pid where lsof named nobody.
  for (const rows of rowsByKey.values()) {
    for (const row of rows) {
      let pids = lsofHolders.get(row) ?? null;
      const netstatPid = row.pid !== null && row.pid > 0 && row.state !== 'TIME-WAIT' ? row.pid : null;
      if (netstatPid !== null && input.processes.exists(netstatPid) === false) counts.vanishedPids.add(netstatPid);
      if (pids === null) {
        pids = netstatPid === null ? [] : [netstatPid];
        if (netstatPid !== null && input.lsof !== null && !input.privileged) counts.hiddenPids.add(netstatPid);
      } else if (netstatPid !== null && !pids.includes(netstatPid) && netstatPidStillHolds(netstatPid, input, selfUid)) {
        pids = [...pids, netstatPid].sort((a, b) => a - b);
        counts.hiddenPids.add(netstatPid);
      }
      sockets.push(socketFrom({ ...row, address: row.address ?? '' }, pids, input, withProcesses));
    }
  }

  // Sockets lsof shows that netstat does not (opened after netstat ran, or netstat unread).
  const familyless: string[] = [];
  for (const entries of lsofIndex.values()) {
    const left = entries.filter((e) => !consumed.has(e));
    for (const group of groupsOf(left, 1)) {
      const { socket } = group[0]!;
      if (socket.family === null || socket.address === null) {
        const names = [...new Set(group.map((e) => `${e.process.command || '?'} (pid ${e.process.pid})`))].join(', ');
        familyless.push(`${names} on ${socket.protocol.toUpperCase()} *:${socket.port} (${group.length} descriptor${group.length === 1 ? '' : 's'})`);
        continue;
      }
      sockets.push(socketFrom({ ...socket, family: socket.family, address: socket.address, recvQ: socket.recvQ ?? 0, sendQ: socket.sendQ ?? 0 }, pidsOf(group), input, withProcesses));
    }
  }
  if (cut > 0) unread.push({ source: 'netstat', reason: `${plural(cut, 'IPv6 address was', 'IPv6 addresses were')} cut short (netstat ran without -l) and lsof did not name ${cut === 1 ? 'it' : 'them'}`, effect: `${plural(cut, 'socket is', 'sockets are')} missing from the answer` });
  if (familyless.length > 0) unread.push({ source: 'lsof-inet', reason: `lsof gave no family (the t field) for ${familyless.join('; ')}, and netstat does not show ${familyless.length === 1 ? 'it' : 'them'}`, effect: `${plural(familyless.length, 'socket is', 'sockets are')} missing from the list (named here)` });

  sockets.sort(compareSockets);
  const tablesUnread = input.netstat.filter((table) => table.rows === null).length;
  const stats: ScanStats = {
    processesScanned: input.lsof?.processes.length ?? 0,
    processesHidden: counts.hiddenPids.size,
    processesVanished: counts.vanishedPids.size,
    namespaces: 1,
    privileged: input.privileged,
    ...(tablesUnread > 0 ? { tablesUnread } : {}),
    ...(unread.length > 0 ? { unread } : {}),
  };
  return { sockets, stats };
}
