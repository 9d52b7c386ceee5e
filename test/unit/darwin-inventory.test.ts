import { describe, expect, it } from 'vitest';
import { createDarwinPlatform } from '../../src/platform/darwin/index.js';
import { parseNetstat } from '../../src/platform/darwin/netstat.js';
import type { CommandSource, Snapshot } from '../../src/platform/snapshot/format.js';
import type { Port, Socket } from '../../src/types.js';
import { darwinFixture, toNulTerminated } from '../helpers/darwin-fixtures.js';
import { formatNetstat, recordedRow, type FormatRow } from '../helpers/darwin-netstat-format.js';

/**
 * How netstat rows, lsof holders and ps lines join (src/platform/darwin/inventory.ts), case by
 * case. Each table is rendered by the model of Apple's format strings from a recorded row
 * (portglimpse's macOS 26 capture, SOURCES.md), lsof's text follows lsof(8)'s field rules, and ps
 * lines are `pid= ppid= uid= user= lstart= args=` as portdoctor asks for them.
 */

const PORTGLIMPSE = darwinFixture('netstat-tcp-process-pid-macos26-portglimpse.txt');
const TEMPLATES: readonly FormatRow[] = (() => {
  const lines = PORTGLIMPSE.split('\n').slice(2);
  return parseNetstat(PORTGLIMPSE).rows.map((row, i) => recordedRow(lines[i] ?? '', row, 'process-730', true));
})();
/** The recorded `tcp46 *.38123 node:59043` LISTEN row. */
const NODE_ROW = TEMPLATES.find((t) => t.local.port === 38123)!;

function netstat(rows: readonly Partial<FormatRow>[], long = true): string {
  return formatNetstat(
    rows.map((r) => ({ ...NODE_ROW, ...r })),
    { version: 'process-730', verbose: true, long, all: true },
  );
}

/** One lsof process set and its sockets as `-F0` fields. */
function lsofSet(pid: number, uid: number, command: string, sockets: readonly { fd: number; type: 'IPv4' | 'IPv6'; proto: 'TCP' | 'UDP'; name: string; device?: string; state?: string }[]): string {
  const lines = [`p${pid}`, `R1`, `c${command}`, `u${uid}`, `Luser${uid}`];
  for (const s of sockets) lines.push(`f${s.fd}`, `t${s.type}`, ...(s.device === undefined ? [] : [`d${s.device}`]), `P${s.proto}`, `n${s.name}`, ...(s.state === undefined ? [] : [`TST=${s.state}`]));
  return `${lines.join('\n')}\n`;
}

function psLine(pid: number, ppid: number, uid: number, user: string, args: string): string {
  return `${String(pid).padStart(5)} ${String(ppid).padStart(5)} ${String(uid).padStart(5)} ${user.padEnd(8)} Mon Sep  7 14:55:26 2026     ${args}`;
}

function cmd(commandLine: string, stdout: string): CommandSource {
  return { command: commandLine, exitCode: 0, stdout, stderr: '' };
}

function mac(sources: Snapshot['sources'], user: Snapshot['user'] = { uid: 501, name: 'dev', elevated: false }): ReturnType<typeof createDarwinPlatform> {
  const snapshot: Snapshot = { portdoctor: 'snapshot/1', os: 'darwin', release: '25.0.0', capturedAt: '2026-09-07T13:00:00.000Z', user, sources };
  return createDarwinPlatform(snapshot, { kind: 'replay', file: null, capturedAt: snapshot.capturedAt, release: snapshot.release, user, redacted: false });
}

const owners = (socket: Socket | undefined): number[] => socket?.processes.map((p) => p.pid) ?? [];

