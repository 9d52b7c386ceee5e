import type { NetstatLayout, NetstatRow } from '../../src/platform/darwin/netstat.js';

/**
 * A model of how macOS netstat prints `-an[v][l] -p tcp|udp`, written from Apple's format strings
 * (apple-oss-distributions/network_cmds, netstat.tproj/inet.c `protopr`, `inetprint`,
 * `inet6print` and main.c `print_socket_stats_format`/`_data`). The tests first prove it against
 * recorded output (every recorded row re-renders byte for byte), then use it to make property-test
 * inputs and the 2,000-socket performance input, and the layouts nobody has published a recording
 * of (see test/fixtures/darwin/SOURCES.md).
 */

/** Which netstat: the release of network_cmds decides the columns and widths. */
export type NetstatVersion =
  /** network_cmds-606 (macOS 12): `rhiwat shiwat pid epid state options`, header 22 wide always. */
  | 'classic-606'
  /** 642–671 (13–14): `%7u` buffers, gencnt columns, `usscnt`. */
  | 'gencnt-642'
  /** 696 (15.0–15.2): rxbytes/txbytes `%10llu` before rhiwat, `usecnt`. */
  | 'bytes-696'
  /** 698–705 (15.3+): rxbytes/txbytes `%12llu`. */
  | 'bytes-698'
  /** 726–728 (26.0–26.3): `%16s:%-6u` process:pid, header width follows -l. */
  | 'process-726'
  /** 730+ (26.4+): the same rows; the header is 45 wide exactly when -l is NOT given. */
  | 'process-730';

export interface FormatEndpoint {
  /** `*`, dotted IPv4 or IPv6 text (with a zone if any), as inetname/inet6name would give it. */
  readonly host: string;
  /** 0 prints `*`. */
  readonly port: number;
}

export interface FormatRow {
  readonly protocol: 'tcp' | 'udp';
  /** inp_vflag: `4 `, `6 ` or `46` (a dual-stack socket prints through the IPv4 path). */
  readonly vflag: '4' | '6' | '46';
  readonly recvQ: number;
  readonly sendQ: number;
  readonly local: FormatEndpoint;
  readonly foreign: FormatEndpoint;
  /** TCP: tcpstates[] name or a number; UDP: ignored. */
  readonly state: string;
  readonly rxbytes: number;
  readonly txbytes: number;
  readonly rhiwat: number;
  readonly shiwat: number;
  readonly pid: number;
  readonly epid: number;
  readonly soState: number;
  readonly options: number;
  readonly gencnt: bigint;
  readonly flags: number;
  readonly flags1: number;
  readonly usecnt: number;
  readonly rtncnt: number;
  readonly fltrs: number;
  /** proc_name() of the pid: netstat shows its first 16 characters. */
  readonly name: string;
}

export interface FormatOptions {
  readonly version: NetstatVersion;
  /** -v */
  readonly verbose: boolean;
  /** -l (full IPv6 addresses, 45-wide address fields) */
  readonly long: boolean;
  /** -a: "(including servers)" */
  readonly all?: boolean;
}

/** `%-W.Ps` */
const left = (text: string, width: number, precision = Infinity): string => text.slice(0, precision).padEnd(width);
/** `%Ws` / `%Wu` */
const right = (text: string | number, width: number): string => String(text).padStart(width);
/** `%0Wx` */
const hex = (value: number | bigint, width: number): string => value.toString(16).padStart(width, '0');

function addressWidth(options: FormatOptions, header: boolean): number {
  if (header && options.version === 'classic-606') return 22;
  if (header && options.version === 'process-730') return options.long ? 22 : 45;
  return options.long ? 45 : 22;
}

/** inetprint / inet6print with -n. */
function endpoint(row: FormatRow, which: FormatEndpoint, options: FormatOptions): string {
  const width = addressWidth(options, false);
  const port = which.port === 0 ? '*' : String(which.port);
  const line = row.vflag === '6' ? `${which.host.slice(0, options.long ? 39 : 16)}.${port}` : `${which.host.slice(0, 16)}.${port} `;
  return `${left(line, width, width)} `;
}

function statsHeader(options: FormatOptions): string {
  const v = options.version;
  if (v === 'classic-606') return ` ${right('rhiwat', 6)} ${right('shiwat', 6)} ${right('pid', 6)} ${right('epid', 6)} ${right('state', 6)} ${right('options', 10)}`;
  const bytes = v === 'bytes-696' ? ` ${right('rxbytes', 10)} ${right('txbytes', 10)}` : v === 'gencnt-642' ? '' : ` ${right('rxbytes', 12)} ${right('txbytes', 12)}`;
  const owner = v.startsWith('process') ? ` ${right('process', 16)}:${left('pid', 6)}` : ` ${right('pid', 6)} ${right('epid', 6)}`;
  const tail = ` ${right('gencnt', 16)} ${right('flags', 8)} ${right('flags1', 8)} ${right(v === 'gencnt-642' ? 'usscnt' : 'usecnt', 6)} ${right('rtncnt', 6)} ${right('fltrs', 5)}`;
  return `${bytes} ${right('rhiwat', 7)} ${right('shiwat', 7)}${owner} ${right('state', 5)} ${right('options', 8)}${tail}`;
}

