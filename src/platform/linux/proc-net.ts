import type { Family, Protocol, SocketState } from '../../types.js';
import { decodeProcIPv4, decodeProcIPv6 } from './proc-address.js';

/** One row of /proc/net/{tcp,tcp6,udp,udp6}, before process attribution. */
export interface ProcNetRow {
  readonly protocol: Protocol;
  readonly family: Family;
  readonly address: string;
  readonly port: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly state: SocketState;
  readonly uid: number;
  readonly inode: number;
  /** rx_queue: bytes to read, or for LISTEN the connections waiting to be accepted. */
  readonly rxQueue: number;
  /** tx_queue: bytes not yet acknowledged (always 0 for LISTEN: the kernel does not print the backlog here). */
  readonly txQueue: number;
}

/** Which rows to keep; evaluated on the raw hex fields, before any address is decoded. */
export interface RowFilter {
  /** Keep only listeners: TCP LISTEN, UDP not connected (remote port 0). */
  readonly listeningOnly: boolean;
  /** Inclusive local-port bounds. */
  readonly portFrom: number;
  readonly portTo: number;
  /** When set, keep only local ports in this set (checked after the bounds). */
  readonly portSet?: ReadonlySet<number>;
}

const TCP_STATES: readonly SocketState[] = [
  'UNKNOWN', // 00 is not used by the kernel
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'UNCONN', // TCP_CLOSE: `ss` prints UNCONN
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'NEW-SYN-RECV',
];

const TCP_LISTEN = 0x0a;
const TCP_ESTABLISHED = 0x01;
const TCP_SYN_RECV = 0x03;

const SPACE = 32;
const COLON = 58;

/**
 * Decoded addresses by their /proc hex text. A table repeats a handful of addresses (127.0.0.1,
 * 0.0.0.0, ::1, the all-zero remote of every listener) thousands of times, and decoding is most of
 * a row's cost while the parser is still cold (small and medium tables never get it optimised).
 * Bounded, since a library caller may list sockets for hours.
 */
const addressCache = new Map<string, string>();
const ADDRESS_CACHE_LIMIT = 4096;

function decodeAddress(text: string, at: number, family: Family): string {
  const hex = text.slice(at, at + (family === 'ipv4' ? 8 : 32));
  let address = addressCache.get(hex);
  if (address === undefined) {
    address = family === 'ipv4' ? decodeProcIPv4(hex) : decodeProcIPv6(hex);
    if (addressCache.size >= ADDRESS_CACHE_LIMIT) addressCache.clear();
    addressCache.set(hex, address);
  }
  return address;
}

/** Parses a hex number from text[start, end) without allocating. */
function parseHex(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    value = value * 16 + (c <= 57 ? c - 48 : c <= 70 ? c - 55 : c - 87);
  }
  return value;
}

