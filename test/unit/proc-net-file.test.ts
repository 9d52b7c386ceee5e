import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProcNet, PROC_NET_TABLES, type ProcNetTable, type RowFilter } from '../../src/platform/linux/proc-net.js';
import { readProcNetTableSync } from '../../src/platform/linux/proc-net-file.js';

const fixturePath = (name: string): string => new URL(`../fixtures/proc/${name}`, import.meta.url).pathname;
const EVERYTHING: RowFilter = { listeningOnly: false, portFrom: 0, portTo: 65535 };
const LISTENING: RowFilter = { listeningOnly: true, portFrom: 0, portTo: 65535 };
const TCP4 = PROC_NET_TABLES[0]!;
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

const dir = mkdtempSync(join(tmpdir(), 'pd-procnet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
function writeTable(text: string): string {
  const path = join(dir, `table-${fileCount++}`);
  writeFileSync(path, text, 'latin1');
  return path;
}

/** A row as tcp4_seq_show prints it (padded to 149 characters, like the kernel). */
function tcpRow(slot: number, port: number, state: number, inode: number): string {
  const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');
  const remotePort = state === 0x0a ? 0 : 40000 + (slot % 20000);
  return `${String(slot).padStart(4)}: 0100007F:${hex(port, 4)} 0100007F:${hex(remotePort, 4)} ${hex(state, 2)} 00000000:00000000 00:00000000 00000000     0        0 ${inode} 1 0000000000000000 100 0 0 10 0`.padEnd(149);
}

describe('reading a table as it streams in', () => {
  it('gives the same rows as parsing the whole text, for every captured table', () => {
    for (const table of PROC_NET_TABLES) {
      const path = fixturePath(`${table.file}.txt`);
      const whole = parseProcNet(readFileSync(path, 'latin1'), table.protocol, table.family, EVERYTHING);
      expect(whole.length, table.file).toBeGreaterThan(0);
      expect(readProcNetTableSync(path, table, EVERYTHING), table.file).toEqual(whole);
    }
  });

  it('loses no row where a buffer ends in the middle of a line (tables of any size, property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ port: fc.integer({ min: 1, max: 65535 }), state: fc.constantFrom(0x01, 0x06, 0x0a) }), { minLength: 0, maxLength: 2500, size: 'max' }), fc.integer({ min: 0, max: 80 }), (rows, pad) => {
        // Rows of varying width (`pad`) so that line ends fall anywhere relative to the 64 KiB buffer.
        const text = HEADER + rows.map((r, i) => tcpRow(i, r.port, r.state, 1000 + i) + ' '.repeat(i % (pad + 1)) + '\n').join('');
        const path = writeTable(text);
        const expected = parseProcNet(text, 'tcp', 'ipv4', EVERYTHING);
        expect(readProcNetTableSync(path, TCP4, EVERYTHING)).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps a final line that has no newline, and reads an empty or header-only table as no rows', () => {
    const lastLine = tcpRow(0, 8080, 0x0a, 77);
    expect(readProcNetTableSync(writeTable(HEADER + lastLine), TCP4, EVERYTHING)).toMatchObject([{ port: 8080, inode: 77 }]);
    expect(readProcNetTableSync(writeTable(''), TCP4, EVERYTHING)).toEqual([]);
    expect(readProcNetTableSync(writeTable(HEADER), TCP4, EVERYTHING)).toEqual([]);
  });

  it('reads a table that does not exist (tcp6 with IPv6 disabled at boot) as null', () => {
    const missing = join(dir, 'no-such-table');
    expect(readProcNetTableSync(missing, TCP4, EVERYTHING)).toBeNull();
  });
});

describe('listening-only TCP reads stop where the kernel’s established section begins', () => {
  // The kernel prints the listening hash, then the established hash: a LISTEN row after an
  // established one cannot happen. This text has one anyway, to prove the reader stopped there.
  const listeners = Array.from({ length: 600 }, (_, i) => tcpRow(i, 10000 + i, 0x0a, 5000 + i));
  const established = Array.from({ length: 600 }, (_, i) => tcpRow(600 + i, 20000 + i, 0x01, 9000 + i));
  const impossibleLate = tcpRow(1200, 31337, 0x0a, 31337);
  const text = `${HEADER + [...listeners, ...established, impossibleLate].join('\n')}\n`;
  const path = writeTable(text);

  it('returns every listener, across several buffers, and reads nothing past the first established row', () => {
    const sync = readProcNetTableSync(path, TCP4, LISTENING)!;
    expect(sync.map((r) => r.port)).toEqual(listeners.map((_, i) => 10000 + i));
    expect(sync.some((r) => r.port === 31337)).toBe(false);
  });

  it('does not stop at SYN-RECV rows (kernels before 4.4 print open requests among the listeners)', () => {
    const withOpenRequest = `${HEADER}${tcpRow(0, 8080, 0x0a, 1)}\n${tcpRow(1, 8080, 0x03, 0)}\n${tcpRow(2, 8081, 0x0a, 2)}\n${tcpRow(3, 9999, 0x01, 3)}\n`;
    expect(readProcNetTableSync(writeTable(withOpenRequest), TCP4, LISTENING)!.map((r) => r.port)).toEqual([8080, 8081]);
  });

  it('reads the whole table when connections are wanted too, and never stops a UDP table early', () => {
    expect(readProcNetTableSync(path, TCP4, EVERYTHING)!.length).toBe(1201);
    const udp: ProcNetTable = PROC_NET_TABLES[2]!;
    // UDP has no listening section: a connected socket (state 01) may come before an unconnected one.
    const udpText = `${HEADER}${tcpRow(0, 5353, 0x01, 1)}\n${tcpRow(1, 5354, 0x07, 2).replace(/0100007F:[0-9A-F]{4} 07/, '00000000:0000 07')}\n`;
    expect(readProcNetTableSync(writeTable(udpText), udp, LISTENING)!.map((r) => r.port)).toEqual([5354]);
  });
});
