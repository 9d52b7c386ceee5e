import type { Family, ProcessInfo, Protocol, Socket, SocketState } from '../../types.js';
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

const PROTOCOL_CODE: Readonly<Record<Protocol, number>> = { tcp: 0, udp: 1 };

/**
 * The join keys: protocol, family, local address (without zone), port, remote address and port.
 * A command-line run does the join once, in code V8 has not optimised yet, where a key made as a
 * template string costs a dozen string pieces that the lookup then flattens. So each bare address
 * is numbered once, and a key is one 7-character string of code units made in one step.
 */
class SocketKeys {
  private readonly addressIds = new Map<string, number>();

  private idOf(address: string | null): number {
    const text = bare(address);
    let id = this.addressIds.get(text);
    if (id === undefined) {
      id = this.addressIds.size;
      this.addressIds.set(text, id);
    }
    return id;
  }

  /** A null family is lsof's `*` without a `t` field. */
  key(protocol: Protocol, family: Family | null, address: string | null, port: number, remoteAddress: string | null, remotePort: number | null): string {
    const kind = PROTOCOL_CODE[protocol] * 6 + (family === null ? 0 : family === 'ipv4' ? 2 : 4) + (remotePort === null ? 1 : 0);
    const local = this.idOf(address);
    const remote = this.idOf(remoteAddress);
    return String.fromCharCode(kind, local & 0xffff, local >>> 16, port, remote & 0xffff, remote >>> 16, remotePort ?? 0);
  }

  /** The key a wildcard of lsof without a family (`*` without a `t` field) is filed under. */
  familyless(protocol: Protocol, address: string | null, port: number, remoteAddress: string | null, remotePort: number | null): string {
    const wildcard = address === null || address === '0.0.0.0' || address === '::';
    return this.key(protocol, null, wildcard ? null : address, port, remoteAddress, remotePort);
  }
}

interface LsofEntry {
  readonly process: LsofProcess;
  readonly socket: LsofSocket;
  /** Joined with a netstat row already. */
  consumed: boolean;
}

/**
 * Items filed by key; `lists` and `keys` hold them in the order their keys were first filed, to be
 * walked with an index (a Map's iterators allocate a result per step until V8 optimises the loop).
 */
class Buckets<T> {
  private readonly byKey = new Map<string, T[]>();
  readonly lists: T[][] = [];
  readonly keys: string[] = [];

  add(key: string, item: T): void {
    const list = this.byKey.get(key);
    if (list !== undefined) list.push(item);
    else {
      const created = [item];
      this.byKey.set(key, created);
      this.lists.push(created);
      this.keys.push(key);
    }
  }

  get(key: string): readonly T[] | undefined {
    return this.byKey.get(key);
  }
}

/** lsof's sockets that pass the filter, by address key; `familyless` counts those lsof gave no family. */
function indexLsof(lsof: LsofResult | null, filter: Filter, keys: SocketKeys): { readonly index: Buckets<LsofEntry>; readonly familyless: number } {
  const index = new Buckets<LsofEntry>();
  let familyless = 0;
  const processes = lsof?.processes ?? [];
  for (let p = 0; p < processes.length; p++) {
    const process = processes[p]!;
    for (let s = 0; s < process.sockets.length; s++) {
      const socket = process.sockets[s]!;
      if (!accepts(filter, socket.protocol, socket.port, socket.state)) continue;
      if (socket.family === null) familyless++;
      const key =
        socket.family === null
          ? keys.familyless(socket.protocol, socket.address, socket.port, socket.remoteAddress, socket.remotePort)
          : keys.key(socket.protocol, socket.family, socket.address, socket.port, socket.remoteAddress, socket.remotePort);
      index.add(key, { process, socket, consumed: false });
    }
  }
  return { index, familyless };
}

const NONE: readonly LsofEntry[] = [];

/** The entries not joined yet: the list itself when none is (the usual case). */
function unconsumed(entries: readonly LsofEntry[] | undefined): readonly LsofEntry[] {
  if (entries === undefined) return NONE;
  let all = true;
  for (let i = 0; i < entries.length && all; i++) all = !entries[i]!.consumed;
  if (all) return entries;
  const left: LsofEntry[] = [];
  for (let i = 0; i < entries.length; i++) if (!entries[i]!.consumed) left.push(entries[i]!);
  return left;
}

