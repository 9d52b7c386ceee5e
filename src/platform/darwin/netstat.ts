import { isIPv4 } from 'node:net';
import type { Family, Protocol, SocketState } from '../../types.js';
import { canonicalIPv6, parsePortText, wildcardAddress } from './address.js';
import { ProblemList } from './problems.js';
import { tcpState } from './tcp-state.js';

/**
 * `netstat -an[v][l] -p tcp|udp` on macOS (network_cmds, netstat.tproj/inet.c and main.c).
 *
 * The columns after `(state)` moved between releases, and reading the wrong one as the pid is how
 * tools end up killing a process whose pid happens to equal a receive-buffer size. So the layout
 * is read from the header's column NAMES (never from a fixed column number, and never from the
 * header's character positions: from network_cmds-730 the header is printed 45 wide exactly when
 * the rows are 22 wide, and the other way round), and a layout that is not one of the known ones
 * yields no pid at all.
 *
 * | layout        | columns after `(state)` (format strings)                                  | macOS   |
 * |---------------|---------------------------------------------------------------------------|---------|
 * | `no-pid`      | none (`netstat -an` without `-v`)                                         | all     |
 * | `classic`     | `rhiwat shiwat pid epid state options` (`" %6u %6u %6u %6u 0x%04x 0x%08x"`) | ≤ 12    |
 * | `gencnt`      | the same (`%7u` buffers) plus `gencnt flags flags1 usscnt rtncnt fltrs`     | 13–14   |
 * | `bytes`       | `rxbytes txbytes` (`%10llu`, later `%12llu`) before the `gencnt` columns   | 15      |
 * | `process-pid` | `rxbytes txbytes rhiwat shiwat process:pid state options gencnt …`          | 26      |
 *
 * Rows are read from anchors: protocol, queues, local and foreign address from the left; for TCP
 * the state word; then the statistics columns, counted from the left and, for `process:pid` (the
 * name is right-aligned `%16s` and may contain spaces), also from the right. UDP rows have no
 * state word (netstat prints 11 spaces).
 *
 * Addresses are `host.port`. IPv6 hosts are cut: `%.16s` without `-l`, `%.39s` with it (the port
 * is appended after the cut, so it is always whole). A host that may have been cut is reported as
 * `addressTruncated` with `address: null`, never as a guessed address.
 */

export type NetstatLayout = 'no-pid' | 'classic' | 'gencnt' | 'bytes' | 'process-pid';

export interface NetstatRow {
  readonly protocol: Protocol;
  /** `tcp46`/`udp46` sockets are IPv6 sockets that also accept IPv4: family `ipv6`, `dualStack`. */
  readonly family: Family;
  readonly dualStack: boolean;
  /** Numeric and canonical (`0.0.0.0`/`::` for `*`); null only when `addressTruncated`. */
  readonly address: string | null;
  readonly port: number;
  /** netstat cut the IPv6 host (no `-l`, or a zone past 39 characters): `addressText` is a prefix. */
  readonly addressTruncated: boolean;
  /** The local host exactly as printed, before the port. */
  readonly addressText: string;
  /** Null for `*.*` (not connected), and when `remoteAddressTruncated`. */
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly remoteAddressTruncated: boolean;
  readonly remoteAddressText: string;
  /** Spelled like `ss`; UDP rows are UNCONN (or ESTAB when connected). */
  readonly state: SocketState;
  readonly recvQ: number;
  readonly sendQ: number;
  /** The last process that used the socket (so_last_pid): null whenever the layout is not known. */
  readonly pid: number | null;
  /** Only in the `process-pid` layout; may contain spaces. */
  readonly processName: string | null;
  /** netstat shows at most 16 characters of the name: a 16-character name may be cut. */
  readonly processNameMaybeTruncated: boolean;
}

export interface NetstatResult {
  /** The layout of the header(s); null when there was no header or it was not recognised. */
  readonly layout: NetstatLayout | null;
  readonly rows: readonly NetstatRow[];
  readonly problems: readonly string[];
}

export interface NetstatOptions {
  /**
   * Whether the output came from `netstat -l` (full IPv6 addresses). When omitted it is read from
   * each row: with `-l` the local address field is 45 characters wide, without it 22.
   */
  readonly fullAddresses?: boolean;
}

