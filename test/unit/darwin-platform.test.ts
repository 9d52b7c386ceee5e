import { describe, expect, it } from 'vitest';
import { planKill } from '../../src/actions/kill-plan.js';
import { createDarwinPlatform } from '../../src/platform/darwin/index.js';
import { knownHolderOf } from '../../src/platform/known-holders.js';
import type { CommandSource, Snapshot } from '../../src/platform/snapshot/format.js';
import { redactSnapshot } from '../../src/platform/snapshot/redact.js';
import type { Collected, ProcessInfo, Socket } from '../../src/types.js';
import { darwinFixture, toNulTerminated } from '../helpers/darwin-fixtures.js';
import { airplaySnapshot, noPidSnapshot, processPidSnapshot } from '../helpers/darwin-snapshots.js';

function cmd(commandLine: string, stdout: string, exitCode = 0, stderr = ''): CommandSource {
  return { command: commandLine, exitCode, stdout, stderr };
}

function replay(snapshot: Snapshot): ReturnType<typeof createDarwinPlatform> {
  return createDarwinPlatform(snapshot, { kind: 'replay', file: null, capturedAt: snapshot.capturedAt, release: snapshot.release, user: snapshot.user, redacted: false });
}

function withSources(base: Snapshot, sources: Snapshot['sources']): Snapshot {
  return { ...base, sources: { ...base.sources, ...sources } };
}

/** The value of a collected answer, or a failed test that shows why there is none. */
function valueOf<T>(collected: Collected<T> | undefined): T {
  if (collected === undefined || !collected.ok) throw new Error(`no value: ${JSON.stringify(collected)}`);
  return collected.value;
}

const loopbackQuery = { protocol: 'tcp' as const, family: 'ipv4' as const, address: '127.0.0.1', port: 3000 };