describe('joining netstat, lsof and ps', () => {
  it('a pre-forked server: one netstat row, the listener under every worker (one lsof device) → every worker holds it', async () => {
    const lsof = ['59043', '59044', '59045'].map((pid) => lsofSet(Number(pid), 501, 'node', [{ fd: 21, type: 'IPv6', proto: 'TCP', name: '*:38123', device: '0x4d2c9b0e1c3f6a01', state: 'LISTEN' }])).join('');
    const ps = [psLine(59043, 1200, 501, 'dev', 'node server.js'), psLine(59044, 59043, 501, 'dev', 'node server.js --worker'), psLine(59045, 59043, 501, 'dev', 'node server.js --worker')].join('\n');
    const states = '59043 Ss\n59044 T\n59045 S+\n';
    const os = mac({ 'netstat-tcp': cmd('netstat -anvl -p tcp', netstat([{}])), 'lsof-inet': cmd('lsof', toNulTerminated(lsof)), ps: cmd('ps', ps), 'ps-state': cmd('ps -axo pid=,stat=', states), tz: cmd('date +%z', '+0200\n') });
    const { sockets } = await os.listSockets({ protocols: ['tcp'] });
    expect(sockets).toHaveLength(1);
    expect(owners(sockets[0])).toEqual([59043, 59044, 59045]);
    expect(sockets[0]?.processes[1]).toMatchObject({ ppid: 59043, command: 'node server.js --worker', user: 'dev', uid: 501, state: 'T', startedAt: '2026-09-07T12:55:26.000Z' });
    expect(sockets[0]?.processes.map((p) => p.state)).toEqual(['S', 'T', 'S']);
  });

  it('two sockets on the same addresses (SO_REUSEPORT): lsof’s devices tell them apart, each row keeps its own holder', async () => {
    const rows = netstat([{ pid: 700, name: 'mDNSResponder' }, { pid: 800, name: 'Chrome' }]);
    const lsof = lsofSet(700, 501, 'mDNSResponder', [{ fd: 5, type: 'IPv6', proto: 'TCP', name: '*:38123', device: '0xa1', state: 'LISTEN' }]) + lsofSet(800, 501, 'Chrome', [{ fd: 9, type: 'IPv6', proto: 'TCP', name: '*:38123', device: '0xb2', state: 'LISTEN' }]);
    const { sockets } = await mac({ 'netstat-tcp': cmd('netstat', rows), 'lsof-inet': cmd('lsof', toNulTerminated(lsof)) }).listSockets({ protocols: ['tcp'] });
    expect(sockets.map(owners)).toEqual([[700], [800]]);
  });

  it('another user’s socket (not root): lsof cannot see it, netstat’s pid is the holder we know, user from ps', async () => {
    const rows = netstat([{ pid: 88, name: 'mysqld', local: { host: '127.0.0.1', port: 3306 }, vflag: '4' }]);
    const ps = psLine(88, 1, 74, '_mysql', '/usr/local/mysql/bin/mysqld --user=_mysql');
    const { sockets, stats } = await mac({ 'netstat-tcp': cmd('netstat', rows), 'lsof-inet': cmd('lsof', ''), ps: cmd('ps', ps) }).listSockets({ protocols: ['tcp'] });
    expect(sockets[0]).toMatchObject({ address: '127.0.0.1', port: 3306, uid: 74, user: '_mysql', ownerHidden: false });
    expect(owners(sockets[0])).toEqual([88]);
    expect(stats.processesHidden).toBe(1);
  });

  it('netstat’s last pid beside lsof’s holders: kept when it is another user’s, dropped when it is ours and lsof saw it let go', async () => {
    const rows = netstat([{ pid: 90 }, { pid: 91, local: { host: '*', port: 38124 } }]);
    const lsof = lsofSet(300, 501, 'node', [
      { fd: 3, type: 'IPv6', proto: 'TCP', name: '*:38123', state: 'LISTEN' },
      { fd: 4, type: 'IPv6', proto: 'TCP', name: '*:38124', state: 'LISTEN' },
    ]);
    const ps = [psLine(90, 1, 0, 'root', '/usr/sbin/launcher-as-root'), psLine(91, 1, 501, 'dev', 'npm start'), psLine(300, 91, 501, 'dev', 'node index.js')].join('\n');
    const { sockets } = await mac({ 'netstat-tcp': cmd('netstat', rows), 'lsof-inet': cmd('lsof', toNulTerminated(lsof)), ps: cmd('ps', ps) }).listSockets({ protocols: ['tcp'] });
    expect(sockets.map((s) => [s.port, owners(s)])).toEqual([
      [38123, [90, 300]],
      [38124, [300]],
    ]);
  });

  it('as root, lsof sees every holder: netstat’s last pid that lsof does not list is not a holder', async () => {
    const lsof = lsofSet(300, 0, 'nginx', [{ fd: 6, type: 'IPv6', proto: 'TCP', name: '*:38123', state: 'LISTEN' }]);
    const ps = [psLine(59043, 1, 0, 'root', 'nginx: master process'), psLine(300, 59043, 0, 'root', 'nginx: worker process')].join('\n');
    const root = mac({ 'netstat-tcp': cmd('netstat', netstat([{}])), 'lsof-inet': cmd('lsof', toNulTerminated(lsof)), ps: cmd('ps', ps) }, { uid: 0, name: 'root', elevated: true });
    const { sockets, stats } = await root.listSockets({});
    expect(owners(sockets[0])).toEqual([300]);
    expect(stats.privileged).toBe(true);
  });

  it('TIME-WAIT belongs to no process, even with a pid in netstat; a socket nobody visible holds is ownerHidden only without root', async () => {
    const rows = netstat([
      { state: 'TIME_WAIT', vflag: '4', local: { host: '127.0.0.1', port: 51000 }, foreign: { host: '127.0.0.1', port: 3000 }, pid: 4242 },
      { state: 'LISTEN', vflag: '4', local: { host: '127.0.0.1', port: 8021 }, pid: 0, name: '' },
    ]);
    const { sockets } = await mac({ 'netstat-tcp': cmd('netstat', rows), 'lsof-inet': cmd('lsof', '') }).listSockets({ states: 'all' });
    const timeWait = sockets.find((s) => s.state === 'TIME-WAIT');
    expect(timeWait).toMatchObject({ processes: [], ownerHidden: false, remotePort: 3000 });
    expect(sockets.find((s) => s.port === 8021)).toMatchObject({ processes: [], ownerHidden: true, uid: -1, user: 'unknown' });
  });

  it('an IPv6 address netstat cut at 16 characters (no -l) is completed from lsof’s KAME form; one lsof cannot name is counted', async () => {
    const rows = netstat(
      [
        { vflag: '6', local: { host: 'fe80::aede:48ff:fe00:1122%en5', port: 49154 }, pid: 77, name: 'rapportd' },
        { vflag: '6', local: { host: 'fe80::1c2d:3e4f:5a6b:7c8d%en0', port: 49155 }, pid: 78, name: 'sharingd' },
      ],
      false,
    );
    expect(parseNetstat(rows).rows.map((r) => r.addressTruncated)).toEqual([true, true]);
    const lsof = lsofSet(77, 501, 'rapportd', [{ fd: 7, type: 'IPv6', proto: 'TCP', name: '[fe80:5::aede:48ff:fe00:1122]:49154', state: 'LISTEN' }]);
    const { sockets, stats } = await mac({ 'netstat-tcp': cmd('netstat -anv', rows), 'lsof-inet': cmd('lsof', toNulTerminated(lsof)) }).listSockets({});
    expect(sockets.map((s) => `${s.address} ${owners(s).join()}`)).toEqual(['fe80::aede:48ff:fe00:1122%5 77']);
    expect(stats.unread?.find((u) => u.source === 'netstat')?.reason).toMatch(/^1 IPv6 address was cut short/);
  });

  it('filters apply to both tables: port, protocol, listening only', async () => {
    const rows = netstat([{}, { local: { host: '*', port: 38200 } }, { state: 'ESTABLISHED', vflag: '4', local: { host: '127.0.0.1', port: 38123 }, foreign: { host: '127.0.0.1', port: 61000 } }]);
    const lsof = lsofSet(5, 501, 'x', [{ fd: 1, type: 'IPv4', proto: 'UDP', name: '*:38123' }]);
    const os = mac({ 'netstat-tcp': cmd('netstat', rows), 'netstat-udp': cmd('netstat', ''), 'lsof-inet': cmd('lsof', toNulTerminated(lsof)) });
    expect((await os.listSockets({ ports: [38123] as Port[] })).sockets.map((s) => `${s.protocol} ${s.port} ${s.state}`)).toEqual(['tcp 38123 LISTEN', 'udp 38123 UNCONN']);
    expect((await os.listSockets({ ports: [38123] as Port[], protocols: ['tcp'], states: 'all' })).sockets.map((s) => s.state)).toEqual(['LISTEN', 'ESTAB']);
    expect((await os.listSockets({ ports: { from: 38124, to: 40000 } })).sockets.map((s) => s.port)).toEqual([38200]);
    const bare = await os.listSockets({ ports: [38123] as Port[], protocols: ['tcp'], withProcesses: false });
    expect(bare.sockets.map((s) => [s.processes.length, s.ownerHidden])).toEqual([[0, false]]);
  });

  it('a netstat that cannot run leaves its sockets to lsof and says what is missing', async () => {
    const lsof = lsofSet(9, 501, 'node', [{ fd: 3, type: 'IPv4', proto: 'TCP', name: '127.0.0.1:3000', state: 'LISTEN' }]);
    const failed: CommandSource = { command: 'netstat -anvl -p tcp', exitCode: null, stdout: '', stderr: '', error: 'missing' };
    const { sockets, stats } = await mac({ 'netstat-tcp': failed, 'lsof-inet': cmd('lsof', toNulTerminated(lsof)) }).listSockets({ protocols: ['tcp'] });
    expect(sockets.map((s) => `${s.address}:${s.port} ${owners(s).join()}`)).toEqual(['127.0.0.1:3000 9']);
    expect(stats.tablesUnread).toBe(1);
    expect(stats.unread?.[0]).toMatchObject({ source: 'netstat-tcp', reason: 'the command is not installed' });
  });
});
