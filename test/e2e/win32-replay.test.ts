import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../helpers/cli.js';
import { commandSource, fixtureBytes, win32Snapshot, writeSnapshot, type Win32SnapshotParts } from '../helpers/win32-snapshot.js';
import { NETSTAT_FIXTURES, win32Fixture } from '../unit/win32-fixtures.js';
import { NETSTAT_ANO } from '../../src/platform/win32/sources.js';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The built CLI on replayed Windows snapshots. Every source in them is output recorded on a real
 * Windows machine (test/fixtures/win32/SOURCES.md). A machine never gave us all of its sources
 * at once, so a snapshot here combines recordings from different machines where a test says so:
 * then only what one recording says is checked against that recording (the pids of netstat's
 * sockets), never names joined across machines — except pid 4, which is System on every Windows.
 */

interface JsonSocket {
  readonly protocol: 'tcp' | 'udp';
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly port: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly state: string;
  readonly processes: readonly { readonly pid: number; readonly name: string }[];
}
interface Listing {
  readonly sockets: readonly JsonSocket[];
  readonly stats: { readonly unread?: readonly { source: string; reason: string }[] };
  readonly replay?: { readonly os: string };
}

const files: string[] = [];
function snapshotFile(parts: Win32SnapshotParts): string {
  const file = writeSnapshot(win32Snapshot(parts));
  files.push(file);
  return file;
}
afterAll(() => {
  for (const file of files) rmSync(dirname(file), { recursive: true, force: true });
});

/**
 * What a person reads in netstat -ano, by its columns and nothing else: protocol, local address,
 * foreign address, pid (the last field). Written independently of the back-end's parser.
 */
function recordedRows(text: string): { protocol: string; local: string; foreign: string; pid: number; listening: boolean }[] {
  return text.split(/\r?\n|\r/).flatMap((line) => {
    const fields = line.trim().split(/\s+/);
    const protocol = fields[0]?.toLowerCase();
    if ((protocol !== 'tcp' && protocol !== 'udp') || fields.length < 4) return [];
    const [local = '', foreign = ''] = fields.slice(1, 3);
    const pid = Number(fields.at(-1));
    const listening = protocol === 'udp' ? foreign === '*:*' : foreign === '0.0.0.0:0' || foreign === '[::]:0';
    return [{ protocol, local, foreign, pid, listening }];
  });
}

/** A socket of our JSON in netstat's spelling. */
function asNetstat(socket: JsonSocket): string {
  const host = (address: string): string => (socket.family === 'ipv6' ? `[${address}]` : address);
  const foreign = socket.remoteAddress === null ? (socket.protocol === 'udp' ? '*:*' : socket.family === 'ipv6' ? '[::]:0' : '0.0.0.0:0') : `${host(socket.remoteAddress)}:${socket.remotePort}`;
  return `${socket.protocol} ${host(socket.address)}:${socket.port} ${foreign} ${socket.processes[0]?.pid ?? 0}`;
}

const sorted = (lines: string[]): string[] => [...lines].sort();

/** A listening port of the recording whose digits begin other ports of it (3000 and 30001), or the first one. */
function prefixPort(rows: ReturnType<typeof recordedRows>): number {
  const ports = [...new Set(rows.map((row) => Number(/:(\d+)$/.exec(row.local)?.[1])))];
  const listening = rows.filter((row) => row.listening).map((row) => Number(/:(\d+)$/.exec(row.local)?.[1]));
  return listening.find((port) => ports.some((other) => other !== port && String(other).startsWith(String(port)))) ?? listening[0]!;
}

