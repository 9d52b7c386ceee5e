import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { explainListenError } from '../../src/listen-error.js';
import { useLiveMachine, useReplay } from '../../src/platform/index.js';
import { planKill } from '../../src/actions/kill-plan.js';
import type { DoctorFacts } from '../../src/doctor/types.js';
import { knownHolderOf } from '../../src/platform/known-holders.js';
import type { SnapshotSource } from '../../src/platform/snapshot/format.js';
import { replayReader } from '../../src/platform/snapshot/reader.js';
import { redactSnapshot } from '../../src/platform/snapshot/redact.js';
import { supervisionFor } from '../../src/platform/supervision.js';
import type { PlatformOrigin } from '../../src/platform/types.js';
import { createWin32Platform } from '../../src/platform/win32/index.js';
import { collectWin32PortSettings } from '../../src/platform/win32/port-settings.js';
import { CHCP, consoleText, dynamicPortSource, excludedPortRangeSource, NETSH_PAIRS, NETSH_PORTPROXY, NETSTAT_ANO, NETSTAT_ANOQ, powershellCommand, TASKLIST } from '../../src/platform/win32/sources.js';
import { powershellProcessesScript, parsePowerShellProcesses } from '../../src/platform/win32/powershell.js';
import { renderKillPlan } from '../../src/render/kill.js';
import { addressRules } from '../../src/rules/address-rules.js';
import { localhostResolution } from '../../src/rules/localhost-resolution.js';
import type { Port, ProcessInfo, Socket } from '../../src/types.js';
import { commandSource, fixtureBytes, win32Snapshot } from '../helpers/win32-snapshot.js';

const origin = (elevated = false): PlatformOrigin => ({ kind: 'replay', file: null, capturedAt: '2026-12-06T10:00:00.000Z', release: '10.0.19045', user: { uid: null, name: 'tester', elevated }, redacted: false });
/** Port numbers as the query wants them (a branded type). */
const ports = (...list: number[]): readonly Port[] => list as unknown as readonly Port[];
const codePageUnknown = { codePage: null, reason: 'chcp is not in the snapshot' };

/**
 * The processes script's document in the shape its last line prints — `{"processes":[…],
 * "services":[…]}` with Win32_Process and Win32_Service property names as learn.microsoft.com
 * lists them. Not a recording: no recorded output of this script exists yet (SOURCES.md), so
 * these values are built for the test and say what they stand for.
 */
function processesDocument(processes: readonly Record<string, unknown>[], services: readonly { Name: string; ProcessId: number }[]): SnapshotSource {
  return { ...commandSource(powershellCommand(powershellProcessesScript([])), Buffer.from(JSON.stringify({ processes, services }), 'utf8')) };
}

const node = { ProcessId: 58836, ParentProcessId: 12000, Name: 'node.exe', CommandLine: '"C:\\Program Files\\nodejs\\node.exe" C:\\Users\\ann\\app\\server.js --port 3001', ExecutablePath: 'C:\\Program Files\\nodejs\\node.exe', CreationDate: '2026-12-06T09:00:00.0000000Z' };
const system = { ProcessId: 4, ParentProcessId: 0, Name: 'System', CommandLine: null, ExecutablePath: null, CreationDate: '2026-12-01T08:00:00.0000000Z' };
const svchost = { ProcessId: 1724, ParentProcessId: 900, Name: 'svchost.exe', CommandLine: null, ExecutablePath: 'C:\\Windows\\system32\\svchost.exe', CreationDate: '2026-12-01T08:00:05.0000000Z' };

describe('console text of a Windows command', () => {
  it('a BOM decides, ASCII is the same in every code page, a known code page decodes the rest', () => {
    expect(consoleText({ bytes: fixtureBytes('netstat-ano.de.utf16le.txt') }, codePageUnknown)).toMatchObject({ doubt: null });
    expect(consoleText({ bytes: Buffer.from('  TCP    0.0.0.0:135\r\n') }, codePageUnknown)).toEqual({ text: '  TCP    0.0.0.0:135\r\n', doubt: null });
    expect(consoleText({ bytes: Buffer.from([0x41, 0x42, 0x48, 0x99, 0x52, 0x45, 0x4e]) }, { codePage: 850, reason: null })).toEqual({ text: 'ABHÖREN', doubt: null });
  });

  it('without a code page: valid UTF-8 is read as UTF-8, other bytes as Latin-1, and both say so', () => {
    expect(consoleText({ bytes: Buffer.from('État', 'utf8') }, codePageUnknown)).toMatchObject({ text: 'État', doubt: expect.stringContaining('read as such') });
    const latin = consoleText({ bytes: Buffer.from([0x41, 0x42, 0x48, 0x99, 0x52, 0x45, 0x4e]) }, codePageUnknown);
    expect(latin.text).toHaveLength(7);
    expect(latin.doubt).toMatch(/Latin-1.*numbers and addresses are not affected/);
  });
});

