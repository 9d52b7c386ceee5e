import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIPv6, unembedKameScope } from '../../src/platform/darwin/address.js';
import { parseLsof, parseLsofEndpoint, type LsofProcess, type LsofSocket } from '../../src/platform/darwin/lsof.js';
import { parseNetstat } from '../../src/platform/darwin/netstat.js';
import { darwinFixture, toNulTerminated } from '../helpers/darwin-fixtures.js';

/** `fd proto address:port[->remote:port] STATE` as a person would read one socket. */
function brief(s: LsofSocket): string {
  const end = (address: string | null, port: number | null): string => `${address === null ? '?' : address.includes(':') ? `[${address}]` : address}:${port ?? '*'}`;
  const remote = s.remoteAddress === null && s.remotePort === null ? '' : `->${end(s.remoteAddress, s.remotePort)}`;
  return `${s.fd} ${s.protocol} ${end(s.address, s.port)}${remote} ${s.state}`;
}

const summary = (p: LsofProcess): string => `${p.pid} ${p.command} uid=${p.uid ?? '-'} login=${p.login ?? '-'} ppid=${p.ppid ?? '-'} | ${p.sockets.map(brief).join(' | ')}`;

describe('lsof -F recorded on macOS', () => {
  it('`-F cfnuLPT` as an ordinary user (macOS 26.6.2): six listeners of five processes, com.docker.backend named in full', () => {
    const result = parseLsof(darwinFixture('lsof-F-cfnuLPT-listen-macos26-sanitised.txt'));
    expect(result.problems).toEqual([]);
    expect(result.processes.map(summary)).toEqual([
      '751 sharingd uid=501 login=agent ppid=- | 18 tcp ?:8770 LISTEN',
      '760 rapportd uid=501 login=agent ppid=- | 24 tcp ?:55230 LISTEN | 25 tcp ?:55230 LISTEN',
      '805 ollama uid=501 login=agent ppid=- | 3 tcp 127.0.0.1:11434 LISTEN',
      '877 com.docker.backend uid=501 login=agent ppid=- | 28 tcp ?:49153 LISTEN',
      '21918 ARDAgent uid=501 login=agent ppid=- | 9 tcp ?:3283 LISTEN',
    ]);
    // `*` without the t field: the family (so the wildcard's spelling) is unknown and not guessed.
    expect(result.processes[0]?.sockets[0]).toMatchObject({ family: null, address: null, port: 8770, recvQ: 0, sendQ: 0 });
  });

  it('`-F pcLPn` with one default `-F` process (macOS 26): pgid, ppid, IPv6 type, a command with spaces', () => {
    const result = parseLsof(darwinFixture('lsof-F-pcLPn-listen-macos26.txt'));
    expect(result.problems).toEqual([]);
    expect(result.processes.map(summary)).toEqual([
      '54256 Python uid=501 login=jordan ppid=1 | 4 tcp [::]:38123 LISTEN',
      '967 rapportd uid=- login=jordan ppid=- | 10 tcp ?:56966 UNKNOWN | 11 tcp ?:56966 UNKNOWN',
      '1065 ControlCenter uid=- login=jordan ppid=- | 9 tcp ?:7000 UNKNOWN | 10 tcp ?:7000 UNKNOWN',
      '5043 tor uid=- login=jordan ppid=- | 4 tcp 127.0.0.1:9050 UNKNOWN',
      '21891 Code Helper (Plugin) uid=- login=jordan ppid=- | 40 tcp [::1]:60332 UNKNOWN',
    ]);
    expect(result.processes[0]).toMatchObject({ pgid: 54253 });
    expect(result.processes[0]?.sockets[0]).toMatchObject({ family: 'ipv6', address: '::' });
  });

  it('`-F ftPTn` of one process: only its TCP/UDP sockets, in every state lsof printed', () => {
    const result = parseLsof(darwinFixture('lsof-F-ftPTn-one-process-macos.txt'));
    expect(result.problems).toEqual([]);
    expect(result.processes).toHaveLength(1);
    expect(result.processes[0]?.sockets.map(brief)).toEqual([
      '3 tcp 127.0.0.1:55737 LISTEN',
      '5 tcp 127.0.0.1:55737->127.0.0.1:55738 UNCONN',
      '6 udp 0.0.0.0:64347 UNCONN',
      '9 tcp 0.0.0.0:0 UNCONN',
      '10 tcp 127.0.0.1:55737->127.0.0.1:55739 FIN-WAIT-2',
      '12 tcp [::1]:5000->[::1]:6000 TIME-WAIT',
    ]);
    expect(result.processes[0]?.sockets.find((s) => s.fd === '10')).toMatchObject({ recvQ: 1000, sendQ: 0 });
  });

  it('reads the same recordings as -F0 (NUL-terminated fields, NL after each set, per lsof(8))', () => {
    for (const file of ['lsof-F-cfnuLPT-listen-macos26-sanitised.txt', 'lsof-F-pcLPn-listen-macos26.txt', 'lsof-F-ftPTn-one-process-macos.txt']) {
      const text = darwinFixture(file);
      const nul = toNulTerminated(text);
      expect(nul).toContain('\0\n');
      expect(parseLsof(nul)).toEqual(parseLsof(text));
    }
  });
});