describe('ls and who on replayed netstat -ano, in every recorded language', () => {
  it.each(NETSTAT_FIXTURES)('$language ($file): ls --all --json lists exactly the recorded sockets and pids', ({ file }) => {
    const replay = snapshotFile({ netstat: file });
    const listing = jsonOf(runCli(['ls', '--all', '--json', '--replay', replay])) as Listing;
    const recorded = recordedRows(win32Fixture(file));
    expect(recorded.length).toBeGreaterThan(0);
    expect(sorted(listing.sockets.map(asNetstat))).toEqual(sorted(recorded.map((row) => `${row.protocol} ${row.local} ${row.foreign} ${row.pid}`)));
    expect(listing.replay?.os).toBe('win32');
    // Neither PowerShell nor tasklist is in this snapshot: said, not hidden.
    expect(listing.stats.unread?.map((u) => u.source)).toEqual(expect.arrayContaining(['powershell-processes', 'tasklist']));
  });

  it.each(NETSTAT_FIXTURES)('$language ($file): ls --json (listening only) lists exactly the recorded listeners', ({ file }) => {
    const replay = snapshotFile({ netstat: file });
    const listing = jsonOf(runCli(['ls', '--json', '--replay', replay])) as Listing;
    const recorded = recordedRows(win32Fixture(file)).filter((row) => row.listening);
    expect(sorted(listing.sockets.map(asNetstat))).toEqual(sorted(recorded.map((row) => `${row.protocol} ${row.local} ${row.foreign} ${row.pid}`)));
    expect(listing.sockets.every((s) => s.state === 'LISTEN' || (s.protocol === 'udp' && s.state === 'UNCONN'))).toBe(true);
  });

  it.each(NETSTAT_FIXTURES)('$language ($file): who P --json gives the sockets on P and never a port that merely starts with P', ({ file }) => {
    const replay = snapshotFile({ netstat: file });
    const rows = recordedRows(win32Fixture(file));
    const port = prefixPort(rows);
    const who = jsonOf(runCli(['who', String(port), '--all', '--json', '--replay', replay])) as Listing;
    const expected = rows.filter((row) => row.local.endsWith(`:${port}`));
    expect(expected.length).toBeGreaterThan(0);
    expect(who.sockets.every((s) => s.port === port)).toBe(true);
    expect(sorted(who.sockets.map(asNetstat))).toEqual(sorted(expected.map((row) => `${row.protocol} ${row.local} ${row.foreign} ${row.pid}`)));
  });

  it('a prefix port in the English recording: who 3000 is [::1]:3000 alone, not 0.0.0.0:3001 or anything on 30001', () => {
    const replay = snapshotFile({ netstat: 'netstat-ano.en.new-crm.txt' });
    const who = jsonOf(runCli(['who', '3000', '--json', '--replay', replay])) as Listing;
    expect(who.sockets.map((s) => `${s.address}:${s.port}`)).toEqual(['::1:3000']);
    expect(who.sockets[0]?.processes.map((p) => p.pid)).toEqual([45012]);
  });

  it('tasklist names the owners (English netstat and a tasklist recorded on another machine: only pid 4, System on every Windows, is compared)', () => {
    const replay = snapshotFile({ netstat: 'netstat-ano.en.new-crm.txt', tasklist: 'tasklist-fo-csv.en.txt' });
    const who = jsonOf(runCli(['who', '445', '--json', '--replay', replay])) as Listing;
    expect(who.sockets.map((s) => `${s.protocol} ${s.address}:${s.port} ${s.processes.map((p) => `${p.pid} ${p.name}`).join()}`)).toEqual(['tcp 0.0.0.0:445 4 System', 'tcp :::445 4 System']);
    expect(who.stats.unread?.map((u) => u.source)).toEqual(['powershell-processes']);
  });

  const iconvCp850 = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP850'], { input: 'ABHÖREN' }).status === 0;
  it.skipIf(!iconvCp850)('German netstat in its console code page (850) without chcp: the same sockets and pids, and the unknown code page is said (skipped without iconv)', () => {
    // The German recording is UTF-16LE (PowerShell re-encoded it); netstat itself writes code page
    // 850. iconv turns the recorded text back into those bytes; no chcp answer is in the snapshot.
    const text = win32Fixture('netstat-ano.de.utf16le.txt');
    const oem = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'CP850'], { input: text });
    expect(oem.status).toBe(0);
    const replay = snapshotFile({ extra: { 'netstat-ano': commandSource(NETSTAT_ANO, oem.stdout) } });
    const snapshotText = JSON.parse(JSON.stringify(win32Snapshot({ extra: { 'netstat-ano': commandSource(NETSTAT_ANO, oem.stdout) } }))) as { sources: Record<string, { stdoutBase64?: string }> };
    expect(snapshotText.sources['netstat-ano']?.stdoutBase64).toBeDefined();
    const listing = jsonOf(runCli(['ls', '--all', '--json', '--replay', replay])) as Listing;
    expect(sorted(listing.sockets.map(asNetstat))).toEqual(sorted(recordedRows(text).map((row) => `${row.protocol} ${row.local} ${row.foreign} ${row.pid}`)));
    expect(listing.stats.unread?.find((u) => u.source === 'chcp')?.reason).toMatch(/code page is unknown/);
  });
});

