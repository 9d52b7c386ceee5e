import type { SocketState } from '../../types.js';
import { isUnspecifiedAddress, parseEndpoint, socketRow, type Endpoint, type Win32SocketRow } from './socket-row.js';

/**
 * `netstat -ano` (and `-anoq`) text → socket rows, read by structure rather than by words.
 *
 * netstat translates its title, its column headings and its state column (German `ABHÖREN`,
 * `HERGESTELLT`, `WARTEND`), but never the protocol (`TCP`/`UDP`), the numeric addresses or the
 * PID. So a row is recognised by its shape: a protocol, a local endpoint, a foreign endpoint,
 * for TCP a state of one or more words, and the PID as the last field. UDP rows have no state.
 * Everything that is not a row (title, headings, blank lines, in any language) is skipped;
 * a line that starts like a row but does not fit is reported in `problems` and left out whole,
 * never half-read: a wrong PID gets killed.
 */

export interface NetstatParseOptions {
  /**
   * The text is `netstat -anoq` output: bound-but-not-listening TCP sockets are listed too, and
   * they have the same `0.0.0.0:0` foreign address as a listener (docker/for-win#14859: Docker
   * Desktop holding 2,000 such sockets). A row of that shape whose state word we cannot read is
   * then `UNKNOWN` (see `resolveBoundRows`) instead of `LISTEN`.
   */
  readonly includesBound?: boolean;
}

export interface NetstatParse {
  readonly rows: readonly Win32SocketRow[];
  /** One sentence per line that looked like a row but could not be read (with its line number). */
  readonly problems: readonly string[];
}

/**
 * netstat's English state words (the words of netstat.exe, MIB_TCP_STATE) in ss spelling.
 * `BOUND` (only with -q) is a socket bound to a port that neither listens nor connects: ss shows
 * such a TCP socket (state CLOSE) as UNCONN, and so do we. `CLOSED` likewise.
 */
const ENGLISH_STATES: ReadonlyMap<string, SocketState> = new Map([
  ['LISTENING', 'LISTEN'],
  ['ESTABLISHED', 'ESTAB'],
  ['SYN_SENT', 'SYN-SENT'],
  ['SYN_RECEIVED', 'SYN-RECV'],
  ['FIN_WAIT_1', 'FIN-WAIT-1'],
  ['FIN_WAIT_2', 'FIN-WAIT-2'],
  ['CLOSE_WAIT', 'CLOSE-WAIT'],
  ['CLOSING', 'CLOSING'],
  ['LAST_ACK', 'LAST-ACK'],
  ['TIME_WAIT', 'TIME-WAIT'],
  ['CLOSED', 'UNCONN'],
  ['BOUND', 'UNCONN'],
  ['DELETE_TCB', 'UNKNOWN'],
]);

/**
 * Localised state words seen in recorded output (test/fixtures/win32/netstat-ano.de.utf16le.txt).
 * Only words whose meaning the recording itself confirms are here: every `WARTEND` row there has
 * PID 0 and a remote peer, which is what TIME_WAIT rows look like. French, Spanish, Russian and
 * Chinese Windows keep the English words. Any other word falls back to the row's shape.
 */
const LOCALISED_STATES: ReadonlyMap<string, SocketState> = new Map([
  ['ABHÖREN', 'LISTEN'],
  ['HERGESTELLT', 'ESTAB'],
  ['WARTEND', 'TIME-WAIT'],
  ['SCHLIESSEN_WARTEN', 'CLOSE-WAIT'],
  ['SYN_GESENDET', 'SYN-SENT'],
]);

const PID_TEXT = /^\d{1,10}$/;
const MAX_PID = 0xffffffff;

/**
 * Parses `netstat -ano` / `netstat -anoq` output in any display language.
 *
 * @example
 * const { rows } = parseNetstat('  TCP    0.0.0.0:3000    0.0.0.0:0    ABHÖREN    4242\r\n');
 * rows[0]; // { protocol: 'tcp', address: '0.0.0.0', port: 3000, state: 'LISTEN', rawState: 'ABHÖREN', pid: 4242, … }
 */
export function parseNetstat(text: string, options: NetstatParseOptions = {}): NetstatParse {
  const rows: Win32SocketRow[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n|\r/);
  for (let index = 0; index < lines.length; index++) {
    const fields = (lines[index] ?? '').trim().split(/\s+/);
    const protocol = (fields[0] ?? '').toUpperCase();
    if (protocol !== 'TCP' && protocol !== 'UDP') continue;
    const row = protocol === 'TCP' ? readTcpRow(fields, options) : readUdpRow(fields);
    if (typeof row === 'string') problems.push(`line ${index + 1}: ${row}`);
    else rows.push(row);
  }
  return { rows, problems };
}

/**
 * Rows whose local port is exactly `port` (a number comparison: 3000 never matches 30001, and
 * 300 never matches 3000).
 *
 * @example
 * rowsOnPort(rows, 3000).map((row) => row.port); // [3000, 3000]
 */
