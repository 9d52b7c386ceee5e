import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIPv6 } from '../../src/platform/darwin/address.js';
import { parseNetstat, type NetstatRow } from '../../src/platform/darwin/netstat.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';
import { formatNetstat, formatRow, LAYOUT_OF, recordedRow, type FormatOptions, type FormatRow, type NetstatVersion } from '../helpers/darwin-netstat-format.js';


const RECORDED: readonly { readonly file: string; readonly options: FormatOptions; readonly header: boolean }[] = [
  { file: 'netstat-tcp-process-pid-macos26-portglimpse.txt', options: { version: 'process-730', verbose: true, long: false }, header: true },
  { file: 'netstat-tcp-process-pid-macos26-pid-port-14.txt', options: { version: 'process-726', verbose: true, long: false }, header: true },
  { file: 'netstat-tcp-process-pid-macos26-trimmed.txt', options: { version: 'process-730', verbose: true, long: false }, header: true },
  { file: 'netstat-udp-process-pid-macos26-trimmed.txt', options: { version: 'process-730', verbose: true, long: false }, header: true },
  { file: 'netstat-tcp-gencnt-landontclipp.txt', options: { version: 'gencnt-642', verbose: true, long: false }, header: true },
  { file: 'netstat-tcp-classic-mojave-node-netstat-26.txt', options: { version: 'classic-606', verbose: true, long: false, all: false }, header: true },
  { file: 'netstat-atn-no-pid-macos15.txt', options: { version: 'bytes-696', verbose: false, long: false }, header: true },
  { file: 'netstat-an-tcp-no-pid-macos26-sanitised.txt', options: { version: 'process-730', verbose: false, long: false }, header: true },
  { file: 'netstat-tcp-header-sequoia-pid-port-12.txt', options: { version: 'bytes-696', verbose: true, long: false }, header: true },
  { file: 'netstat-natvln-grep-bytes-macos15-si-951.txt', options: { version: 'bytes-696', verbose: true, long: true }, header: false },
  { file: 'netstat-anv-grep-listen-classic-linkeverything.txt', options: { version: 'classic-606', verbose: true, long: false }, header: false },
];

