import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, jsonOf, runCli, type CliResult } from '../helpers/cli.js';
import { airplaySnapshot, bytesSnapshot, classicSnapshot, gencntSnapshot, headerlessSnapshot, noPidSnapshot, processPidSnapshot, writeSnapshots } from '../helpers/darwin-snapshots.js';

/**
 * The macOS back-end end to end: the built CLI replays snapshots made of recorded macOS output
 * (test/helpers/darwin-snapshots.ts names each source's fixture and Mac). The expected listings
 * below are what a person reads off the raw netstat / lsof text of each fixture, row by row.
 * `npm run build` first (npm test does).
 */

interface ListedProcess {
  readonly pid: number;
  readonly name: string;
  readonly command: string;
}
interface ListedSocket {
  readonly protocol: string;
  readonly family: string;
  readonly address: string;
  readonly port: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly state: string;
  readonly ownerHidden: boolean;
  readonly processes: readonly ListedProcess[];
  readonly inode?: number;
  readonly netns?: unknown;
}
interface Listing {
  readonly sockets: readonly ListedSocket[];
  readonly stats: { readonly privileged: boolean; readonly unread?: readonly { source: string; reason: string; effect: string }[] };
  readonly replay?: { readonly os: string };
}

/** One socket as a line: `tcp6 [::]:5000 - LISTEN 724/ControlCenter`. */
function brief(s: ListedSocket): string {
  const at = (address: string, port: number): string => (s.family === 'ipv6' ? `[${address}]:${port}` : `${address}:${port}`);
  const owners = s.processes.map((p) => `${p.pid}/${p.name}`).join(',') || (s.ownerHidden ? 'hidden' : 'none');
  return `${s.protocol}${s.family === 'ipv6' ? '6' : ''} ${at(s.address, s.port)} ${s.remoteAddress === null ? '-' : at(s.remoteAddress, s.remotePort ?? 0)} ${s.state} ${owners}`;
}

const built = existsSync(CLI);
let files: Record<string, string> = {};
let dir: string | null = null;

function ls(name: string, ...args: string[]): Listing {
  const run = runCli(['ls', '--json', ...args, '--replay', files[name]!]);
  expect(run.code, run.stderr).toBe(0);
  return jsonOf(run) as Listing;
}