describe('the macOS back-end on recorded sources', () => {
  it('port settings: sysctl’s range, 1024 only on specific addresses, no reservations, ::1 on lo0', async () => {
    const settings = await replay(airplaySnapshot()).portSettings();
    expect(settings).toEqual({
      ok: true,
      value: { ephemeralRange: { from: 49152, to: 65535 }, reservedPorts: [], unprivilegedPortStart: 1024, privilegedApplies: 'specific', ipv6: { available: true, disabledOnLo: false, disabledAll: null, bindv6only: null }, defaulted: [] },
    });
    const without = await replay(withSources(airplaySnapshot(), { 'sysctl-portrange': cmd('sysctl', '', 1, 'sysctl: unknown oid') })).portSettings();
    expect(without.ok && without.value).toMatchObject({ ephemeralRange: { from: 49152, to: 65535 }, defaulted: ['net.inet.ip.portrange.first', 'net.inet.ip.portrange.last'] });
  });

  it('loopback from ifconfig: configured addresses only, 127.0.0.2 needs an alias; 10.14.6’s lo0 too', async () => {
    const lo = await replay(airplaySnapshot()).loopback();
    expect(lo.ok && lo.value).toMatchObject({ name: 'lo0', up: true, running: true, ipv4: [{ address: '127.0.0.1', prefixLength: 8 }], ipv4Source: 'ifconfig', ipv4Loopback: 'configured-only', has127001: true, hasIpv6Loopback: true, ipv6Disabled: false });
    const old = await replay(withSources(airplaySnapshot(), { 'ifconfig-lo0': cmd('ifconfig', darwinFixture('ifconfig-osx-10.14.6-jc.txt')) })).loopback();
    expect(old.ok && old.value.ipv6.map((a) => `${a.address}/${a.prefixLength} ${a.scope}`)).toEqual(['::1/128 host', 'fe80::1%lo0/64 link']);
    const missing = await replay(withSources(airplaySnapshot(), { 'ifconfig-lo0': cmd('ifconfig lo0', '', 1, 'ifconfig: interface lo0 does not exist') })).loopback();
    expect(missing).toMatchObject({ ok: false, reason: "'ifconfig lo0' could not be read: it exited with 1 (ifconfig: interface lo0 does not exist)" });
  });

  it('firewall: pf disabled → nothing blocks, with the Application Firewall’s meaning for loopback', async () => {
    const [report] = (await replay(airplaySnapshot()).loadFirewall()).check([loopbackQuery]);
    expect(report).toEqual({
      ok: true,
      value: { blocked: null, sources: [{ name: 'pfctl -s info', read: true, reason: null }], uninterpreted: [], notes: ["pf is disabled ('pfctl -s info'): it filters nothing.", 'The Application Firewall is off.'] },
    });
  });

  it('firewall: pf unreadable without root is unreadable, never "nothing blocks it"', async () => {
    const denied = withSources(airplaySnapshot(), { 'pfctl-info': cmd('pfctl -s info', '', 1, 'pfctl: /dev/pf: Permission denied\n') });
    const [report] = (await replay(denied).loadFirewall()).check([loopbackQuery]);
    expect(report).toMatchObject({ ok: false, reason: expect.stringMatching(/^pf's state could not be read \('pfctl -s info': it exited with 1 \(pfctl: \/dev\/pf: Permission denied\); it needs root\)/) });
  });

  it('firewall: pf enabled with Apple’s anchors → partial (the anchors’ rules are not read); skip on lo0 → complete', async () => {
    const enabled = withSources(airplaySnapshot(), {
      'pfctl-info': cmd('pfctl -s info', darwinFixture('pfctl-s-info-enabled-osx-10.10.txt')),
      'pfctl-rules': cmd('pfctl -sr', darwinFixture('pfctl-s-rules-internet-sharing.txt')),
    });
    const [partial] = (await replay(enabled).loadFirewall()).check([loopbackQuery]);
    expect(valueOf(partial)).toMatchObject({ blocked: null, completeness: 'partial' });
    expect(valueOf(partial).notes).toContain("Whether pf skips lo0 could not be read ('pfctl -s Interfaces -v': not in the snapshot).");
    expect(valueOf(partial).sources.filter((s) => !s.read).map((s) => s.name)).toEqual(["pfctl -a 'com.apple/*' -sr", "pfctl -a 'com.apple.internet-sharing' -sr"]);
    const skipping = withSources(enabled, { 'pfctl-interfaces': cmd('pfctl -s Interfaces -v', darwinFixture('pfctl-s-interfaces-v-skip-lo0.txt')) });
    const [complete] = (await replay(skipping).loadFirewall()).check([loopbackQuery]);
    expect(valueOf(complete)).toMatchObject({ blocked: null, notes: ["pf skips lo0 ('set skip on lo0'): loopback traffic is not filtered.", 'The Application Firewall is off.'] });
    expect(valueOf(complete).completeness).toBeUndefined();
  });

  it('hosts and services through the snapshot; logs only from --log (a replay holds none)', async () => {
    const mac = replay(airplaySnapshot());
    const hosts = await mac.hostsFile();
    expect(hosts.ok && hosts.entries.map((e) => `${e.address} ${e.names.join(' ')}`)).toEqual(['127.0.0.1 localhost', '255.255.255.255 broadcasthost', '::1 localhost']);
    expect(await mac.servicesFile()).toEqual({ ok: false, path: '/etc/services', code: 'not-recorded' });
    const logs = await mac.readLogs({ pid: 724, logFile: '/var/log/app.log' });
    expect(logs.map((l) => [l.source, l.read.ok])).toEqual([
      ['pid 724', false],
      ['/var/log/app.log', false],
    ]);
  });

  it('process(pid): from ps alone; null for a pid ps does not list', async () => {
    const mac = replay(processPidSnapshot());
    expect(await mac.process(51280)).toMatchObject({ pid: 51280, name: 'claude-science', command: '/Users/x/.claude-science/bin/claude-science serve --app --port 8765', details: { os: 'darwin', launchdJob: null } });
    expect(await mac.process(424242)).toBeNull();
  });
});

describe('known holders of macOS from the process’s details', () => {
  const proc = (name: string, details: ProcessInfo['details'], uid = 501): ProcessInfo => ({ pid: 900, ppid: 1, name, command: name, user: 'dev', uid, state: 'S', startedAt: null, container: null, ...(details === undefined ? {} : { details }) });

  it('Docker Desktop names the container that publishes the port, when docker ps said', () => {
    const backend = proc('com.docker.backend', { os: 'darwin', launchdJob: null, publishes: [{ port: 27017, protocol: 'tcp', hostAddress: '0.0.0.0', containerPort: 27017, container: 'mongodb', containerId: 'd77045edba3a', image: 'mongo' }] });
    expect(knownHolderOf('darwin', backend, 27017)?.fix).toBe("Stop the container mongodb (image mongo), which publishes 27017: 'docker stop mongodb'; or publish it on another port.");
    expect(knownHolderOf('darwin', backend, 8081)?.fix).toBe("Find the container with 'docker ps --filter publish=8081' and stop it ('docker stop NAME').");
  });

  it('a Homebrew service: brew services stop; a launchd job: bootout/kickstart in its domain; neither is signalled', () => {
    const brew = knownHolderOf('darwin', proc('redis-server', { os: 'darwin', launchdJob: 'homebrew.mxcl.redis', homebrewService: 'redis' }), 6379);
    expect(brew).toMatchObject({ id: 'homebrew-service', what: 'the Homebrew service redis', fix: 'brew services stop redis', kill: 'refuse' });
    const job = knownHolderOf('darwin', proc('ollama', { os: 'darwin', launchdJob: 'com.ollama.ollama' }), 11434);
    expect(job).toMatchObject({ id: 'launchd-job', what: 'the launchd job com.ollama.ollama', kill: 'refuse' });
    expect(job?.fix).toBe("Stop the job: 'launchctl bootout gui/501/com.ollama.ollama' (it stays unloaded until the next login or 'launchctl bootstrap'); to restart it instead: 'launchctl kickstart -k gui/501/com.ollama.ollama'.");
    const daemon = knownHolderOf('darwin', proc('nginx', { os: 'darwin', launchdJob: 'homebrew.mxcl.nginx', homebrewService: 'nginx' }, 0), 80);
    expect(daemon?.fix).toBe('sudo brew services stop nginx');
    expect(knownHolderOf('darwin', proc('node', { os: 'darwin', launchdJob: null }), 3000)).toBeNull();
  });

  it('kill plans leave them alone with the advice', () => {
    const holder = proc('ollama', { os: 'darwin', launchdJob: 'com.ollama.ollama' });
    const socket: Socket = { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 11434, remoteAddress: null, remotePort: null, state: 'LISTEN', uid: 501, user: 'dev', queue: { recv: 0, send: 0 }, ownerHidden: false, processes: [holder] };
    const plan = planKill([11434], [socket], { os: 'darwin', startTicks: new Map(), identities: new Map([[900, 'lstart:Mon Sep 7 14:55:26 2026']]), selfPid: 1, ancestors: [] });
    expect(plan.targets).toEqual([]);
    expect(plan.skipped).toMatchObject([{ pid: 900, reason: 'known-holder' }]);
  });
});

describe('--redact on a macOS snapshot', () => {
  it('lsof login names (the L field) and ps users become placeholders; pids, ports and program names stay', () => {
    const snapshot = noPidSnapshot();
    const redacted = redactSnapshot(snapshot);
    const lsof = redacted.sources['lsof-inet'];
    const text = lsof !== undefined && 'command' in lsof ? (lsof.stdout ?? '') : '';
    expect(text).not.toMatch(/Lagent/);
    expect(text).toMatch(/\0Luser1\0/);
    expect(text).toContain('ccom.docker.backend\0');
    expect(text).toContain('n*:49153\0');
    expect(redacted.user.name).toBe('user1');
    const original = snapshot.sources['lsof-inet'];
    expect(original !== undefined && 'command' in original && original.stdout).toBe(toNulTerminated(darwinFixture('lsof-F-cfnuLPT-listen-macos26-sanitised.txt')));
  });
});