const CLASSIC = ['rhiwat', 'shiwat', 'pid', 'epid', 'state', 'options'] as const;
const GENCNT = [...CLASSIC, 'gencnt', 'flags', 'flags1', 'usecnt', 'rtncnt', 'fltrs'] as const;
const LAYOUTS: readonly { readonly layout: NetstatLayout; readonly columns: readonly string[] }[] = [
  { layout: 'no-pid', columns: [] },
  { layout: 'classic', columns: CLASSIC },
  { layout: 'gencnt', columns: GENCNT },
  { layout: 'bytes', columns: ['rxbytes', 'txbytes', ...GENCNT] },
  {
    layout: 'process-pid',
    columns: ['rxbytes', 'txbytes', 'rhiwat', 'shiwat', 'process:pid', 'state', 'options', 'gencnt', 'flags', 'flags1', 'usecnt', 'rtncnt', 'fltrs'],
  },
];

/**
 * How each statistics column prints: `%u`/`%llu`, `%d`, or `%0Nx` (with `0x` in the classic
 * layout). Only the pid and the process name are captured: a capture is a string made per row.
 */
const DECIMAL = '\\d+';
const SIGNED = '-?\\d+';
const HEX = '(?:0x)?[0-9a-fA-F]+';
const COLUMN_PATTERN: Readonly<Record<string, string>> = {
  rxbytes: DECIMAL,
  txbytes: DECIMAL,
  rhiwat: DECIMAL,
  shiwat: DECIMAL,
  pid: `(${DECIMAL})`,
  epid: DECIMAL,
  state: HEX,
  options: HEX,
  gencnt: HEX,
  flags: HEX,
  flags1: HEX,
  usecnt: SIGNED,
  rtncnt: SIGNED,
  fltrs: HEX,
  // The name is right-aligned `%16s`, may hold spaces and colons: the last `:digits` before the
  // fixed columns that follow is the pid (the expression is anchored at the end of the line).
  'process:pid': '(.*?):(\\d+)',
};

/** netstat prints at most 16 characters of a process name. */
const NAME_WIDTH = 16;
/** `%-22.22s` / `%-45.45s` plus the separating space. */
const WIDE_FIELD = 46;
const NARROW_FIELD_MAX = 22;
/** `inet6print`: `%.16s` of the host without `-l`, `%.39s` with it. */
const NARROW_HOST_CUT = 16;
const WIDE_HOST_CUT = 39;

const HEADER = /^Proto\s+Recv-Q\s+Send-Q\s+Local Address\s+Foreign Address\s+\(state\)(.*)$/i;
const IPV6_PREFIX = /^[0-9a-f:.]*(?:%[A-Za-z0-9_.-]*)?$/i;

/** A `Proto … (state) …` header: the names of the columns after `(state)`, and the layout they make. */
export interface NetstatHeader {
  readonly layout: NetstatLayout | null;
  readonly columns: readonly string[];
}

/**
 * A header made into one expression for the columns after the state, built once per header: the
 * regular-expression engine then reads each row in native code (a table has thousands of rows, and
 * the command-line tool parses it once, cold).
 */
interface Reading {
  readonly section: NetstatHeader;
  readonly stats: RegExp | null;
  /** Capture groups of the pid and the process name in `stats`, or -1. */
  readonly pidGroup: number;
  readonly nameGroup: number;
}

function readingOf(section: NetstatHeader): Reading {
  if (section.layout === null) return { section, stats: null, pidGroup: -1, nameGroup: -1 };
  let group = 1;
  let pidGroup = -1;
  let nameGroup = -1;
  const parts = section.columns.map((column) => {
    if (column === 'pid') pidGroup = group++;
    if (column === 'process:pid') {
      nameGroup = group++;
      pidGroup = group++;
    }
    return COLUMN_PATTERN[column] ?? '\\S+';
  });
  // Sticky: matched where the state ends, on the row itself (no copy of the rest of the row).
  return { section, stats: new RegExp(`${parts.map((part) => `\\s+${part}`).join('')}\\s*$`, 'sy'), pidGroup, nameGroup };
}

/**
 * Reads the header's column names after `(state)`. `usscnt` is how 13–14 spell `usecnt`.
 *
 * @example
 * readHeader('Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)     rhiwat shiwat    pid   epid  state    options');
 * // { layout: 'classic', columns: ['rhiwat', 'shiwat', 'pid', 'epid', 'state', 'options'] }
 */