describe('lsof and netstat of the same Mac', () => {
  it('KAME link-local names (`[fe80:5::…]`) match the addresses netstat cut to 16 characters', () => {
    const table = darwinFixture('lsof-table-listen-linkeverything.txt');
    const names = [...table.matchAll(/TCP (\S+) \(LISTEN\)/g)].map((m) => m[1] ?? '');
    const remoted = names.filter((n) => n.startsWith('[fe80')).map((n) => parseLsofEndpoint(n, 'ipv6'));
    expect(remoted.map((e) => `${e?.address} ${e?.port}`)).toEqual([49154, 49155, 49156, 49157, 49158, 49159].map((p) => `fe80::aede:48ff:fe00:1122%5 ${p}`));
    const cut = parseNetstat(darwinFixture('netstat-anv-grep-listen-classic-linkeverything.txt')).rows.filter((r) => r.addressTruncated);
    expect(cut).toHaveLength(6);
    for (const row of cut) {
      const match = remoted.find((e) => e?.port === row.port);
      expect(match?.address?.startsWith(row.addressText)).toBe(true);
    }
  });

  it('every other listener of that table is a netstat row with the same address and port', () => {
    const table = darwinFixture('lsof-table-listen-linkeverything.txt');
    const rows = parseNetstat(darwinFixture('netstat-anv-grep-listen-classic-linkeverything.txt')).rows;
    for (const m of table.matchAll(/(IPv[46]) \S+\s+0t0\s+TCP (\S+) \(LISTEN\)/g)) {
      const endpoint = parseLsofEndpoint(m[2] ?? '', m[1] === 'IPv4' ? 'ipv4' : 'ipv6');
      if (endpoint === null || endpoint.address?.includes('%')) continue;
      const same = rows.filter((r) => r.port === endpoint.port && (r.address === endpoint.address || (r.dualStack && endpoint.address === '::')));
      expect(same.length, `${m[0]}`).toBeGreaterThan(0);
    }
  });
});