describe('port settings from recorded netsh output', () => {
  it('every excluded range with its protocol, family and who reserved it; an unread output is named, not taken as empty', async () => {
    const snapshot = win32Snapshot({
      excluded: { 'tcp-ipv4': 'excludedportrange-tcp.en.chocolatey-68.txt', 'udp-ipv4': 'excludedportrange-udp.en.otel-contrib-10872.log.txt', 'tcp-ipv6': 'excludedportrange-tcp.zh.clash-verge-1688-empty.txt' },
      dynamic: { 'tcp-ipv4': 'dynamicport-tcp.en.runner-images-1442.log.txt' },
    });
    const settings = await collectWin32PortSettings({ reader: replayReader(snapshot), codePage: async () => codePageUnknown });
    expect(settings.ok).toBe(true);
    if (!settings.ok) return;
    // The runner-images recording: the Visual Studio installer moved the range to 1024 + 64511.
    expect(settings.value.ephemeralRange).toEqual({ from: 1024, to: 65534 });
    expect(settings.value).toMatchObject({ unprivilegedPortStart: 0, privilegedApplies: 'none', reservedPorts: [] });
    const ranges = settings.value.excludedRanges ?? [];
    expect(ranges.filter((r) => r.protocol === 'tcp')).toHaveLength(16);
    expect(ranges.find((r) => r.from === 50000)).toEqual({ protocol: 'tcp', family: 'ipv4', from: 50000, to: 50059, administered: true });
    expect(ranges.filter((r) => r.protocol === 'udp')).toEqual([
      { protocol: 'udp', family: 'ipv4', from: 56030, to: 56129, administered: false },
      { protocol: 'udp', family: 'ipv4', from: 56130, to: 56229, administered: false },
    ]);
    expect(ranges.some((r) => r.family === 'ipv6')).toBe(false);
    expect(settings.value.defaulted).toEqual(['excludedportrange-udp-ipv6 (not in the snapshot: no range is assumed, so a port there may still be excluded)']);
  });

  it('without the dynamic range, Windows’ default stands in and says so', async () => {
    const settings = await collectWin32PortSettings({ reader: replayReader(win32Snapshot({})), codePage: async () => codePageUnknown });
    expect(settings).toMatchObject({ ok: true, value: { ephemeralRange: { from: 49152, to: 65535 } } });
    if (settings.ok) expect(settings.value.defaulted).toContain('dynamicport-tcp-ipv4 (not in the snapshot)');
  });
});

