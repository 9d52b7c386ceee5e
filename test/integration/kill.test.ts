import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort } from '../../src/actions/free-port.js';
import { killPort } from '../../src/actions/kill.js';
import { listSockets } from '../../src/inventory.js';
import { processStartTicks, readProcess } from '../../src/platform/linux/process.js';
import { ensureBuilt, publicDistUrl } from '../helpers/built-dist.js';
import { jsonOf, runCli } from '../helpers/cli.js';
import { isRoot, NOBODY, startListener, type ListenerProcess } from '../helpers/processes.js';

const CLIENT = fileURLToPath(new URL('../helpers/port-client.mjs', import.meta.url));
const RESPAWNER = fileURLToPath(new URL('../helpers/respawner.mjs', import.meta.url));

/** Every pid a test started; afterEach kills them by pid whatever happened. */
const started: number[] = [];
const listeners: ListenerProcess[] = [];

afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener[Symbol.asyncDispose]();
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

async function listen(specs: string[], options: Parameters<typeof startListener>[1] = {}): Promise<ListenerProcess> {
  const listener = await startListener(specs, options);
  listeners.push(listener);
  return listener;
}

/** Alive and not a zombie (a killed child stays a zombie until Node reaps it). */
function alive(pid: number): boolean {
  const details = readProcess(pid);
  return details !== null && details.state !== 'Z';
}

async function spawnWithLines(args: string[]): Promise<{ child: ChildProcess; lines: Interface; first: Record<string, number> }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child.pid!);
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  return { child, lines, first: JSON.parse(line) as Record<string, number> };
}

/**
 * free checks only our network namespace (that is where a bind happens), but kill also looks into
 * every other namespace (a container's listener): other tests may run listeners in namespaces of
 * their own, so pick a port nobody listens on anywhere.
 */
async function portFreeEverywhere(): Promise<number> {
  const { sockets } = await listSockets({ states: 'listening', allNetns: true, withProcesses: false });
  const anywhere = new Set(sockets.map((s) => s.port));
  for (let attempt = 0; attempt < 200; attempt++) {
    const candidate = 1024 + Math.floor(Math.random() * 64512); // busy benches may fill whole ranges in other namespaces
    if (anywhere.has(candidate)) continue;
    const [port] = await findFreePort({ range: { from: candidate, to: candidate } });
    if (port !== undefined) return port;
  }
  throw new Error('no port free in every namespace');
}

