import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../helpers/cli.js';
import { isRoot, NOBODY, startListener, type ListenerProcess } from '../helpers/processes.js';

interface Listing {
  readonly sockets: readonly unknown[];
  readonly stats: { readonly privileged: boolean; readonly namespaces: number };
  readonly replay?: { readonly os: string; readonly file: string };
}

/**
 * A Linux snapshot replays to what the live machine answered: the same `ls --json` sockets —
 * addresses, states, inodes, backlogs, owners with their command lines and start times — and the
 * same `who` across namespaces. Built in a private namespace so nothing else's sockets come and go
 * between the live run and the recording.
 */
describe.skipIf(!isRoot)('Linux snapshot → replay (needs root: ip netns add, an owner run as nobody)', () => {
  const ns = `pd-snap-${randomBytes(3).toString('hex')}`;
  const inside = ['ip', 'netns', 'exec', ns];
  const dir = mkdtempSync(join(tmpdir(), 'pd-snap-'));
  const file = join(dir, 'snapshot.json');
  const listeners: ListenerProcess[] = [];

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    listeners.push(await startListener(['tcp:127.0.0.1:0', 'tcp:::1:0', 'tcp:0.0.0.0:0', 'udp:127.0.0.1:0', 'udp:::1:0'], { prefix: inside, flags: ['--connect', '2'] }));
    listeners.push(await startListener(['tcp:127.0.0.1:0'], { prefix: [...inside, 'setpriv', ...NOBODY] }));
    listeners.push(await startListener(['tcp:127.0.0.1:0'], { prefix: inside, flags: ['--share'] }));
  });
  afterAll(async () => {
    for (const listener of listeners) await listener[Symbol.asyncDispose]();
    execFileSync('ip', ['netns', 'del', ns]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('ls --json and who --json replay exactly as the live run answered', () => {
    const recorded = runCli(['snapshot', '--out', file], { prefix: inside });
    expect(recorded.code, recorded.stderr).toBe(0);
    const live = jsonOf(runCli(['ls', '--json', '--all'], { prefix: inside })) as Listing;
    const replayed = jsonOf(runCli(['ls', '--json', '--all', '--replay', file])) as Listing;
    // Our own listeners are there, with owners: the comparison is not of two empty lists.
    const ports = listeners.flatMap((l) => l.sockets.map((s) => s.port));
    expect((live.sockets as { port: number; processes: unknown[] }[]).filter((s) => ports.includes(s.port) && s.processes.length > 0).length).toBeGreaterThanOrEqual(ports.length);
    expect(replayed.sockets).toEqual(live.sockets);
    expect(replayed.stats).toMatchObject({ privileged: live.stats.privileged, namespaces: live.stats.namespaces });
    expect(replayed.replay).toMatchObject({ os: 'linux', file });

    const port = listeners[0]!.sockets[0]!.port;
    const liveWho = jsonOf(runCli(['who', String(port), '--json'], { prefix: inside })) as Listing;
    const replayWho = jsonOf(runCli(['who', String(port), '--json'], { env: { PORTDOCTOR_REPLAY: file } })) as Listing;
    expect(replayWho.sockets).toEqual(liveWho.sockets);
  });

  it('the snapshot holds the raw sources as read: tables, fd links, owners, sysctls, firewall dumps', () => {
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { portdoctor: string; os: string; user: { elevated: boolean }; sources: Record<string, { file?: string; content?: string; command?: string; link?: string }> };
    expect(snapshot).toMatchObject({ portdoctor: 'snapshot/1', os: 'linux', user: { elevated: true } });
    const pid = listeners[0]!.pid;
    expect(snapshot.sources['/proc/self/net/tcp']?.content).toMatch(/^\s+sl\s+local_address/);
    expect(snapshot.sources[`/proc/${pid}/cmdline`]?.content).toBe(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    expect(snapshot.sources['/proc/sys/net/ipv4/ip_local_port_range']?.content).toMatch(/^\d+\s+\d+\n$/);
    expect(snapshot.sources['nft']?.command).toMatch(/nft -j list ruleset$/);
    expect(snapshot.sources['hosts']?.file).toBe('/etc/hosts');
  });

  it('a replayed doctor marks probes and trial binds as not run, and kill refuses with exit 2', () => {
    const port = listeners[0]!.sockets[0]!.port;
    const doctor = runCli(['doctor', String(port), '--json', '--no-config', '--replay', file]);
    const report = jsonOf(doctor) as { probes: unknown[]; facts: { binds: unknown[] }; replay: { notRun: string[] }; steps: { id: string; lines: string[] }[] };
    expect(report.probes).toEqual([]);
    expect(report.facts.binds).toEqual([]);
    expect(report.replay.notRun).toEqual(['probe', 'bind']);
    expect(report.steps.find((s) => s.id === 'port-usage')?.lines).toContain('connect: not run (a replayed snapshot: probes need the live machine)');
    const kill = runCli(['kill', String(port), '--replay', file]);
    expect(kill.code).toBe(2);
    expect(kill.stderr).toMatch(/cannot run on a replayed snapshot/);
    const dry = runCli(['kill', String(port), '--dry-run', '--json', '--replay', file]);
    expect(dry.code).toBe(0);
    expect((jsonOf(dry) as { plan: { targets: { pid: number }[] } }).plan.targets.map((t) => t.pid)).toEqual([listeners[0]!.pid]);
    for (const live of ['probe', 'wait', 'serve', 'selftest']) {
      const refused = runCli(live === 'selftest' ? [live, '--replay', file] : [live, String(port), '--replay', file]);
      expect(refused.code, live).toBe(2);
      expect(refused.stderr, live).toMatch(/needs the live machine/);
    }
  });

  it('--redact keeps ports, pids and program names, and replaces arguments and user names', () => {
    const redactedFile = join(dir, 'redacted.json');
    expect(runCli(['snapshot', '--redact', '--out', redactedFile], { prefix: inside }).code).toBe(0);
    const text = readFileSync(redactedFile, 'utf8');
    const snapshot = JSON.parse(text) as { redacted: boolean; sources: Record<string, { content?: string }> };
    expect(snapshot.redacted).toBe(true);
    const cmdline = snapshot.sources[`/proc/${listeners[0]!.pid}/cmdline`]?.content ?? '';
    expect(cmdline.split('\0')[0]).toBe(process.execPath);
    expect(cmdline).not.toContain('listener.mjs');
    expect(cmdline).toMatch(/<arg\d+>/);
    // The replay still lists the same sockets and owners (pids), only the commands differ.
    const replayed = jsonOf(runCli(['ls', '--json', '--replay', redactedFile])) as { sockets: { port: number; processes: { pid: number }[] }[] };
    const port = listeners[0]!.sockets[0]!.port;
    expect(replayed.sockets.find((s) => s.port === port)?.processes.map((p) => p.pid)).toEqual([listeners[0]!.pid]);
  });
});
