import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProcIPv4 } from '../../src/platform/linux/proc-address.js';
import { parseProcNet, PROC_NET_TABLES, type ProcNetRow } from '../../src/platform/linux/proc-net.js';
import { displayAddress } from '../../src/render/address.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/proc/${name}`, import.meta.url), 'latin1');

function allRows(): ProcNetRow[] {
  return PROC_NET_TABLES.flatMap((t) => parseProcNet(fixture(`${t.file}.txt`), t.protocol, t.family));
}

/** `ss -tuanH` lines → "proto state local remote", the way ss prints them. */
function ssLines(): string[] {
  return fixture('ss-tuanH.txt')
    .trim()
    .split('\n')
    .map((line) => {
      const [proto, state, , , local, remote] = line.trim().split(/\s+/);
      return `${proto} ${state} ${local} ${remote}`;
    })
    .sort();
}

describe('parseProcNet on real /proc/net tables (captured together with ss -tuanH)', () => {
  it('finds exactly the sockets ss reported, with the same states and addresses', () => {
    const ours = allRows()
      .map((row) => {
        const wildcardRemote = row.family === 'ipv4' ? '0.0.0.0' : '[::]';
        const remote = row.remotePort === 0 && row.state !== 'ESTAB' ? `${row.remoteAddress === '::' ? (row.address === '::' ? '*' : wildcardRemote) : row.remoteAddress === '0.0.0.0' ? '0.0.0.0' : row.remoteAddress}:*` : displayAddress(row.remoteAddress, row.remotePort);
        const local = row.address === '::' ? `*:${row.port}` : row.address === '0.0.0.0' ? `0.0.0.0:${row.port}` : displayAddress(row.address, row.port);
        return `${row.protocol} ${row.state} ${local} ${remote}`;
      })
      .sort();
    expect(ours).toEqual(ssLines());
  });

  it('decodes IPv4-mapped IPv6 addresses in mixed notation', () => {
    const mapped = allRows().filter((r) => r.address.startsWith('::ffff:'));
    expect(mapped.length).toBeGreaterThan(0);
    for (const row of mapped) expect(row.address).toBe('::ffff:127.0.0.1');
  });

  it('reads uid, inode and the accept queue', () => {
    for (const row of allRows()) {
      expect(row.uid).toBe(0);
      if (row.state !== 'TIME-WAIT') expect(row.inode).toBeGreaterThan(0);
      else expect(row.inode).toBe(0);
      expect(row.rxQueue).toBe(0);
    }
  });

  it('keeps only listeners, by port, when filtered', () => {
    const tcp = parseProcNet(fixture('tcp.txt'), 'tcp', 'ipv4', { listeningOnly: true, portFrom: 0, portTo: 65535 });
    expect(tcp.every((r) => r.state === 'LISTEN')).toBe(true);
    expect(tcp.map((r) => r.port)).toContain(2024);
    const one = parseProcNet(fixture('tcp.txt'), 'tcp', 'ipv4', { listeningOnly: false, portFrom: 2024, portTo: 2024 });
    expect(one.map((r) => r.state).sort()).toEqual(['LISTEN', 'TIME-WAIT']);
    const set = parseProcNet(fixture('tcp.txt'), 'tcp', 'ipv4', { listeningOnly: true, portFrom: 0, portTo: 65535, portSet: new Set([1]) });
    expect(set).toEqual([]);
  });

  it('names bound UDP sockets UNCONN and connected ones ESTAB', () => {
    const udp = parseProcNet(fixture('udp.txt'), 'udp', 'ipv4');
    expect(udp.map((r) => r.state).sort()).toEqual(['ESTAB', 'UNCONN']);
    const listening = parseProcNet(fixture('udp.txt'), 'udp', 'ipv4', { listeningOnly: true, portFrom: 0, portTo: 65535 });
    expect(listening.map((r) => r.state)).toEqual(['UNCONN']);
  });
});