describe('lsof endpoints and edge cases', () => {
  it('reads each shape of the n field', () => {
    expect(parseLsofEndpoint('127.0.0.1:631', 'ipv4')).toEqual({ family: 'ipv4', address: '127.0.0.1', port: 631 });
    expect(parseLsofEndpoint('[::1]:631', 'ipv6')).toEqual({ family: 'ipv6', address: '::1', port: 631 });
    expect(parseLsofEndpoint('*:22', 'ipv6')).toEqual({ family: 'ipv6', address: '::', port: 22 });
    expect(parseLsofEndpoint('*:*', 'ipv4')).toEqual({ family: 'ipv4', address: '0.0.0.0', port: null });
    expect(parseLsofEndpoint('[::ffff:127.0.0.1]:80', 'ipv6')).toEqual({ family: 'ipv6', address: '::ffff:127.0.0.1', port: 80 });
    expect(parseLsofEndpoint('localhost:ipp', 'ipv4')).toBeNull();
    expect(parseLsofEndpoint('[fe80::1%lo0]:5353', 'ipv6')).toEqual({ family: 'ipv6', address: 'fe80::1%lo0', port: 5353 });
    // IPv4 text on an IPv6 (dual-stack) socket: written the way netstat's tcp46 rows are.
    expect(parseLsofEndpoint('127.0.0.1:3000', 'ipv6')).toEqual({ family: 'ipv6', address: '::ffff:127.0.0.1', port: 3000 });
  });

  it('undoes the embedded scope only where the kernel embeds one', () => {
    expect(unembedKameScope('fe80:5::aede:48ff:fe00:1122')).toBe('fe80::aede:48ff:fe00:1122%5');
    expect(unembedKameScope('ff02:1::fb')).toBe('ff02::fb%1');
    expect(unembedKameScope('fe80::1')).toBe('fe80::1');
    expect(unembedKameScope('2001:5::1')).toBe('2001:5::1');
  });

  it('says what it could not read', () => {
    const result = parseLsof('cnobody\npx\np12\nf3\nPTCP\nnlocalhost:http\nf4\nPUDP\nn*:53\n');
    expect(result.processes.map(summary)).toEqual(['12  uid=- login=- ppid=- | 4 udp ?:53 UNCONN']);
    expect(result.problems).toHaveLength(3);
  });

  it('an empty text', () => {
    expect(parseLsof('')).toEqual({ processes: [], problems: [] });
  });
});

describe('generated lsof -F output (fast-check)', () => {
  const endpointArb = fc.oneof(
    fc.ipV4().map((a) => ({ text: a, family: 'ipv4' as const, address: a })),
    fc.ipV6().map((a) => {
      const canonical = canonicalIPv6(a) ?? '::1';
      return { text: `[${canonical}]`, family: 'ipv6' as const, address: unembedKameScope(canonical) };
    }),
  );
  const socketArb = fc.record({
    fd: fc.integer({ min: 0, max: 65535 }).map(String),
    protocol: fc.constantFrom('TCP', 'UDP'),
    local: endpointArb,
    port: fc.integer({ min: 1, max: 65535 }),
    remote: fc.option(fc.tuple(endpointArb, fc.integer({ min: 1, max: 65535 })), { nil: null }),
    state: fc.constantFrom('LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT'),
  });
  const processArb = fc.record({
    pid: fc.integer({ min: 1, max: 99999 }),
    ppid: fc.integer({ min: 0, max: 99999 }),
    command: fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 }),
    uid: fc.integer({ min: 0, max: 65534 }),
    login: fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/),
    sockets: fc.array(socketArb, { maxLength: 5 }),
  });

  it('reads back every process and socket, from NL- and from NUL-terminated fields', () => {
    fc.assert(
      fc.property(fc.array(processArb, { maxLength: 6 }), (processes) => {
        const lines: string[] = [];
        for (const p of processes) {
          lines.push(`p${p.pid}`, `R${p.ppid}`, `c${p.command}`, `u${p.uid}`, `L${p.login}`);
          for (const s of p.sockets) {
            const remote = s.remote === null ? '' : `->${s.remote[0].text}:${s.remote[1]}`;
            lines.push(`f${s.fd}`, `t${s.local.family === 'ipv4' ? 'IPv4' : 'IPv6'}`, `P${s.protocol}`, `n${s.local.text}:${s.port}${remote}`);
            if (s.protocol === 'TCP') lines.push(`TST=${s.state}`, 'TQR=0', 'TQS=0');
          }
        }
        const text = `${lines.join('\n')}\n`;
        for (const form of [text, toNulTerminated(text)]) {
          const result = parseLsof(form);
          expect(result.problems).toEqual([]);
          expect(result.processes.map((p) => [p.pid, p.ppid, p.command, p.uid, p.login, p.sockets.length])).toEqual(
            processes.map((p) => [p.pid, p.ppid, p.command, p.uid, p.login, p.sockets.length]),
          );
          result.processes.forEach((p, i) =>
            p.sockets.forEach((s, j) => {
              const want = processes[i]?.sockets[j];
              expect(s).toMatchObject({ fd: want?.fd, address: want?.local.address, port: want?.port, remotePort: want?.remote?.[1] ?? null });
            }),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
