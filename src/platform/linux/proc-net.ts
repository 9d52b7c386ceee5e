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

const SPACE = 32;
const COLON = 58;

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
 * Parses the text of one /proc/net socket table. Hot path: it walks the text with indices and
 * decodes an address only for rows that pass the filter, so a 40,000-row table costs a few ms.
 *
 * @example
 * parseProcNet(readFileSync('/proc/net/tcp', 'latin1'), 'tcp', 'ipv4')
 */
export function parseProcNet(text: string, protocol: Protocol, family: Family, filter?: RowFilter): ProcNetRow[] {
  const rows: ProcNetRow[] = [];
  const addressLength = family === 'ipv4' ? 8 : 32;
  const length = text.length;
  // Skip the header line.
  let lineStart = text.indexOf('\n') + 1;
  if (lineStart === 0) return rows;
  const fieldStart = new Int32Array(12);
  const fieldEnd = new Int32Array(12);
  while (lineStart < length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = length;
    // Split the line into its first 10 whitespace-separated fields.
    let count = 0;
    let i = lineStart;
    while (i < lineEnd && count < 10) {
      while (i < lineEnd && text.charCodeAt(i) === SPACE) i++;
      if (i >= lineEnd) break;
      fieldStart[count] = i;
      while (i < lineEnd && text.charCodeAt(i) !== SPACE) i++;
      fieldEnd[count] = i;
      count++;
    }
    lineStart = lineEnd + 1;
    if (count < 10) continue;
    const local = fieldStart[1]!;
    const remote = fieldStart[2]!;
    // local is ADDR:PORT with ADDR 8 or 32 hex digits; anything else is not a row of this table.
    if (text.charCodeAt(local + addressLength) !== COLON) continue;
    const port = parseHex(text, local + addressLength + 1, fieldEnd[1]!);
    const stateCode = parseHex(text, fieldStart[3]!, fieldEnd[3]!);
    const remotePort = parseHex(text, remote + addressLength + 1, fieldEnd[2]!);
    if (filter !== undefined) {
      if (port < filter.portFrom || port > filter.portTo) continue;
      if (filter.portSet !== undefined && !filter.portSet.has(port)) continue;
      if (filter.listeningOnly) {
        if (protocol === 'tcp' ? stateCode !== TCP_LISTEN : remotePort !== 0) continue;
      }
    }
    const queues = fieldStart[4]!;
    const queueColon = text.indexOf(':', queues);
    let state: SocketState;
    if (protocol === 'udp') state = stateCode === TCP_ESTABLISHED ? 'ESTAB' : 'UNCONN';
    else state = TCP_STATES[stateCode] ?? 'UNKNOWN';
    rows.push({
      protocol,
      family,
      address: family === 'ipv4' ? decodeProcIPv4(text, local) : decodeProcIPv6(text, local),
      port,
      remoteAddress: family === 'ipv4' ? decodeProcIPv4(text, remote) : decodeProcIPv6(text, remote),
      remotePort,
      state,
      uid: parseDecimal(text, fieldStart[7]!, fieldEnd[7]!),
      inode: parseDecimal(text, fieldStart[9]!, fieldEnd[9]!),
      txQueue: parseHex(text, queues, queueColon),
      rxQueue: parseHex(text, queueColon + 1, fieldEnd[4]!),
    });
  }
  return rows;
}

/** The four tables and what they hold, in the order `ss` lists them. */
export const PROC_NET_TABLES: readonly { readonly file: string; readonly protocol: Protocol; readonly family: Family }[] = [
  { file: 'tcp', protocol: 'tcp', family: 'ipv4' },
  { file: 'tcp6', protocol: 'tcp', family: 'ipv6' },
  { file: 'udp', protocol: 'udp', family: 'ipv4' },
  { file: 'udp6', protocol: 'udp', family: 'ipv6' },
];

/** True when a row's local address is a wildcard (0.0.0.0 or ::). */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