describe('owners from the processes script, and kill plans from them', () => {
  const snapshot = win32Snapshot({
    netstat: 'netstat-ano.en.new-crm.txt',
    extra: { 'powershell-processes': processesDocument([node, system, svchost], [{ Name: 'RpcEptMapper', ProcessId: 1724 }, { Name: 'RpcSs', ProcessId: 1724 }]) },
  });

  it('who: command line, parent, creation time, executable and hosted services; the recorded pids stay', async () => {
    const os = createWin32Platform(snapshot, origin());
    const { sockets, stats } = await os.listSockets({ ports: ports(3001, 135) });
    const byPort = (port: number): Socket | undefined => sockets.find((s) => s.port === port && s.family === 'ipv4');
    expect(byPort(3001)?.processes).toEqual([
      {
        pid: 58836,
        ppid: 12000,
        name: 'node.exe',
        command: node.CommandLine,
        user: '?',
        uid: -1,
        state: '?',
        startedAt: '2026-12-06T09:00:00.000Z',
        container: null,
        details: { os: 'win32', executable: node.ExecutablePath, services: [] },
      },
    ]);
    expect(byPort(135)?.processes[0]?.details).toEqual({ os: 'win32', executable: svchost.ExecutablePath, services: ['RpcEptMapper', 'RpcSs'] });
    expect(stats).toMatchObject({ processesScanned: 2, processesVanished: 0, privileged: false });
    expect(stats.unread).toBeUndefined();
  });

  it('kill context: identity is the creation date; System and a svchost of several services are protected', async () => {
    const os = createWin32Platform(snapshot, origin());
    const { sockets } = await os.listSockets({ ports: ports(3001, 135, 445) });
    const context = await os.processes.context(sockets);
    expect(context.identities.get(58836)).toBe('created:2026-12-06T09:00:00.000Z');
    expect(context.protectedPids?.get(4)).toMatch(/System \(pid 4\) is the Windows kernel/);
    expect(context.protectedPids?.get(1724)).toMatch(/svchost hosts 2 services \(RpcEptMapper, RpcSs\)/);
    expect(context.protectedPids?.has(58836)).toBe(false);
    const plan = planKill([3001, 135, 445], sockets, { ...context, os: 'win32' });
    expect(plan.targets.map((t) => t.pid)).toEqual([58836]);
    expect(plan.skipped.map((s) => [s.pid, s.reason])).toEqual([
      [4, 'protected'],
      [1724, 'protected'],
    ]);
    expect(os.processes.forcefulOnly).toBe(true);
    // A replay never signals.
    expect(await os.processes.signal(58836, 'SIGTERM')).toBe('gone');
    const rendered = renderKillPlan(plan, { color: false, width: 200, signal: 'SIGTERM', escalate: true, graceMs: 5000, os: 'win32' });
    expect(rendered).toContain("a close request ('taskkill /PID N': Windows has no SIGTERM");
    expect(rendered).toContain("then 'taskkill /F /PID N' after 5s to any that still holds the port, only if you confirm it or pass --yes");
    expect(renderKillPlan(plan, { color: false, width: 200, signal: 'SIGTERM', escalate: true, graceMs: 5000, os: 'linux' })).toContain('SIGTERM, then SIGKILL after 5s to any that still holds the port, if confirmed');
  });

  it('without PowerShell the owners come from tasklist (names only), and a pid with no creation time is never signalled', async () => {
    // netstat from new-crm, tasklist from another machine: pid 4 is System on both.
    const os = createWin32Platform(win32Snapshot({ netstat: 'netstat-ano.en.new-crm.txt', tasklist: 'tasklist-fo-csv.en.txt' }), origin());
    const { sockets, stats } = await os.listSockets({ ports: ports(445) });
    expect(sockets[0]?.processes[0]).toMatchObject({ pid: 4, name: 'System', command: 'System', ppid: -1, startedAt: null, details: { os: 'win32', executable: null } });
    expect(sockets[0]?.processes[0]?.details).not.toHaveProperty('services');
    expect(stats.unread?.map((u) => u.source)).toEqual(['powershell-processes']);
  });

  it('the PowerShell processes document: one item or a list, and items without a name or pid are reported', () => {
    expect(parsePowerShellProcesses(JSON.stringify({ processes: node, services: { Name: 'iphlpsvc', ProcessId: 3040 } }))).toMatchObject({ ok: true, value: { processes: [{ pid: 58836 }], services: [{ name: 'iphlpsvc', pid: 3040 }], problems: [] } });
    expect(parsePowerShellProcesses(JSON.stringify({ processes: [], services: [{ Name: '', ProcessId: 1 }] }))).toMatchObject({ ok: true, value: { services: [], problems: ['services[0]: Name and ProcessId are required'] } });
    expect(parsePowerShellProcesses('')).toEqual({ ok: true, value: { processes: [], services: [], problems: [] } });
    expect(parsePowerShellProcesses('Get-CimInstance : Access denied')).toMatchObject({ ok: false });
  });

  it('the script asks WMI for the pids only, and for everything beyond 200 of them', () => {
    expect(powershellProcessesScript([4, 58836])).toContain('$pids = @(4,58836)');
    expect(powershellProcessesScript([1.5, -1, 7])).toContain('$pids = @(7)');
    expect(powershellProcessesScript(Array.from({ length: 201 }, (_, i) => i + 1))).toContain('$pids = @()');
  });
});