describe('the format-string model of netstat, proven on recordings', () => {
  it.each(RECORDED)('re-renders $file byte for byte', ({ file, options, header }) => {
    const text = darwinFixture(file);
    const lines = text.split('\n').filter((l) => l !== '');
    const rowLines = header ? lines.slice(2) : lines;
    const parsed = parseNetstat(text, { fullAddresses: options.long });
    expect(parsed.rows).toHaveLength(rowLines.length);
    const rendered = parsed.rows.map((row, i) => formatRow(recordedRow(rowLines[i] ?? '', row, options.version, options.verbose), options)).join('');
    expect(rendered).toBe(rowLines.map((l) => `${l}\n`).join(''));
    if (header) expect(formatNetstat([], options)).toBe(`${lines.slice(0, 2).join('\n')}\n`);
  });

  it('renders the derived fixtures as the Python rendering of the same format strings did', () => {
    for (const [file, version] of [
      ['netstat-anvl-tcp-bytes-derived.txt', 'bytes-698'],
      ['netstat-anvl-udp-bytes-derived.txt', 'bytes-698'],
      ['netstat-anvl-tcp-process-pid-derived.txt', 'process-730'],
      ['netstat-anvl-udp-process-pid-derived.txt', 'process-730'],
    ] as const) {
      const text = darwinFixture(file);
      const options: FormatOptions = { version, verbose: true, long: true };
      const lines = text.split('\n').filter((l) => l !== '');
      const parsed = parseNetstat(text);
      const rendered = parsed.rows.map((row, i) => formatRow(recordedRow(lines[i + 2] ?? '', row, version, true), options)).join('');
      expect(formatNetstat([], options) + rendered).toBe(text);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Generated tables

const TCP_STATE_NAMES = ['LISTEN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RCVD', 'CLOSE_WAIT', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'LAST_ACK', 'CLOSING', 'CLOSED'];
const SS_STATE: Readonly<Record<string, string>> = {
  LISTEN: 'LISTEN',
  ESTABLISHED: 'ESTAB',
  SYN_SENT: 'SYN-SENT',
  SYN_RCVD: 'SYN-RECV',
  CLOSE_WAIT: 'CLOSE-WAIT',
  FIN_WAIT_1: 'FIN-WAIT-1',
  FIN_WAIT_2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
  LAST_ACK: 'LAST-ACK',
  CLOSING: 'CLOSING',
  CLOSED: 'UNCONN',
};

const ipv6Host = fc.oneof(
  fc.ipV6().map((a) => canonicalIPv6(a) ?? '::1'),
  fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.constantFrom('%lo0', '%en0', '%utun3', '')).map(([g, zone]) => `fe80::${g.toString(16)}${zone}`),
);

/** Names as proc_name gives them: printable, possibly with spaces, digits, colons; never starting with a space. */
const processName = fc.oneof(
  fc.constantFrom('', 'node', 'launchd', 'Google Chrome Helper (Renderer)', 'Code - Insiders', 'com.docker.backend', 'a:1', '12345', 'x y:9'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 24 }).filter((s) => !s.startsWith(' ')),
);

const formatRowArb: fc.Arbitrary<FormatRow> = fc
  .record({
    protocol: fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp'),
    vflag: fc.constantFrom<'4' | '6' | '46'>('4', '6', '46'),
    v4: fc.tuple(fc.oneof(fc.constant('*'), fc.ipV4()), fc.ipV4()),
    v6: fc.tuple(fc.oneof(fc.constant('*'), ipv6Host), ipv6Host),
    localPort: fc.integer({ min: 0, max: 65535 }),
    foreignPort: fc.integer({ min: 1, max: 65535 }),
    connected: fc.boolean(),
    state: fc.constantFrom(...TCP_STATE_NAMES),
    counters: fc.array(fc.nat({ max: 2 ** 31 }), { minLength: 14, maxLength: 14 }),
    pid: fc.integer({ min: 0, max: 99999 }),
    gencnt: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    name: processName,
  })
  .map((g) => {
    const [localHost, foreignHost] = g.vflag === '6' ? g.v6 : g.v4;
    const c = (i: number): number => g.counters[i] ?? 0;
    return {
      protocol: g.protocol,
      vflag: g.vflag,
      recvQ: c(0) % 1000000,
      sendQ: c(1) % 1000000,
      local: { host: localHost, port: g.localPort },
      foreign: g.connected ? { host: foreignHost, port: g.foreignPort } : { host: '*', port: 0 },
      state: g.state,
      rxbytes: c(2),
      txbytes: c(3),
      rhiwat: c(4) % 9999999,
      shiwat: c(5) % 9999999,
      pid: g.pid,
      epid: c(6) % 99999,
      soState: c(7) % 0xfffff,
      options: c(8),
      gencnt: g.gencnt,
      flags: c(9),
      flags1: c(10),
      usecnt: c(11) % 99999,
      rtncnt: c(12) % 99999,
      fltrs: c(13) % 0xffffff,
      name: g.name,
    };
  });

const optionsArb: fc.Arbitrary<FormatOptions> = fc.record({
  version: fc.constantFrom<NetstatVersion>('classic-606', 'gencnt-642', 'bytes-696', 'bytes-698', 'process-726', 'process-730'),
  verbose: fc.boolean(),
  long: fc.boolean(),
});

/** What a person reading the generated table would write down for one row. */
function expectedRow(row: FormatRow, options: FormatOptions): Partial<NetstatRow> {
  const family = row.vflag === '4' ? 'ipv4' : 'ipv6';
  const hostOf = (host: string): { address: string | null; truncated: boolean } => {
    if (host === '*') return { address: family === 'ipv4' ? '0.0.0.0' : '::', truncated: false };
    if (row.vflag === '46') return { address: `::ffff:${host}`, truncated: false };
    if (row.vflag === '6' && !options.long && host.length >= 16) return { address: null, truncated: true };
    return { address: host, truncated: false };
  };
  const local = hostOf(row.local.host);
  const connected = row.foreign.port !== 0;
  const remote = connected ? hostOf(row.foreign.host) : { address: null, truncated: false };
  const layout = options.verbose ? LAYOUT_OF[options.version] : 'no-pid';
  const name = row.name.slice(0, 16);
  return {
    protocol: row.protocol,
    family,
    dualStack: row.vflag === '46',
    address: local.address,
    addressTruncated: local.truncated,
    port: row.local.port,
    remoteAddress: remote.address,
    remoteAddressTruncated: remote.truncated,
    remotePort: connected ? row.foreign.port : null,
    state: (row.protocol === 'tcp' ? SS_STATE[row.state] : connected ? 'ESTAB' : 'UNCONN') as NetstatRow['state'],
    recvQ: row.recvQ,
    sendQ: row.sendQ,
    pid: layout === 'no-pid' ? null : row.pid,
    processName: layout === 'process-pid' && name !== '' ? name : null,
  };
}

describe('generated netstat tables (fast-check)', () => {
  it('every row of every layout reads back as printed: pids, names with spaces and digits, cut names, UDP rows, IPv6 with and without -l', () => {
    fc.assert(
      fc.property(optionsArb, fc.array(formatRowArb, { minLength: 1, maxLength: 8 }), (options, rows) => {
        const result = parseNetstat(formatNetstat(rows, options));
        expect(result.layout).toBe(options.verbose ? LAYOUT_OF[options.version] : 'no-pid');
        expect(result.problems).toEqual([]);
        expect(result.rows).toHaveLength(rows.length);
        rows.forEach((row, i) => expect(result.rows[i]).toMatchObject(expectedRow(row, options)));
      }),
      { numRuns: 400 },
    );
  });

  it('a header that is missing, renamed, short of a column or with one more: no pid on any row', () => {
    const damage = fc.constantFrom('drop', 'rename', 'shorten', 'extend');
    fc.assert(
      fc.property(optionsArb.filter((o) => o.verbose), fc.array(formatRowArb, { minLength: 1, maxLength: 6 }), damage, (options, rows, how) => {
        const [title = '', header = '', ...body] = formatNetstat(rows, options).split('\n');
        const damaged =
          how === 'drop'
            ? null
            : how === 'rename'
              ? header.replace(/\bpid\b/, 'pld')
              : how === 'shorten'
                ? header.replace(/\s+\S+\s*$/, '')
                : `${header} extra`;
        const text = [title, ...(damaged === null ? [] : [damaged]), ...body].join('\n');
        const result = parseNetstat(text);
        expect(result.layout).toBeNull();
        expect(result.rows).toHaveLength(rows.length);
        expect(result.rows.every((r) => r.pid === null && r.processName === null)).toBe(true);
        expect(result.problems.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('extra whitespace between columns changes nothing', () => {
    const noSpaceName = formatRowArb.map((r) => ({ ...r, name: r.name.replace(/\s/g, '') }));
    fc.assert(
      fc.property(optionsArb, fc.array(noSpaceName, { minLength: 1, maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 64, maxLength: 64 }), (options, rows, extra) => {
        const text = formatNetstat(rows, options);
        let k = 0;
        const spaced = text
          .split('\n')
          .map((line, i) => (i < 2 ? line : line.replace(/(\S) +/g, (run, ch: string) => `${ch}${run.slice(1)}${' '.repeat(extra[k++ % extra.length] ?? 0)}`) + ' '.repeat(extra[i % extra.length] ?? 0)))
          .join('\n');
        expect(parseNetstat(spaced).rows).toEqual(parseNetstat(text).rows);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text never throws and never yields a pid without a recognised header', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('tcp4 0 0 *.80 *.* LISTEN 131072 131072 42 0 0x0100 0x00000006', 'udp4 0 0 *.53 *.*')), { maxLength: 20 }), (lines) => {
        const result = parseNetstat(lines.join('\n'));
        expect(result.rows.every((r) => r.pid === null)).toBe(true);
      }),
    );
  });
});