describe('killPort (real processes)', () => {
  it('stops the listener; a decoy on another port and a client connected to the port survive', async () => {
    const target = await listen(['tcp:127.0.0.1:0']);
    const decoy = await listen(['tcp:127.0.0.1:0']);
    const port = target.sockets[0]!.port;
    const client = await spawnWithLines([CLIENT, String(port)]);
    expect(client.first['pid']).toBe(client.child.pid);

    const report = await killPort([port], { graceMs: 3000 });
    expect(report.killed.map((k) => ({ pid: k.pid, signal: k.signal, result: k.result }))).toEqual([{ pid: target.pid, signal: 'SIGTERM', result: 'stopped' }]);
    expect(report.released).toBe(true);
    expect(alive(decoy.pid)).toBe(true);
    expect(alive(client.child.pid!)).toBe(true);
    expect(alive(target.pid)).toBe(false);
  });

  it('a process ignoring SIGTERM: still-holding when SIGKILL is declined, stopped with SIGKILL when confirmed', async () => {
    const stubborn = await listen(['tcp:127.0.0.1:0'], { flags: ['--ignore-term'] });
    const port = stubborn.sockets[0]!.port;
    const questions: string[] = [];
    const declined = await killPort([port], { graceMs: 300, settleMs: 300, confirm: (q) => (questions.push(q.kind), q.kind === 'start') });
    expect(questions).toEqual(['start', 'escalate']);
    expect(declined.killed).toMatchObject([{ pid: stubborn.pid, signal: 'SIGTERM', result: 'still-holding' }]);
    expect(declined.released).toBe(false);
    expect(alive(stubborn.pid)).toBe(true);

    const forced = await killPort([port], { graceMs: 300 });
    expect(forced.killed).toMatchObject([{ pid: stubborn.pid, signal: 'SIGKILL', result: 'stopped' }]);
    expect(forced.released).toBe(true);
  });

  it('--signal sends one signal only: no escalation', async () => {
    const stubborn = await listen(['tcp:127.0.0.1:0'], { flags: ['--ignore-term'] });
    const report = await killPort([stubborn.sockets[0]!.port], { graceMs: 200, settleMs: 200, signal: 'SIGTERM', confirm: () => true });
    expect(report.killed).toMatchObject([{ pid: stubborn.pid, signal: 'SIGTERM', result: 'still-holding' }]);
    expect(alive(stubborn.pid)).toBe(true);
  });

  it('a forked server sharing one listening socket: both processes are stopped', async () => {
    const shared = await listen(['tcp:127.0.0.1:0'], { flags: ['--share'] });
    expect(shared.children).toHaveLength(1);
    const report = await killPort([shared.sockets[0]!.port], { graceMs: 3000 });
    expect(report.killed.map((k) => k.pid).sort((a, b) => a - b)).toEqual([shared.pid, ...shared.children].sort((a, b) => a - b));
    expect(report.killed.every((k) => k.result === 'stopped')).toBe(true);
    expect(report.released).toBe(true);
  });

  it('protocols are separate: --udp stops the UDP holder and leaves the TCP listener on the same number', async () => {
    const tcp = await listen(['tcp:127.0.0.1:0']);
    const port = tcp.sockets[0]!.port;
    const udp = await listen([`udp:127.0.0.1:${port}`]);
    const report = await killPort([port], { protocols: ['udp'], graceMs: 3000 });
    expect(report.killed).toMatchObject([{ pid: udp.pid, result: 'stopped' }]);
    expect(report.released).toBe(true);
    expect(alive(tcp.pid)).toBe(true);
  });

  it('a dry run signals nothing and plans with start ticks', async () => {
    const target = await listen(['tcp:127.0.0.1:0']);
    const report = await killPort([target.sockets[0]!.port], { dryRun: true });
    expect(report.killed).toEqual([]);
    expect(report.plan.targets).toMatchObject([{ pid: target.pid, startTicks: processStartTicks(target.pid) }]);
    expect(alive(target.pid)).toBe(true);
  });

  it('declining the confirmation signals nothing', async () => {
    const target = await listen(['tcp:127.0.0.1:0']);
    const report = await killPort([target.sockets[0]!.port], { confirm: () => false });
    expect(report).toMatchObject({ confirmed: false, released: false, killed: [] });
    expect(alive(target.pid)).toBe(true);
  });

  it('nothing on the port: held false, nothing signalled', async () => {
    const port = await portFreeEverywhere();
    const report = await killPort([port]);
    expect(report).toMatchObject({ held: false, released: true, killed: [] });
  });

  it('detects a respawn by a supervisor within the wait window', async () => {
    const port = await portFreeEverywhere();
    const supervisor = await spawnWithLines([RESPAWNER, String(port)]);
    const firstChild = supervisor.first['child']!;
    started.push(firstChild);
    const next = once(supervisor.lines, 'line');
    const report = await killPort([port], { graceMs: 2000, settleMs: 1500 });
    const [line] = (await next) as [string];
    const secondChild = (JSON.parse(line) as { child: number }).child;
    started.push(secondChild);
    expect(report.killed).toMatchObject([{ pid: firstChild, result: 'stopped' }]);
    expect(report.respawned).toMatchObject([{ port, pid: secondChild }]);
    expect(report.released).toBe(false);
    expect(alive(supervisor.child.pid!)).toBe(true); // the supervisor holds no socket: not a target
  });
});

describe.skipIf(!isRoot)('killPort across users (needs root: setpriv to another uid)', () => {
  it('run as nobody against a root-owned listener: owner hidden, nothing killed, exit 2', async () => {
    const rootOwned = await listen(['tcp:127.0.0.1:0']);
    const port = rootOwned.sockets[0]!.port;
    const result = runCli(['kill', String(port), '--yes', '--json'], { prefix: ['setpriv', ...NOBODY] });
    expect(result.code).toBe(2);
    const report = jsonOf(result) as { killed: unknown[]; released: boolean; hidden: { port: number; uid: number }[]; advice: string[] };
    expect(report.killed).toEqual([]);
    expect(report.released).toBe(false);
    expect(report.hidden).toMatchObject([{ port, uid: 0 }]);
    expect(report.advice).toContain(`sudo portdoctor kill ${port}`);
    expect(alive(rootOwned.pid)).toBe(true);
  });

  it('a signal to another user’s process is a permission-denied value, not a throw', async () => {
    await ensureBuilt(['platform/common/signal.ts']);
    const rootOwned = await listen(['tcp:127.0.0.1:0']);
    // SIGWINCH: ignored by default, so harmless if it were delivered. (Not SIGCONT: the kernel lets
    // any process send SIGCONT within its own session, whatever the uid.)
    const script = `const m = await import(${JSON.stringify(publicDistUrl('platform/common/signal.ts'))}); console.log(m.sendSignal(${rootOwned.pid}, 'SIGWINCH'));`;
    const out = execFileSync('setpriv', [...NOBODY, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(out.trim()).toBe('permission-denied');
    expect(alive(rootOwned.pid)).toBe(true);
  });

  it('as root, a listener owned by nobody is stopped and shown with its user', async () => {
    const nobodys = await listen(['tcp:127.0.0.1:0'], { prefix: ['setpriv', ...NOBODY] });
    const report = await killPort([nobodys.sockets[0]!.port], { graceMs: 3000 });
    expect(report.plan.targets).toMatchObject([{ pid: nobodys.pid, uid: 65534 }]);
    expect(report.killed).toMatchObject([{ pid: nobodys.pid, result: 'stopped' }]);
  });
});