describe('port-excluded on replayed netsh output', () => {
  // Spanish netstat (nothing on 3000) with the excluded ranges of another machine
  // (clash-verge-rev#1688, after enabling Hyper-V: 2919-3018 among them).
  const parts: Win32SnapshotParts = {
    netstat: 'netstat-ano.es.utf16le.txt',
    excluded: { 'tcp-ipv4': 'excludedportrange-tcp.en.clash-verge-1688-hyperv.txt', 'tcp-ipv6': 'excludedportrange-tcp.zh.clash-verge-1688-empty.txt', 'udp-ipv4': 'excludedportrange-udp.en.otel-contrib-10872.log.txt' },
    dynamic: { 'tcp-ipv4': 'dynamicport-tcp.en.usbipd-53.txt' },
    hosts: 'hosts.win11dotfiles.txt',
  };

  it('doctor 3000 --bind: nothing holds it, it is excluded: port-excluded (exit 1) with the range and the fixes', () => {
    const replay = snapshotFile(parts);
    expect(recordedRows(win32Fixture('netstat-ano.es.utf16le.txt')).some((row) => row.local.endsWith(':3000'))).toBe(false);
    const run = runCli(['doctor', '3000', '--bind', '--json', '--no-config', '--replay', replay]);
    expect(run.code).toBe(1);
    const report = jsonOf(run) as { findings: { code: string; severity: string; detail: string; fix: string; evidence: Record<string, unknown> }[] };
    const finding = report.findings.find((f) => f.code === 'port-excluded');
    expect(finding?.severity).toBe('error');
    expect(finding?.evidence).toMatchObject({ port: 3000, range: { protocol: 'tcp', family: 'ipv4', from: 2919, to: 3018, administered: false }, reservedBy: 'system (WinNAT / Hyper-V)' });
    expect(finding?.detail).toContain('2919-3018');
    for (const fix of ["'portdoctor free'", "'net stop winnat' then 'net start winnat'", "'netsh int ipv4 set dynamicport tcp start=49152 num=16384'", "'netsh int ipv4 add excludedportrange protocol=tcp startport=3000 numberofports=1'"]) expect(finding?.fix).toContain(fix);
    const text = runCli(['doctor', '3000', '--bind', '--no-config', '--replay', replay]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Port 3000 is in an excluded port range (2919-3018)');
  });

  it('doctor 1433 --bind on the Chinese recording: a range an administrator added (*) gets the delete command', () => {
    const replay = snapshotFile({ netstat: 'netstat-ano.es.utf16le.txt', excluded: { 'tcp-ipv4': 'excludedportrange-tcp.zh.iridescent.txt' }, dynamic: { 'tcp-ipv4': 'dynamicport-tcp.en.usbipd-53.txt' } });
    const run = runCli(['doctor', '1433', '--bind', '--json', '--no-config', '--replay', replay]);
    expect(run.code).toBe(1);
    const finding = (jsonOf(run) as { findings: { code: string; fix: string; evidence: Record<string, unknown> }[] }).findings.find((f) => f.code === 'port-excluded');
    expect(finding?.evidence).toMatchObject({ range: { from: 1433, to: 1433, administered: true }, reservedBy: 'administrator' });
    expect(finding?.fix).toContain("'netsh int ipv4 delete excludedportrange protocol=tcp startport=1433 numberofports=1'");
  });

  it('an output that is not an excluded-range table is "unknown", never "nothing excluded"', () => {
    // The dynamicport recording in the excludedportrange slot: real netsh text, but not that table.
    const replay = snapshotFile({ netstat: 'netstat-ano.es.utf16le.txt', excluded: { 'tcp-ipv4': 'dynamicport-tcp.en.usbipd-53.txt' }, dynamic: { 'tcp-ipv4': 'dynamicport-tcp.en.usbipd-53.txt' } });
    const info = jsonOf(runCli(['info', '3000', '--json', '--replay', replay])) as { excluded?: unknown; notes: string[] };
    expect(info.excluded).toBeUndefined();
    expect(info.notes.join(' ')).toMatch(/excludedportrange-tcp-ipv4 \(no table: the dashed line under the column headings is missing: no range is assumed, so a port there may still be excluded\)/);
  });

  it('free --replay never returns an excluded port, nor one the recorded netstat shows in use', () => {
    const replay = snapshotFile(parts);
    const run = runCli(['free', '--count', '40', '--range', '2900-3100', '--json', '--replay', replay]);
    expect(run.code).toBe(0);
    const ports = jsonOf(run) as number[] | { ports: number[] };
    const list = Array.isArray(ports) ? ports : ports.ports;
    expect(list).toHaveLength(40);
    const used = new Set(recordedRows(win32Fixture('netstat-ano.es.utf16le.txt')).map((row) => Number(/:(\d+)$/.exec(row.local)?.[1])));
    for (const port of list) {
      expect(port >= 2919 && port <= 3018, `${port} is excluded`).toBe(false);
      expect(used.has(port), `${port} is in use`).toBe(false);
    }
    // 2900-2918 and 3019-3100 hold 101 ports: the 40 come from them.
    const everything = jsonOf(runCli(['free', '--count', '200', '--range', '2900-3100', '--json', '--replay', replay])) as number[] | { ports: number[] };
    const all = Array.isArray(everything) ? everything : everything.ports;
    expect(all.filter((port) => port >= 2919 && port <= 3018)).toEqual([]);
  });

  it('info 3000 --replay names the excluded range', () => {
    const replay = snapshotFile(parts);
    const run = runCli(['info', '3000', '--json', '--replay', replay]);
    expect(run.code).toBe(0);
    const info = jsonOf(run) as { excluded?: unknown[]; privileged: boolean; unprivilegedPortStart: number; notes: string[] };
    expect(info.excluded).toEqual([{ protocol: 'tcp', family: 'ipv4', from: 2919, to: 3018, administered: false }]);
    expect(info).toMatchObject({ privileged: false, unprivilegedPortStart: 0 });
    expect(info.notes).toContain('Port 3000 is in the excluded TCP range 2919-3018 (reserved by WinNAT/Hyper-V): no program may bind it.');
    const text = runCli(['info', '3000', '--replay', replay]).stdout;
    expect(text).toContain('excluded TCP range 2919-3018');
    expect(text).toContain('no: this OS has no privileged ports');
  });
});

describe("the doctor on a Windows snapshot speaks Windows", () => {
  // English netstat (new-crm) with a tasklist, excluded ranges and a hosts file recorded on other machines.
  const parts: Win32SnapshotParts = {
    netstat: 'netstat-ano.en.new-crm.txt',
    tasklist: 'tasklist-fo-csv.en.txt',
    excluded: { 'tcp-ipv4': 'excludedportrange-tcp.en.chocolatey-68.txt' },
    dynamic: { 'tcp-ipv4': 'dynamicport-tcp.en.usbipd-53.txt' },
    hosts: 'hosts.win11dotfiles.txt',
  };
  /** Linux commands and paths, as words: `ss`, not "address"; `kill `, not "killing" or our own `portdoctor kill`. */
  const LINUX = [/\bss\b/, /\biptables\b/, /(^|[\s'"`(])(?<!portdoctor\s)kill\s/, /\bsudo\b/, /\/proc\b/, /\bsystemctl\b/, /(^|[\s'"`(])ip\s/, /\/etc\/hosts/, /\bnft\b/, /\bsetcap\b/];

  it.each(['445', '5357', '3001', '3000', 'localhost:3001', '127.0.0.1:5354', '[::1]:3000'])('doctor %s: text and JSON hold no Linux command', (target) => {
    const replay = snapshotFile(parts);
    const json = runCli(['doctor', target, '--json', '--no-config', '--replay', replay]);
    const text = runCli(['doctor', target, '--no-config', '--replay', replay]);
    expect(json.code).toBe(text.code);
    expect([0, 1]).toContain(text.code);
    for (const output of [json.stdout, text.stdout]) for (const pattern of LINUX) expect(output, `${target}: ${pattern}`).not.toMatch(pattern);
  });

  it('names HTTP.sys for System on 5357 and Windows file sharing on 445, with their Windows fixes', () => {
    const replay = snapshotFile(parts);
    const findings = (port: string) => (jsonOf(runCli(['doctor', port, '--json', '--no-config', '--replay', replay])) as { findings: { code: string; title: string; fix: string; evidence: Record<string, unknown> }[] }).findings.filter((f) => f.code === 'known-holder');
    const http = findings('5357');
    expect(http.map((f) => f.evidence['holder'])).toEqual(['http-sys']);
    expect(http[0]?.title).toBe('Port 5357 is held by HTTP.sys (the kernel HTTP server, shown as System)');
    expect(http[0]?.fix).toContain("'netsh http show servicestate view=requestq'");
    const smb = findings('445');
    expect(smb.map((f) => f.evidence['holder'])).toEqual(['smb']);
  });

  it('localhost on Windows: a hosts file without a localhost line is normal, so no localhost-resolution finding', () => {
    const replay = snapshotFile(parts);
    const report = jsonOf(runCli(['doctor', 'localhost:3001', '--json', '--no-config', '--replay', replay])) as { findings: { code: string }[]; steps: { id: string; lines: string[] }[] };
    expect(report.findings.map((f) => f.code)).not.toContain('localhost-resolution');
    expect(report.steps.find((s) => s.id === 'loopback-resolution')?.lines).toContain('C:\\Windows\\System32\\drivers\\etc\\hosts: localhost → no entry');
  });

  it('the firewall step says Windows Firewall does not filter loopback, and names UWP loopback isolation', () => {
    const replay = snapshotFile(parts);
    const report = jsonOf(runCli(['doctor', '3001', '--json', '--no-config', '--replay', replay])) as { steps: { id: string; status: string; lines: string[] }[] };
    const step = report.steps.find((s) => s.id === 'firewall');
    expect(step?.status).toBe('ok');
    expect(step?.lines.join(' ')).toContain('Windows Firewall does not filter loopback traffic');
    expect(step?.lines.join(' ')).toContain("'CheckNetIsolation LoopbackExempt -a -n=PACKAGE'");
  });
});

describe('kill on a replayed Windows snapshot', () => {
  const parts: Win32SnapshotParts = { netstat: 'netstat-ano.en.new-crm.txt', tasklist: 'tasklist-fo-csv.en.txt' };

  it('--dry-run plans: System is protected, a pid without a creation time is not signalled; exit 0', () => {
    const replay = snapshotFile(parts);
    const run = runCli(['kill', '445', '3001', '--dry-run', '--json', '--replay', replay]);
    expect(run.code).toBe(0);
    const report = jsonOf(run) as { dryRun: boolean; plan: { targets: unknown[]; skipped: { pid: number; reason: string; detail: string }[] } };
    expect(report.dryRun).toBe(true);
    expect(report.plan.targets).toEqual([]);
    const skipped = Object.fromEntries(report.plan.skipped.map((s) => [s.pid, s]));
    expect(skipped[4]).toMatchObject({ reason: 'protected' });
    expect(skipped[4]?.detail).toContain('System (pid 4) is the Windows kernel');
    // pid 58836 owns 0.0.0.0:3001 in the netstat recording; the tasklist (another machine) has no such pid.
    expect(skipped[58836]).toMatchObject({ reason: 'vanished' });
  });

  it('kill refuses on a replay (exit 2)', () => {
    const replay = snapshotFile(parts);
    const run = runCli(['kill', '3001', '--replay', replay]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot run on a replayed snapshot/);
  });
});

describe('the Windows snapshot file itself', () => {
  it('keeps UTF-16LE recordings as base64 and UTF-8 ones as text, byte for byte', () => {
    const snapshot = win32Snapshot({ netstat: 'netstat-ano.de.utf16le.txt', tasklist: 'tasklist-fo-csv.en.txt' });
    const netstat = snapshot.sources['netstat-ano'] as { command: string; stdoutBase64?: string; stdout?: string };
    expect(netstat.command).toBe('netstat -ano');
    expect(Buffer.from(netstat.stdoutBase64 ?? '', 'base64').equals(fixtureBytes('netstat-ano.de.utf16le.txt'))).toBe(true);
    expect((snapshot.sources['tasklist'] as { command: string; stdout?: string }).command).toBe('tasklist /FO CSV /NH');
  });
});