describe('known Windows holders, as data', () => {
  const proc = (name: string, pid: number, services?: string[]): ProcessInfo => ({ pid, ppid: 1, name, command: name, user: '?', uid: -1, state: '?', startedAt: null, container: null, details: { os: 'win32', executable: null, ...(services === undefined ? {} : { services }) } });
  const socket = (port: number, p: ProcessInfo): Socket => ({ protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port, remoteAddress: null, remotePort: null, state: 'LISTEN', uid: -1, user: '?', queue: { recv: 0, send: 0 }, ownerHidden: false, processes: [p] });

  it('WSL, Docker Desktop, a port proxy, HTTP.sys and SMB are named, with what to do instead of killing', () => {
    expect(knownHolderOf('win32', proc('wslrelay.exe', 7100), 8080)).toMatchObject({ id: 'wslrelay', kill: 'refuse' });
    expect(knownHolderOf('win32', proc('wslrelay.exe', 7100), 8080)?.fix).toContain("'wsl -d DISTRO -- portdoctor who 8080'");
    expect(knownHolderOf('win32', proc('com.docker.backend.exe', 6789), 8080)?.fix).toContain("'docker ps --filter publish=8080'");
    // A port proxy only on a socket the back-end joined with a rule (win32-portproxy.test.ts); the svchost alone is a service host.
    expect(knownHolderOf('win32', proc('svchost.exe', 3040, ['iphlpsvc']), 8080)?.id).toBe('service-host');
    expect(knownHolderOf('win32', proc('System', 4), 80)?.id).toBe('http-sys');
    expect(knownHolderOf('win32', proc('System', 4), 445)?.id).toBe('smb');
    expect(knownHolderOf('win32', proc('node.exe', 4242), 3000)).toBeNull();
  });

  it('a process that runs a Windows service is named with the service, and Stop-Service is the advice', () => {
    const mysql = proc('mysqld.exe', 1680, ['mysql']);
    expect(supervisionFor('win32', mysql, socket(3306, mysql), false)).toEqual({ kind: 'windows-service', name: 'mysql', advice: 'Stop-Service mysql' });
    const plan = planKill([3306, 8080], [socket(3306, mysql), socket(8080, proc('wslrelay.exe', 7100))], { os: 'win32', startTicks: new Map(), identities: new Map([[1680, 'created:x'], [7100, 'created:y']]), selfPid: 1, ancestors: [] });
    expect(plan.targets.map((t) => [t.pid, t.supervision?.kind])).toEqual([[1680, 'windows-service']]);
    expect(plan.skipped).toMatchObject([{ pid: 7100, reason: 'known-holder' }]);
  });
});

describe('Windows wording in the rules', () => {
  const listener = (address: string, port: number): Socket => ({ protocol: 'tcp', family: address.includes(':') ? 'ipv6' : 'ipv4', address, port, remoteAddress: null, remotePort: null, state: 'LISTEN', uid: -1, user: '?', queue: { recv: 0, send: 0 }, ownerHidden: false, processes: [] });
  const facts = (os: 'linux' | 'win32', extra: Partial<DoctorFacts>): DoctorFacts =>
    ({ os, target: { input: 'localhost:3000', host: 'localhost', port: 3000, protocol: 'tcp', scheme: 'tcp' }, views: ['client'], sockets: [], probe: null, resolution: null, hosts: { ok: true, value: { path: 'hosts', localhost: [] } }, ...extra }) as unknown as DoctorFacts;

  it('localhost-resolution: a hosts file without localhost is a finding on Linux, normal on Windows', () => {
    const resolution = { host: 'localhost', literal: false, addresses: [{ address: '::1', family: 'ipv6' }, { address: '127.0.0.1', family: 'ipv4' }], error: null };
    expect(localhostResolution.evaluate(facts('linux', { resolution } as unknown as Partial<DoctorFacts>)).map((f) => [f.code, f.severity])).toEqual([['localhost-resolution', 'warning']]);
    expect(localhostResolution.evaluate(facts('win32', { resolution } as unknown as Partial<DoctorFacts>))).toEqual([]);
  });

  it('family-mismatch on Windows adds the one-to-two-second stall of a refused first address; Linux does not', () => {
    const attempt = (address: string, status: string) => ({ address, family: address.includes(':') ? 'ipv6' : 'ipv4', status, latencyMs: 1, error: status === 'refused' ? 'ECONNREFUSED' : null, fingerprint: null });
    const probe = { attempts: [attempt('::1', 'refused'), attempt('127.0.0.1', 'open')] };
    const detail = (os: 'linux' | 'win32'): string => addressRules.evaluate(facts(os, { probe, sockets: [listener('127.0.0.1', 3000)] } as unknown as Partial<DoctorFacts>))[0]?.detail ?? '';
    expect(detail('win32')).toContain('waits about one to two seconds on every connection');
    expect(detail('linux')).not.toContain('one to two seconds');
    expect(detail('linux')).toContain('every connection pays for the failed attempt.');
  });
});