/** lsof entries that are one socket: by device when lsof gave it, else all of them or one per pid. */
function groupsOf(entries: readonly LsofEntry[], netstatRows: number): (readonly LsofEntry[])[] {
  // Most addresses have one descriptor: one group, nothing to sort out.
  if (entries.length <= 1) return entries.length === 0 ? [] : [entries];
  const byKey = new Map<string, LsofEntry[]>();
  const groups: LsofEntry[][] = [];
  const everyDevice = entries.every((e) => e.socket.device !== null);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    const key = everyDevice ? (entry.socket.device ?? '') : netstatRows <= 1 ? 'one' : String(entry.process.pid);
    const group = byKey.get(key);
    if (group !== undefined) group.push(entry);
    else {
      const created = [entry];
      byKey.set(key, created);
      groups.push(created);
    }
  }
  return groups;
}

/** The distinct pids of a group, ascending. */
function pidsOf(group: readonly LsofEntry[]): number[] {
  if (group.length === 1) return [group[0]!.process.pid];
  const pids: number[] = [];
  for (let i = 0; i < group.length; i++) {
    const pid = group[i]!.process.pid;
    if (!pids.includes(pid)) pids.push(pid);
  }
  return pids.sort((a, b) => a - b);
}

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

/** What a socket is, from either table (netstat's row or lsof's socket). */
type SocketFacts = Pick<Socket, 'protocol' | 'family' | 'address' | 'port' | 'remoteAddress' | 'remotePort' | 'state'> & { readonly recvQ: number; readonly sendQ: number };