describe('parseProcNet edge cases', () => {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

  it('returns nothing for an empty table or a header alone', () => {
    expect(parseProcNet('', 'tcp', 'ipv4')).toEqual([]);
    expect(parseProcNet(header, 'tcp', 'ipv4')).toEqual([]);
  });

  it('handles wide slot numbers, a missing final newline, and a LISTEN accept queue', () => {
    const text = `${header}12345: 0100007F:1F90 00000000:0000 0A 00000000:00000081 00:00000000 00000000  1000        0 99 1 0 100 0 0 10 0`;
    const [row] = parseProcNet(text, 'tcp', 'ipv4');
    expect(row).toMatchObject({ address: '127.0.0.1', port: 8080, state: 'LISTEN', uid: 1000, inode: 99, rxQueue: 0x81, txQueue: 0 });
  });

  it('skips truncated or foreign lines instead of misreading them', () => {
    const text = `${header}   0: 0100007F:1F90 00000000:0000 0A\n   1: garbage line here with enough fields to count a b c d e f\n`;
    expect(parseProcNet(text, 'tcp', 'ipv4')).toEqual([]);
  });

  it('accepts lower-case hex', () => {
    const text = `${header}   0: 0100007f:1f90 00000000:0000 0a 00000000:00000000 00:00000000 00000000     0        0 7 1 0 100 0 0 10 0\n`;
    expect(parseProcNet(text, 'tcp', 'ipv4')[0]).toMatchObject({ port: 8080, state: 'LISTEN' });
  });
});

describe('parseProcNet on kernel-formatted rows (property)', () => {
  const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');
  const row = fc.record({
    slot: fc.nat(99_999),
    v6: fc.boolean(),
    local: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    remote: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    port: fc.integer({ min: 0, max: 65535 }),
    remotePort: fc.integer({ min: 0, max: 65535 }),
    state: fc.integer({ min: 1, max: 12 }),
    tx: fc.nat(0xffffffff),
    rx: fc.nat(0xffffffff),
    uid: fc.nat(4_294_967_294),
    inode: fc.nat(4_294_967_295),
  });
  const words = (bytes: Uint8Array, count: number): string => {
    let out = '';
    for (let w = 0; w < count; w++) out += hex((bytes[w * 4]! | (bytes[w * 4 + 1]! << 8) | (bytes[w * 4 + 2]! << 16) | (bytes[w * 4 + 3]! << 24)) >>> 0, 8);
    return out;
  };

  it('reads back every field whatever the widths of slot, uid and inode', () => {
    fc.assert(
      fc.property(row, (r) => {
        const words4 = r.v6 ? 4 : 1;
        // As tcp4_seq_show / tcp6_seq_show print it (little-endian words).
        const line = `${String(r.slot).padStart(4)}: ${words(r.local, words4)}:${hex(r.port, 4)} ${words(r.remote, words4)}:${hex(r.remotePort, 4)} ${hex(r.state, 2)} ${hex(r.tx, 8)}:${hex(r.rx, 8)} 00:00000000 00000000 ${String(r.uid).padStart(5)} ${String(0).padStart(8)} ${r.inode} 1 0000000000000000 100 0 0 10 0`;
        const [parsed] = parseProcNet(`header\n${line}\n`, 'tcp', r.v6 ? 'ipv6' : 'ipv4');
        expect(parsed).toMatchObject({ port: r.port, remotePort: r.remotePort, uid: r.uid, inode: r.inode, txQueue: r.tx, rxQueue: r.rx });
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseProcNet address memo', () => {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');

  it('decodes every address right when a table repeats a few thousand times and holds more distinct ones than the memo keeps', () => {
    // 6,000 distinct local addresses (more than the memo's 4,096), each row's remote repeating 127.0.0.1.
    const lines = Array.from({ length: 6000 }, (_, i) => `${String(i).padStart(4)}: ${hex((10 << 24) | i, 8)}:1F90 0100007F:${hex(40000 + (i % 1000), 4)} 01 00000000:00000000 00:00000000 00000000     0        0 ${i + 1} 1 0 100 0 0 10 0`);
    const rows = parseProcNet(`${header}${lines.join('\n')}\n`, 'tcp', 'ipv4');
    expect(rows).toHaveLength(6000);
    rows.forEach((row, i) => {
      // The decoder itself is tested in proc-address.test.ts; here, the memo must hand back its answer.
      expect(row.address).toBe(decodeProcIPv4(hex((10 << 24) | i, 8)));
      expect(row.remoteAddress).toBe('127.0.0.1');
    });
    // The same text again gives the same rows (memo hits), and an IPv6 table is not confused with it.
    expect(parseProcNet(`${header}${lines.join('\n')}\n`, 'tcp', 'ipv4')).toEqual(rows);
    const v6 = `${header}   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9 1 0 100 0 0 10 0\n`;
    expect(parseProcNet(v6, 'tcp', 'ipv6')[0]).toMatchObject({ address: '::1', remoteAddress: '::' });
  });
});