function parseDecimal(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/**
 * Parses the text of one /proc/net socket table. Hot path: the kernel prints the first fields
 * with fixed widths (`%4d: %08X:%04X %08X:%04X %02X %08X:%08X …`, 32 hex digits per IPv6
 * address), so the local port, remote port and state are read at fixed offsets and the filter is
 * applied before anything else is tokenised; an address is decoded only for rows that pass. A
 * 50,000-row table of which `who` keeps one row costs a few ms.
 *
 * @example
 * parseProcNet(readFileSync('/proc/net/tcp', 'latin1'), 'tcp', 'ipv4')
 */
export function parseProcNet(text: string, protocol: Protocol, family: Family, filter?: RowFilter): ProcNetRow[] {
  const rows: ProcNetRow[] = [];
  // Skip the header line.
  const firstRow = text.indexOf('\n') + 1;
  if (firstRow === 0) return rows;
  parseProcNetRows(text, firstRow, protocol, family, filter, false, rows);
  return rows;
}

/**
 * Parses the rows of `text` from `start` (a line start, past the header) into `rows`.
 *
 * `stopAfterListeners` is for reading a live TCP table in kernel order: the kernel prints its
 * listening hash first and its established hash after it, so once a listening-only query meets a
 * row in any other state, no listener can follow, and the caller may stop reading. (SYN-RECV rows
 * do not stop it: kernels before 4.4 printed a listener's open requests right after it.)
 * Returns true when it stopped there.
 */
export function parseProcNetRows(
  text: string,
  start: number,
  protocol: Protocol,
  family: Family,
  filter: RowFilter | undefined,
  stopAfterListeners: boolean,
  rows: ProcNetRow[],
): boolean {
  const addressLength = family === 'ipv4' ? 8 : 32;
  // "ADDR:PORT " — the width of one endpoint field plus its trailing space.
  const endpoint = addressLength + 6;
  const length = text.length;
  let lineStart = start;
  while (lineStart < length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = length;
    const lineFrom = lineStart;
    lineStart = lineEnd + 1;
    // "  12: " — the slot number, a colon, a space; then the fixed-width fields.
    const slotColon = text.indexOf(':', lineFrom);
    if (slotColon === -1 || slotColon >= lineEnd) continue;
    const local = slotColon + 2;
    const remote = local + endpoint;
    const stateAt = remote + endpoint;
    const queues = stateAt + 3;
    // Not a row of this table (a truncated line, or another family's table): skip it.
    if (queues + 17 > lineEnd || text.charCodeAt(local + addressLength) !== COLON || text.charCodeAt(remote + addressLength) !== COLON || text.charCodeAt(queues + 8) !== COLON) continue;
    const port = parseHex(text, local + addressLength + 1, local + addressLength + 5);
    const remotePort = parseHex(text, remote + addressLength + 1, remote + addressLength + 5);
    const stateCode = parseHex(text, stateAt, stateAt + 2);
    if (stopAfterListeners && stateCode !== TCP_LISTEN && stateCode !== TCP_SYN_RECV) return true;
    if (filter !== undefined) {
      if (port < filter.portFrom || port > filter.portTo) continue;
      if (filter.portSet !== undefined && !filter.portSet.has(port)) continue;
      if (filter.listeningOnly) {
        if (protocol === 'tcp' ? stateCode !== TCP_LISTEN : remotePort !== 0) continue;
      }
    }
    // The variable-width fields after the queues: tr:tm->when, retrnsmt, uid, timeout, inode.
    let i = queues + 17;
    let count = 0;
    let uidStart = 0;
    let uidEnd = 0;
    let inodeStart = 0;
    let inodeEnd = 0;
    while (i < lineEnd && count < 5) {
      while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
      const from = i;
      while (i < lineEnd && text.charCodeAt(i) !== SPACE) i++;
      if (from === i) break;
      if (count === 2) {
        uidStart = from;
        uidEnd = i;
      } else if (count === 4) {
        inodeStart = from;
        inodeEnd = i;
      }
      count++;
    }
    if (count < 5) continue;
    let state: SocketState;
    if (protocol === 'udp') state = stateCode === TCP_ESTABLISHED ? 'ESTAB' : 'UNCONN';
    else state = TCP_STATES[stateCode] ?? 'UNKNOWN';
    rows.push({
      protocol,
      family,
      address: decodeAddress(text, local, family),
      port,
      remoteAddress: decodeAddress(text, remote, family),
      remotePort,
      state,
      uid: parseDecimal(text, uidStart, uidEnd),
      inode: parseDecimal(text, inodeStart, inodeEnd),
      txQueue: parseHex(text, queues, queues + 8),
      rxQueue: parseHex(text, queues + 9, queues + 17),
    });
  }
  return false;
}

/** One of the four socket tables of a namespace. */
export interface ProcNetTable {
  readonly file: string;
  readonly protocol: Protocol;
  readonly family: Family;
}

/** The four tables and what they hold, in the order `ss` lists them. */
export const PROC_NET_TABLES: readonly ProcNetTable[] = [
  { file: 'tcp', protocol: 'tcp', family: 'ipv4' },
  { file: 'tcp6', protocol: 'tcp', family: 'ipv6' },
  { file: 'udp', protocol: 'udp', family: 'ipv4' },
  { file: 'udp6', protocol: 'udp', family: 'ipv6' },
];