describe('--redact on a Windows snapshot', () => {
  it('replaces command-line arguments and user names in PowerShell JSON, and keeps code-page bytes exact', () => {
    const oem = Buffer.from([0x20, 0x20, 0x54, 0x43, 0x50, 0x20, 0x41, 0x42, 0x48, 0x99, 0x52, 0x45, 0x4e, 0x0d, 0x0a]); // "  TCP ABHÖREN\r\n" in code page 850
    const snapshot = { ...win32Snapshot({ extra: { 'powershell-processes': processesDocument([node, system], []), 'netstat-ano': { command: 'netstat -ano', exitCode: 0, stdoutBase64: oem.toString('base64'), stderr: '' } } }), user: { uid: null, name: 'ann', elevated: false } };
    const redacted = redactSnapshot(snapshot);
    expect(redacted.redacted).toBe(true);
    expect(redacted.user.name).toBe('user1');
    const ps = redacted.sources['powershell-processes'] as { stdout: string };
    const document = JSON.parse(ps.stdout) as { processes: { CommandLine: string | null; ExecutablePath: string | null; ProcessId: number }[] };
    expect(document.processes[0]).toMatchObject({ ProcessId: 58836, CommandLine: '"C:\\Program Files\\nodejs\\node.exe" <arg1> --port 3001', ExecutablePath: 'C:\\Program Files\\nodejs\\node.exe' });
    expect(ps.stdout).not.toContain('ann');
    expect(Buffer.from((redacted.sources['netstat-ano'] as { stdoutBase64: string }).stdoutBase64, 'base64').equals(oem)).toBe(true);
  });
});

describe('explainListenError on a replayed Windows machine', () => {
  afterEach(() => useLiveMachine());

  it('a Windows EACCES on a port inside an excluded range is explained as port-excluded', async () => {
    // Spanish netstat (nothing on 3000), excluded ranges of another machine (clash-verge-rev#1688).
    useReplay(win32Snapshot({ netstat: 'netstat-ano.es.utf16le.txt', excluded: { 'tcp-ipv4': 'excludedportrange-tcp.en.clash-verge-1688-hyperv.txt' }, dynamic: { 'tcp-ipv4': 'dynamicport-tcp.en.usbipd-53.txt' } }));
    // Node's error for `listen EACCES: permission denied 0.0.0.0:3000` (microsoft/WSL#5514 shows it for 5037).
    const explained = await explainListenError({ code: 'EACCES', errno: -4092, syscall: 'listen', address: '0.0.0.0', port: 3000 });
    expect(explained?.report.findings.map((f) => f.code)).toContain('port-excluded');
    expect(explained?.message).toMatch(/^Cannot listen on 0\.0\.0\.0:3000 \(EACCES\):\nPort 3000 is in an excluded port range \(2919-3018\)/);
  });
});

describe('the README documents every Windows snapshot source with its exact command', () => {
  it('each key the back-end reads is a row of the README table, with the command the back-end runs', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Windows snapshot sources'));
    const rows = new Map([...section.matchAll(/^\| `([\w-]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));
    const line = (source: { command: string; args: readonly string[] }): string => `\`${[source.command, ...source.args].join(' ')}\``;
    const expected = new Map<string, string>([
      ['chcp', line(CHCP)],
      ['netstat-ano', line(NETSTAT_ANO)],
      ['netstat-anoq', line(NETSTAT_ANOQ)],
      ['tasklist', line(TASKLIST)],
      [NETSH_PORTPROXY.key, line(NETSH_PORTPROXY)],
      ...NETSH_PAIRS.flatMap(([protocol, family]) => [excludedPortRangeSource(protocol, family), dynamicPortSource(protocol, family)].map((source) => [source.key, line(source)] as [string, string])),
    ]);
    for (const [key, command] of expected) expect(rows.get(key), key).toBe(command);
    const powershell = powershellCommand('');
    for (const key of ['powershell-sockets', 'powershell-processes']) expect(rows.get(key), key).toContain(`\`${powershell.command} ${powershell.args.slice(0, 4).join(' ')} <base64 of`);
    for (const key of ['hosts', 'services']) expect(rows.get(key), key).toBe(`the file \`%SystemRoot%\\System32\\drivers\\etc\\${key}\``);
    expect([...rows.keys()].sort()).toEqual([...expected.keys(), 'powershell-sockets', 'powershell-processes', 'hosts', 'services'].sort());
  });
});