export function readHeader(line: string): NetstatHeader | null {
  const match = HEADER.exec(line.trim());
  if (match === null) return null;
  const columns = (match[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter((c) => c !== '')
    .map((c) => (c.toLowerCase() === 'usscnt' ? 'usecnt' : c.toLowerCase()));
  const known = LAYOUTS.find((l) => l.columns.length === columns.length && l.columns.every((c, i) => c === columns[i]));
  return { layout: known?.layout ?? null, columns };
}

interface Endpoint {
  readonly host: string;
  readonly port: number | '*';
}

function splitEndpoint(text: string): Endpoint | null {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return null;
  const port = parsePortText(text.slice(dot + 1));
  return port === null ? null : { host: text.slice(0, dot), port };
}

interface Host {
  readonly address: string | null;
  readonly truncated: boolean;
}

/** `*` → wildcard; IPv4 text on an IPv6 socket → `::ffff:a.b.c.d`; a possibly cut IPv6 host → truncated. */
function readHost(host: string, family: Family, wide: boolean): Host | string {
  if (host === '*') return { address: wildcardAddress(family), truncated: false };
  if (isIPv4(host)) return { address: family === 'ipv4' ? host : `::ffff:${host}`, truncated: false };
  if (family === 'ipv4') return `"${host}" is not a numeric IPv4 address (was netstat run without -n?)`;
  const cut = wide ? host.length >= WIDE_HOST_CUT && canonicalIPv6(host) === null : host.length >= NARROW_HOST_CUT;
  // Only text made of IPv6 characters can be the start of an address; a 16-letter host name is not.
  if (cut && IPV6_PREFIX.test(host)) return { address: null, truncated: true };
  const canonical = canonicalIPv6(host);
  if (canonical === null) return `"${host}" is not a numeric IPv6 address (was netstat run without -n?)`;
  return { address: canonical, truncated: false };
}

interface ProcessColumns {
  readonly pid: number | null;
  readonly processName: string | null;
  readonly problem: string | null;
}

const NO_PROCESS: ProcessColumns = { pid: null, processName: null, problem: null };

/** The statistics columns (the row from `from`, where the state ends): the pid by the header's column names. */
function readProcessColumns(line: string, from: number, reading: Reading): ProcessColumns {
  const { layout, columns } = reading.section;
  if (layout === null || reading.stats === null) return NO_PROCESS;
  reading.stats.lastIndex = from;
  const match = reading.stats.exec(line);
  if (match === null) return { ...NO_PROCESS, problem: `the columns after the state do not fit the ${layout} header (${columns.join(' ') || 'none'})` };
  if (reading.pidGroup === -1) return NO_PROCESS;
  const name = reading.nameGroup === -1 ? null : (match[reading.nameGroup] ?? '');
  return { pid: Number(match[reading.pidGroup]), processName: name === '' ? null : name, problem: null };
}

/** The same few hosts recur on every row (`*`, `127.0.0.1`, `::1`): each is read once per text. */
class HostCache {
  /** One table per family and field width. */
  private readonly tables: Map<string, Host | string>[] = [new Map(), new Map(), new Map(), new Map()];

  read(host: string, family: Family, wide: boolean): Host | string {
    const table = this.tables[(family === 'ipv4' ? 0 : 2) + (wide ? 1 : 0)]!;
    let known = table.get(host);
    if (known === undefined) {
      known = readHost(host, family, wide);
      table.set(host, known);
    }
    return known;
  }
}

/** The anchors at the start of every row: protocol, queues, local address, the blanks after it, foreign address. */
const ROW_HEAD = /^\s*(tcp|udp)(46|4|6)\s+(\d+)\s+(\d+)\s+(\S+)(\s+)(\S+)/;
/** The state word, read where the head ends (sticky: the rest of the line is not copied for it). */
const STATE_WORD = /\s+(\S+)/y;
const UNCONNECTED: Host = { address: null, truncated: false };

/** One socket row, or null with the reason added to `problems`. */
function parseRow(line: string, reading: Reading, options: NetstatOptions, hosts: HostCache, problems: ProblemList): NetstatRow | null {
  const head = ROW_HEAD.exec(line);
  if (head === null) {
    problems.add(`not a socket row: "${line.trim()}"`);
    return null;
  }
  const protocol = head[1] as Protocol;
  const vflag = head[2] ?? '';
  const localText = head[5] ?? '';
  const foreignText = head[7] ?? '';
  const family: Family = vflag === '4' ? 'ipv4' : 'ipv6';
  let restAt = head[0].length;
  let state: SocketState = 'UNCONN';
  if (protocol === 'tcp') {
    STATE_WORD.lastIndex = restAt;
    const word = STATE_WORD.exec(line);
    const mapped = word === null ? null : tcpState(word[1] ?? '');
    if (word === null || (mapped === null && !/^-?\d+$/.test(word[1] ?? ''))) {
      problems.add(`no TCP state in "${line.trim()}"`);
      return null;
    }
    state = mapped ?? 'UNKNOWN';
    restAt = STATE_WORD.lastIndex;
  }
  const local = splitEndpoint(localText);
  const foreign = splitEndpoint(foreignText);
  if (local === null || foreign === null) {
    problems.add(`addresses without a port in "${line.trim()}"`);
    return null;
  }
  // With -l the local address field is 45 wide, without it 22: where the foreign address starts says which.
  const wide = options.fullAddresses ?? (localText.length + (head[6] ?? '').length >= WIDE_FIELD || localText.length > NARROW_FIELD_MAX);
  const localHost = hosts.read(local.host, family, wide);
  if (typeof localHost === 'string') {
    problems.add(localHost);
    return null;
  }
  const connected = !(foreign.host === '*' && foreign.port === '*');
  const remoteHost = connected ? hosts.read(foreign.host, family, wide) : UNCONNECTED;
  if (typeof remoteHost === 'string') {
    problems.add(remoteHost);
    return null;
  }
  if (protocol === 'udp') state = connected ? 'ESTAB' : 'UNCONN';
  const processColumns = readProcessColumns(line, restAt, reading);
  if (processColumns.problem !== null) problems.add(`${processColumns.problem}: no pid for "${line.trim()}"`);
  return {
    protocol,
    family,
    dualStack: vflag === '46',
    address: localHost.address,
    port: local.port === '*' ? 0 : local.port,
    addressTruncated: localHost.truncated,
    addressText: local.host,
    remoteAddress: remoteHost.address,
    remotePort: connected && foreign.port !== '*' ? foreign.port : null,
    remoteAddressTruncated: remoteHost.truncated,
    remoteAddressText: foreign.host,
    state,
    recvQ: Number(head[3]),
    sendQ: Number(head[4]),
    pid: processColumns.pid,
    processName: processColumns.processName,
    processNameMaybeTruncated: (processColumns.processName?.length ?? 0) >= NAME_WIDTH,
  };
}

const NO_HEADER: NetstatHeader = { layout: null, columns: [] };
const PROTO_START = /^\s*Proto/;
const ROW_START = /^\s*(tcp|udp)/;

/**
 * Parses the output of `netstat -an[v][l] -p tcp|udp` (one or several tables; other sections such
 * as UNIX sockets are skipped). Pure: a function of the text.
 *
 * @example
 * const { layout, rows } = parseNetstat([
 *   'Active Internet connections (including servers)',
 *   'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)     rhiwat shiwat    pid   epid  state    options',
 *   'tcp4       0      0  127.0.0.1.631          *.*                    LISTEN      131072 131072  26008      0 0x0080 0x00000006',
 * ].join('\n'));
 * // layout 'classic'; rows[0]: { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 631, state: 'LISTEN', pid: 26008, … }
 */
export function parseNetstat(text: string, options: NetstatOptions = {}): NetstatResult {
  const problems = new ProblemList();
  const rows: NetstatRow[] = [];
  const layouts = new Set<NetstatLayout | null>();
  let reading = readingOf(NO_HEADER);
  let rowsWithoutHeader = 0;
  const hosts = new HostCache();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = PROTO_START.test(line) ? readHeader(line) : null;
    if (header !== null) {
      reading = readingOf(header);
      layouts.add(header.layout);
      if (header.layout === null) problems.add(`unrecognised netstat header columns after (state): "${header.columns.join(' ')}"; no pid is reported`);
      continue;
    }
    if (!ROW_START.test(line)) continue;
    const row = parseRow(line, reading, options, hosts, problems);
    if (row === null) continue;
    if (reading.section === NO_HEADER) rowsWithoutHeader++;
    rows.push(row);
  }
  if (rowsWithoutHeader > 0) {
    layouts.add(null);
    problems.add(`${rowsWithoutHeader} rows came without a "Proto … (state)" header: which column holds the pid is unknown, so no pid is reported for them`);
  }
  if (layouts.size > 1) problems.add(`tables with different layouts (${[...layouts].map((l) => l ?? 'unknown').join(', ')})`);
  const layout = layouts.size === 1 ? ([...layouts][0] ?? null) : null;
  if (layouts.size === 0) problems.add('no netstat header and no socket rows');
  // One rule for every consumer: no recognised layout, no pid (even from a table that had one).
  const trusted = layout === null ? rows.map((row) => ({ ...row, pid: null, processName: null, processNameMaybeTruncated: false })) : rows;
  return { layout, rows: trusted, problems: problems.list() };
}