function socketFrom(base: SocketFacts, pids: readonly number[], input: InventoryInput, withProcesses: boolean): Socket {
  let processes: ProcessInfo[] = [];
  // Most sockets have one holder: an array of exactly one, not one grown by push.
  if (withProcesses && pids.length === 1) processes = [input.processes.info(pids[0]!)];
  else if (withProcesses) for (let i = 0; i < pids.length; i++) processes.push(input.processes.info(pids[i]!));
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
function addressesByPort(lsofIndex: Buckets<LsofEntry>): Map<string, Set<string>> {
  const byPort = new Map<string, Set<string>>();
  for (const entries of lsofIndex.lists) {
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

/** A netstat row to list: its address (completed from lsof when netstat cut it) and its holders. */
interface Listed {
  readonly row: NetstatRow;
  readonly address: string;
  /** lsof's pids holding it, once joined. */
  holders: number[] | null;
}

/** Joins one key's rows with lsof's entries of that key: the row whose pid a group holds takes it, the rest take the groups left in order. */
function joinKey(rows: readonly Listed[], entries: readonly LsofEntry[] | undefined): void {
  const groups = groupsOf(unconsumed(entries), rows.length);
  if (groups.length === 0) return;
  const take = (at: number): number[] => {
    const group = groups[at]!;
    groups.splice(at, 1);
    for (let i = 0; i < group.length; i++) group[i]!.consumed = true;
    return pidsOf(group);
  };
  const mine: (number[] | null)[] = [];
  for (let r = 0; r < rows.length; r++) {
    const pid = rows[r]!.row.pid;
    const at = pid === null ? -1 : groups.findIndex((g) => g.some((e) => e.process.pid === pid));
    mine.push(at === -1 ? null : take(at));
  }
  for (let r = 0; r < rows.length; r++) {
    const pids = mine[r] ?? (groups.length === 0 ? null : take(0));
    if (pids !== null) rows[r]!.holders = pids;
  }
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
  const keys = new SocketKeys();
  const { index: lsofIndex, familyless: familylessInLsof } = indexLsof(withProcesses ? input.lsof : null, filter, keys);
  const counts: Counts = { hiddenPids: new Set(), vanishedPids: new Set() };
  const unread = [...input.unread];
  const sockets: Socket[] = [];
  let cut = 0;

  // netstat rows by key, so that every row of the same addresses is matched together.
  const rowsByKey = new Buckets<Listed>();
  let byPort: Map<string, Set<string>> | undefined;
  for (let t = 0; t < input.netstat.length; t++) {
    const rows = input.netstat[t]!.rows ?? [];
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      if (!accepts(filter, row.protocol, row.port, row.state)) continue;
      let address = row.address;
      if (address === null) address = completeAddress(row, (byPort ??= addressesByPort(lsofIndex)));
      if (address === null) {
        cut++;
        continue;
      }
      rowsByKey.add(keys.key(row.protocol, row.family, address, row.port, row.remoteAddress, row.remotePort), { row, address, holders: null });
    }
  }

  // 1. Each row with lsof's sockets of the same addresses and family.
  for (let k = 0; k < rowsByKey.lists.length; k++) joinKey(rowsByKey.lists[k]!, lsofIndex.get(rowsByKey.keys[k]!));
  // 2. lsof's `*` sockets without a family (no t field) go with every row of that port left
  //    without holders, of either family: lsof did not say which one is which. (Only when lsof
  //    gave such sockets: this pass files every row left without holders once more.)
  const waiting = new Buckets<Listed>();
  for (let k = 0; familylessInLsof > 0 && k < rowsByKey.lists.length; k++) {
    const rows = rowsByKey.lists[k]!;
    for (let r = 0; r < rows.length; r++) {
      const listed = rows[r]!;
      if (listed.holders !== null) continue;
      const { row } = listed;
      waiting.add(keys.familyless(row.protocol, listed.address, row.port, row.remoteAddress, row.remotePort), listed);
    }
  }
  for (let k = 0; k < waiting.lists.length; k++) {
    const rows = waiting.lists[k]!;
    const entries = unconsumed(lsofIndex.get(waiting.keys[k]!));
    if (entries.length === 0) continue;
    for (let e = 0; e < entries.length; e++) entries[e]!.consumed = true;
    for (let r = 0; r < rows.length; r++) rows[r]!.holders = pidsOf(entries);
  }
  // 3. The sockets, with netstat's pid where lsof named nobody.
  for (let k = 0; k < rowsByKey.lists.length; k++) {
    const rows = rowsByKey.lists[k]!;
    for (let r = 0; r < rows.length; r++) {
      const { row, address, holders } = rows[r]!;
      let pids = holders;
      const netstatPid = row.pid !== null && row.pid > 0 && row.state !== 'TIME-WAIT' ? row.pid : null;
      if (netstatPid !== null && input.processes.exists(netstatPid) === false) counts.vanishedPids.add(netstatPid);
      if (pids === null) {
        pids = netstatPid === null ? [] : [netstatPid];
        if (netstatPid !== null && input.lsof !== null && !input.privileged) counts.hiddenPids.add(netstatPid);
      } else if (netstatPid !== null && !pids.includes(netstatPid) && netstatPidStillHolds(netstatPid, input, selfUid)) {
        pids = [...pids, netstatPid].sort((a, b) => a - b);
        counts.hiddenPids.add(netstatPid);
      }
      const facts: SocketFacts = { protocol: row.protocol, family: row.family, address, port: row.port, remoteAddress: row.remoteAddress, remotePort: row.remotePort, state: row.state, recvQ: row.recvQ, sendQ: row.sendQ };
      sockets.push(socketFrom(facts, pids, input, withProcesses));
    }
  }

  // Sockets lsof shows that netstat does not (opened after netstat ran, or netstat unread).
  const familyless: string[] = [];
  for (let k = 0; k < lsofIndex.lists.length; k++) {
    const groups = groupsOf(unconsumed(lsofIndex.lists[k]), 1);
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const { socket } = group[0]!;
      if (socket.family === null || socket.address === null) {
        const names = [...new Set(group.map((e) => `${e.process.command || '?'} (pid ${e.process.pid})`))].join(', ');
        familyless.push(`${names} on ${socket.protocol.toUpperCase()} *:${socket.port} (${group.length} descriptor${group.length === 1 ? '' : 's'})`);
        continue;
      }
      const facts: SocketFacts = {
        protocol: socket.protocol,
        family: socket.family,
        address: socket.address,
        port: socket.port,
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        state: socket.state,
        recvQ: socket.recvQ ?? 0,
        sendQ: socket.sendQ ?? 0,
      };
      sockets.push(socketFrom(facts, pidsOf(group), input, withProcesses));
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