/** The OS commands of Linux that must never reach a Mac user. */
const LINUX_COMMANDS = [/(^|[\s'"`(])ss -/, /\biptables\b/, /\bnft\b/, /\bsystemctl\b/, /(^|[\s'"`(])ip (addr|link|route|netns|-)/, /\/proc\b/, /\bsetcap\b/, /\bjournalctl\b/, /\bnsenter\b/];

function linuxCommandsIn(run: CliResult): string[] {
  return LINUX_COMMANDS.filter((pattern) => pattern.test(run.stdout) || pattern.test(run.stderr)).map(String);
}

describe.skipIf(!built)('macOS snapshots replayed by the built CLI (skipped: run `npm run build` first)', () => {
  afterAll(() => {
    if (dir !== null) rmSync(dir, { recursive: true, force: true });
  });
  beforeAll(() => {
    ({ dir, paths: files } = writeSnapshots({
      processPid: processPidSnapshot(),
      airplay: airplaySnapshot(),
      bytes: bytesSnapshot(),
      gencnt: gencntSnapshot(),
      classic: classicSnapshot(),
      noPid: noPidSnapshot(),
      headerless: headerlessSnapshot(),
    }));
  });

  it('process:pid layout with lsof (macOS 26): netstat rows joined with lsof holders, lsof-only sockets listed, one lsof socket without a family named', () => {
    const listing = ls('processPid', '--all');
    expect(listing.replay).toMatchObject({ os: 'darwin' });
    expect(listing.sockets.map(brief)).toEqual([
      // netstat: launchd:1 on 127.0.0.1.8021 and ::1.8021 (lsof, unprivileged, does not see launchd)
      'tcp 127.0.0.1:8021 - LISTEN 1/launchd',
      'tcp6 [::1]:8021 - LISTEN 1/launchd',
      // netstat tcp46 *.38123 Python:54256; lsof p54256 tIPv6 n*:38123
      'tcp6 [::]:38123 - LISTEN 54256/Python',
      // netstat udp4 127.0.0.1.38127 Python:63939
      'udp 127.0.0.1:38127 - UNCONN 63939/Python',
      // netstat tcp6 *.56966 rapportd:967; lsof p967 f10 and f11 on *:56966 (no t field)
      'tcp6 [::]:56966 - LISTEN 967/rapportd',
      // netstat tcp4 127.0.0.1.60332 "Code Helper (Plu:21891"; lsof names the process "Code Helper (Plugin)"
      'tcp 127.0.0.1:60332 - LISTEN 21891/Code Helper (Plugin)',
      // lsof only: p5043 ctor n127.0.0.1:9050 (no T field: state unknown)
      'tcp 127.0.0.1:9050 - UNKNOWN 5043/tor',
      'tcp 10.24.102.43:54589 160.79.104.10:443 ESTAB 53171/curl',
      // netstat cut the name at 16 characters, and nothing else names pid 1271
      'udp 10.24.102.43:60109 35.186.224.22:443 ESTAB 1271/Google Chrome He',
      // lsof only: Code Helper's n[::1]:60332
      'tcp6 [::1]:60332 - UNKNOWN 21891/Code Helper (Plugin)',
    ]);
    expect(listing.sockets[0]?.processes[0]?.command).toBe('/sbin/launchd');
    // No Linux-only field on a Mac's sockets.
    expect(listing.sockets.every((s) => s.inode === undefined && s.netns === undefined)).toBe(true);
    // ControlCenter's *:7000 came from lsof without its family and netstat (trimmed) lacks it: named, not guessed.
    const lsofNote = listing.stats.unread?.find((u) => u.source === 'lsof-inet');
    expect(lsofNote?.reason).toMatch(/ControlCenter \(pid 1065\) on TCP \*:7000 \(2 descriptors\)/);
  });

  it('process:pid layout without lsof (macOS 26, AirPlay Receiver on): every row with netstat’s pid and name', () => {
    expect(ls('airplay', '--all').sockets.map(brief)).toEqual([
      'tcp 127.0.0.1:3306 - LISTEN 1441/mysqld',
      'tcp 0.0.0.0:5000 - LISTEN 724/ControlCenter',
      'tcp6 [::]:5000 - LISTEN 724/ControlCenter',
      'tcp 127.0.0.1:6379 - LISTEN 1168/redis-server',
      'tcp6 [::1]:6379 - LISTEN 1168/redis-server',
      'tcp6 [::1]:7679 - LISTEN 1341/Google Drive',
      'tcp 127.0.0.1:8021 - LISTEN 1/launchd',
      'tcp6 [::1]:8021 - LISTEN 1/launchd',
      'tcp 127.0.0.1:17030 - LISTEN 99011/dbeaver',
      'tcp 127.0.0.1:33060 - LISTEN 1441/mysqld',
      'tcp6 [::]:38123 - LISTEN 59043/node',
      'tcp6 [::]:43257 - LISTEN 1233/io.tailscale.ipn',
      'tcp 0.0.0.0:55614 - LISTEN 1233/io.tailscale.ipn',
      'tcp 127.0.0.1:58400 - LISTEN 57295/ASOctaneSupportX',
      'tcp 127.0.0.1:3306 127.0.0.1:52011 ESTAB 1441/mysqld',
    ]);
  });

  it('bytes layout with -l (macOS 15): full IPv6 addresses with zones, dual-stack ::ffff:, UDP, netstat pids', () => {
    expect(ls('bytes', '--all').sockets.map(brief)).toEqual([
      'udp 0.0.0.0:0 - UNCONN 470/?',
      'tcp6 [::]:5000 - LISTEN 724/?',
      'udp6 [::]:5353 - UNCONN 412/?',
      'udp6 [fe80::1%lo0]:5353 - UNCONN 412/?',
      'tcp6 [::1]:8021 - LISTEN 1/?',
      'tcp6 [::ffff:127.0.0.1]:8080 - LISTEN 59043/?',
      'tcp6 [fe80::aede:48ff:fe00:1122%en5]:49154 - LISTEN 77/?',
      'tcp 127.0.0.1:3306 127.0.0.1:52011 ESTAB 1441/?',
      'tcp6 [2600:1700:bab0:d40:bb:9ad:34c5:2e9a]:52137 [2606:4700:4700::1111]:443 ESTAB 2903/?',
      'udp 10.24.102.43:60109 35.186.224.22:443 ESTAB 1271/?',
      'tcp 127.0.0.1:60332 127.0.0.1:3000 CLOSE-WAIT 22712/?',
    ]);
  });

  it('gencnt layout (macOS 13/14): the pid column, not the buffer sizes before it', () => {
    expect(ls('gencnt', '--all').sockets.map(brief)).toEqual([
      'tcp 127.0.0.1:8001 127.0.0.1:60348 ESTAB 34323/?',
      'tcp 192.168.50.89:60344 149.137.136.16:443 ESTAB 24807/?',
      'tcp 192.168.50.89:60347 140.82.113.5:443 ESTAB 24807/?',
      'tcp 127.0.0.1:60348 127.0.0.1:8001 ESTAB 24807/?',
    ]);
  });

  it('classic layout (macOS ≤ 12): pids of the pid column', () => {
    expect(ls('classic').sockets.map(brief)).toEqual([
      'tcp6 [::]:3000 - LISTEN 33784/?',
      'tcp6 [::]:3306 - LISTEN 1125/?',
      'tcp 127.0.0.1:4780 - LISTEN 469/?',
      'tcp 127.0.0.1:4781 - LISTEN 469/?',
      'tcp 127.0.0.1:4788 - LISTEN 469/?',
      'tcp6 [::]:6379 - LISTEN 1125/?',
      'tcp 127.0.0.1:6942 - LISTEN 369/?',
      'tcp 127.0.0.1:6943 - LISTEN 384/?',
      'tcp 127.0.0.1:8000 - LISTEN 24811/?',
      'tcp6 [::]:35729 - LISTEN 33784/?',
      'tcp 127.0.0.1:50807 - LISTEN 369/?',
      'tcp 127.0.0.1:63342 - LISTEN 369/?',
      'tcp 127.0.0.1:63343 - LISTEN 384/?',
    ]);
  });

  it('no pid column: holders from unprivileged lsof, the rest hidden (other users’), never guessed', () => {
    const listing = ls('noPid', '--all');
    expect(listing.stats.privileged).toBe(false);
    expect(listing.sockets.map(brief)).toEqual([
      'tcp 0.0.0.0:22 - LISTEN hidden',
      'tcp6 [::]:22 - LISTEN hidden',
      'tcp 0.0.0.0:88 - LISTEN hidden',
      'tcp6 [::]:88 - LISTEN hidden',
      'tcp 127.0.0.1:631 - LISTEN hidden',
      'tcp6 [::1]:631 - LISTEN hidden',
      'tcp6 [::]:3283 - LISTEN 21918/ARDAgent',
      'tcp 0.0.0.0:5900 - LISTEN hidden',
      'tcp6 [::]:5900 - LISTEN hidden',
      'tcp 127.0.0.1:8021 - LISTEN hidden',
      'tcp6 [::1]:8021 - LISTEN hidden',
      'tcp6 [::]:8770 - LISTEN 751/sharingd',
      'tcp 127.0.0.1:11434 - LISTEN 805/ollama',
      'tcp 127.0.0.1:20241 - LISTEN hidden',
      'tcp 0.0.0.0:49153 - LISTEN 877/com.docker.backend',
      // lsof p760 f24 and f25 on *:55230 without a family: both of netstat's rows (tcp4 and tcp6)
      'tcp 0.0.0.0:55230 - LISTEN 760/rapportd',
      'tcp6 [::]:55230 - LISTEN 760/rapportd',
      'tcp 192.168.7.42:50857 203.0.113.10:443 LAST-ACK hidden',
      'tcp 192.168.7.42:50861 203.0.113.10:443 ESTAB hidden',
      'tcp 192.168.7.42:62875 203.0.113.24:443 CLOSE-WAIT hidden',
    ]);
  });

  it('an unrecognised layout (rows without their header) yields no pid at all, and says why', () => {
    const listing = ls('headerless', '--all');
    expect(listing.sockets).toHaveLength(15);
    expect(listing.sockets.every((s) => s.processes.length === 0)).toBe(true);
    const note = listing.stats.unread?.find((u) => u.source === 'netstat-tcp');
    expect(note?.reason).toMatch(/not a layout portdoctor knows.*without a "Proto … \(state\)" header/);
    expect(note?.effect).toMatch(/no pid is taken from netstat.*portdoctor snapshot --redact/);
    // The six IPv6 rows netstat cut at 16 characters (no -l) are counted, not guessed.
    expect(listing.stats.unread?.find((u) => u.source === 'netstat')?.reason).toMatch(/^6 IPv6 addresses were cut short/);
  });

  it('who 5000 --json: ControlCenter on both families', () => {
    const run = runCli(['who', '5000', '--json', '--replay', files['airplay']!]);
    expect(run.code).toBe(0);
    expect((jsonOf(run) as Listing).sockets.map(brief)).toEqual(['tcp 0.0.0.0:5000 - LISTEN 724/ControlCenter', 'tcp6 [::]:5000 - LISTEN 724/ControlCenter']);
    const nobody = runCli(['who', '5001', '--replay', files['airplay']!]);
    expect(nobody.code).toBe(1);
  });

  it('doctor 5000 names AirPlay Receiver (ControlCenter) with the macOS fix, and no Linux command anywhere', () => {
    const text = runCli(['doctor', '5000', '--no-config', '--replay', files['airplay']!]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Port 5000 is held by AirPlay Receiver \(ControlCenter\) \[known-holder\]/);
    expect(text.stdout).toMatch(/Turn off System Settings › General › AirDrop & Handoff › AirPlay Receiver/);
    expect(linuxCommandsIn(text)).toEqual([]);
    const json = runCli(['doctor', '5000', '--json', '--no-config', '--replay', files['airplay']!]);
    const report = jsonOf(json) as { findings: { code: string; evidence: { holder?: string } }[]; replay: { os: string } };
    expect(report.replay.os).toBe('darwin');
    expect(report.findings.find((f) => f.code === 'known-holder')?.evidence.holder).toBe('airplay-receiver');
    expect(linuxCommandsIn(json)).toEqual([]);
  });

  it('doctor 49153 names the Docker Desktop forward and the ephemeral range (macOS wording)', () => {
    const json = runCli(['doctor', '49153', '--json', '--no-config', '--replay', files['noPid']!]);
    expect(json.code).toBe(0);
    const report = jsonOf(json) as { findings: { code: string; fix: string; detail: string; evidence: { holder?: string } }[] };
    const docker = report.findings.find((f) => f.code === 'known-holder');
    expect(docker?.evidence.holder).toBe('docker-desktop');
    expect(docker?.fix).toBe("Find the container with 'docker ps --filter publish=49153' and stop it ('docker stop NAME').");
    const ephemeral = report.findings.find((f) => f.code === 'ephemeral-range');
    expect(ephemeral?.detail).toMatch(/macOS hands out ports 49152-65535 \(net\.inet\.ip\.portrange\.first\/last\)/);
    expect(linuxCommandsIn(json)).toEqual([]);
    expect(linuxCommandsIn(runCli(['doctor', '49153', '--no-config', '--replay', files['noPid']!]))).toEqual([]);
  });

  it('doctor 3000 --bind with a holder: port-in-use, exit 1, bind not run on a replay', () => {
    const run = runCli(['doctor', '3000', '--bind', '--json', '--no-config', '--replay', files['classic']!]);
    expect(run.code).toBe(1);
    const report = jsonOf(run) as { findings: { code: string; evidence: Record<string, unknown> }[]; facts: { binds: unknown[] }; replay: { notRun: string[] } };
    expect(report.findings.map((f) => f.code)).toContain('port-in-use');
    expect(report.facts.binds).toEqual([]);
    expect(report.replay.notRun).toEqual(['probe', 'bind']);
    expect(linuxCommandsIn(run)).toEqual([]);
  });

  it('doctor 127.0.0.2:3000: the address is not on lo0, and the fix is an alias', () => {
    const run = runCli(['doctor', '127.0.0.2:3000', '--json', '--no-config', '--replay', files['classic']!]);
    expect(run.code).toBe(1);
    const report = jsonOf(run) as { findings: { code: string; title: string; fix: string }[] };
    expect(report.findings.find((f) => f.title === '127.0.0.2 is not an address of lo0')).toMatchObject({ code: 'loopback-down', fix: 'sudo ifconfig lo0 alias 127.0.0.2 (until the next restart), or use 127.0.0.1.' });
    expect(linuxCommandsIn(run)).toEqual([]);
  });

  it('kill --dry-run plans (a known holder is left alone; a plain process is a target), kill refuses with exit 2', () => {
    const airplay = jsonOf(runCli(['kill', '5000', '--dry-run', '--json', '--replay', files['airplay']!])) as { plan: { targets: unknown[]; skipped: { pid: number; reason: string }[] } };
    expect(airplay.plan.targets).toEqual([]);
    expect(airplay.plan.skipped).toMatchObject([{ pid: 724, reason: 'known-holder' }]);
    // The human plan: the holder's own fix ends the sentence, with one full stop.
    const human = runCli(['kill', '5000', '--dry-run', '--replay', files['airplay']!]).stdout;
    expect(human).toMatch(/- pid 724 \(ControlCenter\) on port 5000 is left alone: .*AirPlay Receiver.*[^.]\.\n/);
    expect(human).not.toContain('..');
    const dry = runCli(['kill', '3000', '--dry-run', '--json', '--replay', files['classic']!]);
    expect(dry.code).toBe(0);
    expect((jsonOf(dry) as { plan: { targets: { pid: number }[] } }).plan.targets.map((t) => t.pid)).toEqual([33784]);
    const refused = runCli(['kill', '3000', '--replay', files['classic']!]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot run on a replayed snapshot/);
  });

  it('info reads the snapshot’s port settings: the macOS ephemeral range, privileged ports only on specific addresses', () => {
    const run = runCli(['info', '80', '--json', '--replay', files['airplay']!]);
    expect(run.code).toBe(0);
    const info = jsonOf(run) as { ephemeralRange: unknown; privileged: boolean; unprivilegedPortStart: number; notes: string[] };
    expect(info).toMatchObject({ ephemeralRange: { from: 49152, to: 65535 }, privileged: true, unprivilegedPortStart: 1024 });
    expect(info.notes).toContain('Binding 80 needs root only on a specific address (127.0.0.1, ::1); anyone may bind it on 0.0.0.0 or ::.');
    const airplay = jsonOf(runCli(['info', '5000', '--json', '--replay', files['airplay']!])) as { ephemeral: boolean; squatters: { name: string }[] };
    expect(airplay.ephemeral).toBe(false);
    expect(airplay.squatters.map((s) => s.name)).toContain('AirPlay Receiver (macOS ControlCenter)');
    // Linux's packaged PostgreSQL is reference on a Mac: marked as another system's, listed apart.
    const postgres = runCli(['info', '5432', '--replay', files['airplay']!]);
    expect(postgres.stdout).toMatch(/On other systems\n {4}distribution PostgreSQL \[linux\]/);
    const postgresJson = jsonOf(runCli(['info', '5432', '--json', '--replay', files['airplay']!])) as { squatters: { name: string; elsewhere: boolean }[] };
    expect(postgresJson.squatters.find((s) => s.name === 'distribution PostgreSQL')?.elsewhere).toBe(true);
  });
});