export function rowsOnPort(rows: readonly Win32SocketRow[], port: number): Win32SocketRow[] {
  return rows.filter((row) => row.port === port);
}

/**
 * Settles the rows `parseNetstat(…, { includesBound: true })` could not tell apart: a TCP row
 * with a `0.0.0.0:0` / `[::]:0` foreign address and a state word we do not know is either a
 * listener or a bound socket. `listening` is a plain `netstat -ano` taken at (nearly) the same
 * time: a row that is there as a listener listens; otherwise it is bound (UNCONN). Rows that are
 * already known are returned as they are.
 *
 * @example
 * resolveBoundRows(parseNetstat(anoq, { includesBound: true }).rows, parseNetstat(ano).rows);
 */
export function resolveBoundRows(withBound: readonly Win32SocketRow[], listening: readonly Win32SocketRow[]): Win32SocketRow[] {
  const listeners = new Set(listening.filter((row) => row.state === 'LISTEN').map(rowKey));
  return withBound.map((row) => {
    if (row.protocol !== 'tcp' || row.state !== 'UNKNOWN' || row.remoteAddress !== null) return row;
    return { ...row, state: listeners.has(rowKey(row)) ? 'LISTEN' : 'UNCONN' };
  });
}

function rowKey(row: Win32SocketRow): string {
  return `${row.protocol} ${row.address}%${row.zone ?? ''} ${row.port} ${row.pid}`;
}

function readTcpRow(fields: readonly string[], options: NetstatParseOptions): Win32SocketRow | string {
  // TCP local foreign STATE… pid. The state may be more than one word in some languages.
  const local = readLocal(fields[1] ?? '');
  if (typeof local === 'string') return local;
  const foreignText = fields[2] ?? '';
  const foreign = parseEndpoint(foreignText);
  if (foreign === null) return `foreign address "${foreignText}" is not a numeric address:port (was netstat run without -n?)`;
  if (foreign.family !== local.family) return `local ${local.family} and foreign ${foreign.family} addresses in one row`;
  if (fields.length < 5) return 'a TCP row needs a state and a PID after its addresses (was netstat run without -o?)';
  const pid = readPid(fields[fields.length - 1] ?? '');
  if (typeof pid === 'string') return pid;
  const rawState = fields.slice(3, -1).join(' ');
  const listenerShape = isListenerPeer(foreign);
  const state = tcpState(rawState, listenerShape, options.includesBound === true);
  if (state === null) return `state "${rawState}" says LISTENING but the foreign address ${foreignText} is a peer`;
  return socketRow('tcp', local, listenerShape ? null : foreign, state, rawState, pid);
}

function readUdpRow(fields: readonly string[]): Win32SocketRow | string {
  // UDP local foreign pid: no state column. The foreign side is `*:*` unless the socket is
  // connected (then it is the peer, e.g. `127.0.0.1:53523`).
  if (fields.length !== 4) return `a UDP row has a local address, a foreign address and a PID, no state (got ${fields.length - 1} fields)`;
  const local = readLocal(fields[1] ?? '');
  if (typeof local === 'string') return local;
  const pid = readPid(fields[3] ?? '');
  if (typeof pid === 'string') return pid;
  const foreignText = fields[2] ?? '';
  let remote: Endpoint | null = null;
  if (foreignText !== '*:*') {
    remote = parseEndpoint(foreignText);
    if (remote === null) return `foreign address "${foreignText}" is neither *:* nor a numeric address:port`;
  }
  return socketRow('udp', local, remote, remote === null ? 'UNCONN' : 'ESTAB', null, pid);
}

function readLocal(text: string): Endpoint | string {
  return parseEndpoint(text) ?? `local address "${text}" is not a numeric address:port (was netstat run without -n?)`;
}

function readPid(text: string): number | string {
  if (!PID_TEXT.test(text) || Number(text) > MAX_PID) return `the last field "${text}" is not a PID (was netstat run without -o?)`;
  return Number(text);
}

/** `0.0.0.0:0` or `[::]:0`: what netstat prints as the peer of a socket that has none. */
function isListenerPeer(foreign: Endpoint): boolean {
  return foreign.port === 0 && isUnspecifiedAddress(foreign.address);
}

/**
 * The state of a TCP row, or null when the word contradicts the shape. A known word decides;
 * an unknown word on a row with no peer is a listener (or, in -q output, a listener or a bound
 * socket: UNKNOWN until `resolveBoundRows`); any other unknown word is UNKNOWN.
 */
function tcpState(rawState: string, listenerShape: boolean, includesBound: boolean): SocketState | null {
  const word = rawState.toUpperCase();
  const known = ENGLISH_STATES.get(word) ?? LOCALISED_STATES.get(word);
  if (known === 'LISTEN' && !listenerShape) return null;
  if (known !== undefined) return known;
  if (listenerShape) return includesBound ? 'UNKNOWN' : 'LISTEN';
  return 'UNKNOWN';
}
