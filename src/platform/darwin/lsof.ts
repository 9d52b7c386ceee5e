import { isIPv4 } from 'node:net';
import type { Family, Protocol, SocketState } from '../../types.js';
import { canonicalIPv6, parsePortText, unembedKameScope, wildcardAddress } from './address.js';
import { ProblemList } from './problems.js';
import { tcpState } from './tcp-state.js';

/**
 * `lsof -F` field output (lsof(8), "OUTPUT FOR OTHER PROGRAMS"): one field per unit, its first
 * character naming it. A process set starts at `p` (then `g` pgid, `R` ppid, `c` command, `u` uid,
 * `L` login); a file set starts at `f` (then `t` type, `d` device, `P` protocol, `n` name, `T` TCP info such
 * as `TST=LISTEN`, `TQR=`/`TQS=` queues). With `-F0` every field ends with NUL and every process
 * and file set ends with a NL; without it every field ends with NL. Both are read here.
 *
 * Unlike netstat, lsof sees every descriptor: a pre-forked server's listener appears under each
 * worker, an inherited socket under parent and child. Without root it sees only the caller's own
 * processes.
 */

export interface LsofSocket {
  /** The descriptor number (lsof's `f`) as text; files that are not TCP/UDP sockets are not listed. */
  readonly fd: string;
  /**
   * lsof's `d` field: for a socket on macOS, the kernel address of the socket (`0xa6df851a68cde71`),
   * the same in every process that holds it, so it tells one shared socket from several with the
   * same addresses. Null when the field was not selected.
   */
  readonly device: string | null;
  readonly protocol: Protocol;
  /** From the `t` field (IPv4/IPv6) or the address; null when neither says (`*` without `t`). */
  readonly family: Family | null;
  /** Numeric and canonical; `*` becomes 0.0.0.0/:: by family, or null when the family is unknown. */
  readonly address: string | null;
  /** 0 when lsof printed `*` (not bound to a port yet). */
  readonly port: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** From `TST=`; UDP: UNCONN or ESTAB; TCP without a `T` field: UNKNOWN. */
  readonly state: SocketState;
  /** `TQR=`/`TQS=` when the T field was selected. */
  readonly recvQ: number | null;
  readonly sendQ: number | null;
}

export interface LsofProcess {
  readonly pid: number;
  readonly ppid: number | null;
  readonly pgid: number | null;
  /** lsof's `c` (up to 15 characters unless `+c 0`); empty when the field was not selected. */
  readonly command: string;
  readonly uid: number | null;
  readonly login: string | null;
  readonly sockets: readonly LsofSocket[];
}

export interface LsofResult {
  readonly processes: readonly LsofProcess[];
  readonly problems: readonly string[];
}

/** One side of a socket as lsof names it. */
export interface LsofEndpoint {
  readonly family: Family | null;
  readonly address: string | null;
  readonly port: number | null;
}

/**
 * One side of lsof's `n` field: `127.0.0.1:631`, `[::1]:631`, `*:22`, `*:*`. IPv4 text on an IPv6
 * socket (`t` IPv6) is a dual-stack socket's IPv4 side, written `::ffff:a.b.c.d` as netstat rows
 * of `tcp46` sockets are.
 *
 * @example
 * parseLsofEndpoint('[fe80:5::aede:48ff:fe00:1122]:49154', 'ipv6');
 * // { family: 'ipv6', address: 'fe80::aede:48ff:fe00:1122%5', port: 49154 }
 */
export function parseLsofEndpoint(text: string, typeFamily: Family | null): LsofEndpoint | null {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return null;
  const port = parsePortText(text.slice(colon + 1));
  if (port === null) return null;
  const host = text.slice(0, colon);
  const portNumber = port === '*' ? null : port;
  if (host === '*') return { family: typeFamily, address: typeFamily === null ? null : wildcardAddress(typeFamily), port: portNumber };
  if (host.startsWith('[') && host.endsWith(']')) {
    const canonical = canonicalIPv6(host.slice(1, -1));
    return canonical === null ? null : { family: 'ipv6', address: unembedKameScope(canonical), port: portNumber };
  }
  if (isIPv4(host)) return typeFamily === 'ipv6' ? { family: 'ipv6', address: `::ffff:${host}`, port: portNumber } : { family: 'ipv4', address: host, port: portNumber };
  return null;
}

interface FileFields {
  fd: string;
  device: string | null;
  type: string | null;
  protocol: string | null;
  name: string | null;
  /** `TST=`, `TQR=`, `TQS=` */
  tcpState: string | null;
  recvQ: string | null;
  sendQ: string | null;
}

interface ProcessFields {
  pid: number;
  ppid: number | null;
  pgid: number | null;
  command: string;
  uid: number | null;
  login: string | null;
  sockets: LsofSocket[];
}

function familyOfType(type: string | null): Family | null {
  if (type === 'IPv4') return 'ipv4';
  if (type === 'IPv6') return 'ipv6';
  return null;
}

const DIGITS = /^\d+$/;

function integerOrNull(value: string | null): number | null {
  return value !== null && DIGITS.test(value) ? Number(value) : null;
}

/** `P` as lsof prints it (`TCP`), without making a lower-case copy of each. */
function protocolOf(text: string | null): string | undefined {
  if (text === 'TCP') return 'tcp';
  if (text === 'UDP') return 'udp';
  return text?.toLowerCase();
}