function statsRow(row: FormatRow, options: FormatOptions): string {
  const v = options.version;
  if (v === 'classic-606') {
    return ` ${right(row.rhiwat, 6)} ${right(row.shiwat, 6)} ${right(row.pid, 6)} ${right(row.epid, 6)} 0x${hex(row.soState, 4)} 0x${hex(row.options, 8)}`;
  }
  const bytes = v === 'bytes-696' ? ` ${right(row.rxbytes, 10)} ${right(row.txbytes, 10)}` : v === 'gencnt-642' ? '' : ` ${right(row.rxbytes, 12)} ${right(row.txbytes, 12)}`;
  // `%16s` has no precision, but every recorded name is cut to 16 characters before it is printed.
  const owner = v.startsWith('process') ? ` ${right(row.name.slice(0, 16), 16)}:${left(String(row.pid), 6)}` : ` ${right(row.pid, 6)} ${right(row.epid, 6)}`;
  const ids = ` ${hex(row.soState, 5)} ${hex(row.options, 8)}`;
  const tail = ` ${hex(row.gencnt, 16)} ${hex(row.flags, 8)} ${hex(row.flags1, 8)} ${right(row.usecnt, 6)} ${right(row.rtncnt, 6)} ${hex(row.fltrs, 6)}`;
  return `${bytes} ${right(row.rhiwat, 7)} ${right(row.shiwat, 7)}${owner}${ids}${tail}`;
}

/** The header lines netstat prints before the first row. */
export function formatHeader(options: FormatOptions): string {
  const width = addressWidth(options, true);
  const title = `Active Internet connections${options.all === false ? '' : ' (including servers)'}`;
  const columns = `${left('Proto', 5, 5)} ${left('Recv-Q', 6, 6)} ${left('Send-Q', 6, 6)}  ${left('Local Address', width, width)} ${left('Foreign Address', width, width)} ${left('(state)', 11, 11)}`;
  return `${title}\n${columns}${options.verbose ? statsHeader(options) : ''}\n`;
}

/** One row as protopr prints it (with its newline). */
export function formatRow(row: FormatRow, options: FormatOptions): string {
  const head = `${left(row.protocol, 3, 3)}${left(row.vflag === '46' ? '46' : `${row.vflag} `, 2, 2)} ${right(row.recvQ, 6)} ${right(row.sendQ, 6)}  `;
  const state = row.protocol === 'tcp' ? row.state.padEnd(11) : ' '.repeat(11);
  return `${head}${endpoint(row, row.local, options)}${endpoint(row, row.foreign, options)}${state}${options.verbose ? statsRow(row, options) : ''}\n`;
}

/** A whole table: header and rows. */
export function formatNetstat(rows: readonly FormatRow[], options: FormatOptions): string {
  return formatHeader(options) + rows.map((r) => formatRow(r, options)).join('');
}

/** The layout each netstat version prints with -v. */
export const LAYOUT_OF: Readonly<Record<NetstatVersion, NetstatLayout>> = {
  'classic-606': 'classic',
  'gencnt-642': 'gencnt',
  'bytes-696': 'bytes',
  'bytes-698': 'bytes',
  'process-726': 'process-pid',
  'process-730': 'process-pid',
};

/** The recorded columns of one row, for re-rendering it through the format-string model. */
export function recordedRow(line: string, parsed: NetstatRow, version: NetstatVersion, verbose: boolean): FormatRow {
  const tokens = line.trim().split(/\s+/);
  const stats = tokens.slice(parsed.protocol === 'tcp' ? 6 : 5);
  const num = (text: string | undefined): number => Number(text ?? 0);
  const hex = (text: string | undefined): number => parseInt((text ?? '0').replace(/^0x/, ''), 16);
  const layout = LAYOUT_OF[version];
  const [rx, tx] = layout === 'bytes' || layout === 'process-pid' ? stats : [];
  const afterBytes = layout === 'bytes' ? stats.slice(2) : stats;
  const [rhiwat, shiwat, pid, epid, soState, options, gencnt = '0', flags, flags1, usecnt, rtncnt, fltrs] =
    layout === 'process-pid' ? [stats[2], stats[3], String(parsed.pid), '0', ...stats.slice(-8)] : afterBytes;
  return {
    protocol: parsed.protocol,
    vflag: (tokens[0] ?? '').slice(3) as FormatRow['vflag'],
    recvQ: parsed.recvQ,
    sendQ: parsed.sendQ,
    local: { host: parsed.addressText, port: parsed.port },
    foreign: { host: parsed.remoteAddressText, port: parsed.remotePort ?? 0 },
    state: parsed.protocol === 'tcp' ? (tokens[5] ?? '') : '',
    rxbytes: num(rx),
    txbytes: num(tx),
    rhiwat: num(rhiwat),
    shiwat: num(shiwat),
    pid: verbose ? num(pid) : 0,
    epid: num(epid),
    soState: hex(soState),
    options: hex(options),
    gencnt: BigInt(`0x${gencnt}`),
    flags: hex(flags),
    flags1: hex(flags1),
    usecnt: num(usecnt),
    rtncnt: num(rtncnt),
    fltrs: hex(fltrs),
    name: parsed.processName ?? '',
  };
}