/** A file set made a socket: null for files that are not TCP/UDP sockets, and for addresses that cannot be read (said in `problems`). */
function toSocket(file: FileFields, problems: string[], pid: number): LsofSocket | null {
  const protocol = protocolOf(file.protocol);
  if (protocol !== 'tcp' && protocol !== 'udp') return null;
  const name = file.name ?? '';
  // `local->remote`; anything after a second arrow is not an address lsof writes.
  const arrow = name.indexOf('->');
  const localText = arrow === -1 ? name : name.slice(0, arrow);
  const nextArrow = arrow === -1 ? -1 : name.indexOf('->', arrow + 2);
  const remoteText = arrow === -1 ? undefined : name.slice(arrow + 2, nextArrow === -1 ? name.length : nextArrow);
  const typeFamily = familyOfType(file.type);
  const local = parseLsofEndpoint(localText, typeFamily);
  const remote = remoteText === undefined ? null : parseLsofEndpoint(remoteText, typeFamily);
  if (local === null || (remoteText !== undefined && remote === null)) {
    problems.push(`pid ${pid} fd ${file.fd}: cannot read the address "${name}" (was lsof run without -n -P?)`);
    return null;
  }
  let state: SocketState;
  if (protocol === 'udp') state = remote === null ? 'UNCONN' : 'ESTAB';
  else state = file.tcpState === null ? 'UNKNOWN' : (tcpState(file.tcpState) ?? 'UNKNOWN');
  return {
    fd: file.fd,
    device: file.device,
    protocol,
    family: local.family ?? remote?.family ?? null,
    address: local.address,
    port: local.port ?? 0,
    remoteAddress: remote?.address ?? null,
    remotePort: remote?.port ?? null,
    state,
    recvQ: integerOrNull(file.recvQ),
    sendQ: integerOrNull(file.sendQ),
  };
}

const NL = 10;
const ID_P = 0x70; // p
const ID_F = 0x66; // f
const ID_T_UPPER = 0x54; // T

/**
 * Parses `lsof -F…` output (NL- or NUL-terminated fields) into processes and their TCP/UDP
 * sockets. Other files (cwd, pipes, UNIX sockets) are read past. Pure: a function of the text.
 *
 * The fields are read where they stand in the text (NUL-terminated with `-F0`, where each set
 * also ends with a NL; else NL-terminated), and each file set becomes a socket as soon as it ends:
 * 2,000 sockets are some 15,000 fields, and a command-line run parses them once, in code V8 has
 * not optimised yet, so every intermediate array or copy is paid for in full.
 *
 * @example
 * parseLsof('p805\ncollama\nu501\nLagent\nf3\nPTCP\nn127.0.0.1:11434\nTST=LISTEN\n').processes[0];
 * // { pid: 805, ppid: null, pgid: null, command: 'ollama', uid: 501, login: 'agent',
 * //   sockets: [{ fd: '3', protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 11434, state: 'LISTEN', … }] }
 */
export function parseLsof(text: string): LsofResult {
  const problems = new ProblemList();
  // Said after the field problems, as the addresses are read after the fields.
  const addressProblems: string[] = [];
  const processes: ProcessFields[] = [];
  let process: ProcessFields | null = null;
  let file: FileFields | null = null;
  const finishFile = (): void => {
    if (process === null || file === null) return;
    const socket = toSocket(file, addressProblems, process.pid);
    if (socket !== null) process.sockets.push(socket);
    file = null;
  };
  const nul = text.includes('\0');
  const terminator = nul ? '\0' : '\n';
  let at = 0;
  while (at < text.length) {
    const id = text.charCodeAt(at);
    if (nul && id === NL) {
      at++;
      continue;
    }
    let end = text.indexOf(terminator, at);
    if (end === -1) end = text.length;
    if (end === at) {
      at = end + 1;
      continue;
    }
    if (id === ID_P) {
      finishFile();
      const pid = integerOrNull(text.slice(at + 1, end));
      process = null;
      if (pid === null) problems.add(`not a pid: "${text.slice(at, end)}"`);
      else {
        process = { pid, ppid: null, pgid: null, command: '', uid: null, login: null, sockets: [] };
        processes.push(process);
      }
    } else if (process === null) {
      problems.add(`field "${text.slice(at, end)}" comes before any process (p) field`);
    } else if (id === ID_F) {
      finishFile();
      file = { fd: text.slice(at + 1, end), device: null, type: null, protocol: null, name: null, tcpState: null, recvQ: null, sendQ: null };
    } else if (file === null) {
      const field = text.charAt(at);
      if (field === 'R') process.ppid = integerOrNull(text.slice(at + 1, end));
      else if (field === 'g') process.pgid = integerOrNull(text.slice(at + 1, end));
      else if (field === 'c') process.command = text.slice(at + 1, end);
      else if (field === 'u') process.uid = integerOrNull(text.slice(at + 1, end));
      else if (field === 'L') process.login = text.slice(at + 1, end);
    } else if (id === ID_T_UPPER) {
      // `TST=`, `TQR=`, `TQS=`: the value after the `=`.
      if (text.startsWith('ST=', at + 1)) file.tcpState = text.slice(at + 4, end);
      else if (text.startsWith('QR=', at + 1)) file.recvQ = text.slice(at + 4, end);
      else if (text.startsWith('QS=', at + 1)) file.sendQ = text.slice(at + 4, end);
    } else {
      const field = text.charAt(at);
      if (field === 't') file.type = text.slice(at + 1, end);
      else if (field === 'd') file.device = text.slice(at + 1, end);
      else if (field === 'P') file.protocol = text.slice(at + 1, end);
      else if (field === 'n') file.name = text.slice(at + 1, end);
    }
    at = end + 1;
  }
  finishFile();
  for (const problem of addressProblems) problems.add(problem);
  return { processes, problems: problems.list() };
}
