import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, runCli } from '../helpers/cli.js';
import { isRoot, NOBODY, startListener, type ListenerProcess } from '../helpers/processes.js';
import { ss } from '../helpers/ss.js';

interface JsonSocket {
  protocol: string;
  uid: number;
  user: string;
  ownerHidden: boolean;
  address: string;
  port: number;
  state: string;
  netns: { current: boolean; name: string | null };
  processes: { pid: number; ppid: number; name: string; command: string; uid: number; user: string; startedAt: string }[];
}

/**
 * The paths a quiet test machine never takes: with 300 processes or more the fd scan runs on two
 * threads while the main thread reads the tables itself, and a TCP table longer than one read
 * buffer, with hundreds of established connections after its listeners, is read only up to the
 * end of its listening section. The answer must still be exactly what `ss` says.
 */
describe.skipIf(!isRoot)('a busy machine: 300+ processes, a large table (needs root: ip netns add)', () => {
  const ns = `pd-busy-${randomBytes(3).toString('hex')}`;
  const inNs = ['ip', 'netns', 'exec', ns];
  const sleepers: ChildProcess[] = [];
  // 20 owner processes, so that both scanning threads find owners and read their details.
  let listeners: ListenerProcess[] = [];

  beforeAll(async () => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    // Enough processes that the CLI scans on two threads (fd-scan.ts: 300), whatever the machine had.
    const missing = Math.max(0, 320 - readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length);
    for (let i = 0; i < missing; i++) sleepers.push(spawn('sleep', ['120'], { stdio: 'ignore' }));
    // 600 listeners (≈90 KB of tcp/tcp6 rows) and 400 connections (800 established rows after them).
    const specs = [...Array.from({ length: 15 }, () => 'tcp:127.0.0.1:0'), ...Array.from({ length: 15 }, () => 'tcp:::1:0')];
    listeners = await Promise.all(
      Array.from({ length: 20 }, (_, i) => startListener(i === 0 ? [...specs, 'udp:127.0.0.1:0', 'udp:::1:0'] : specs, { prefix: inNs, flags: i === 0 ? ['--connect', '400'] : [] })),
    );
  }, 60_000);

  afterAll(async () => {
    for (const sleeper of sleepers) if (sleeper.pid !== undefined) process.kill(sleeper.pid, 'SIGKILL');
    await Promise.all(listeners.map((listener) => listener[Symbol.asyncDispose]()));
    execFileSync('ip', ['netns', 'del', ns]);
  });

  it('really is busy: 300+ processes, and the established rows outnumber the listeners', () => {
    expect(readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length).toBeGreaterThanOrEqual(300);
    const established = ss('tuan', [], inNs).filter((s) => s.protocol === 'tcp' && s.state === 'ESTAB');
    expect(established.length).toBe(800);
  });

  it('ls --json lists exactly the listeners ss lists, each with its owner and the owner\'s details as ps gives them', () => {
    const result = runCli(['ls', '--json'], { prefix: inNs, timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const { sockets, stats } = jsonOf(result) as { sockets: JsonSocket[]; stats: { processesScanned: number } };
    expect(stats.processesScanned).toBeGreaterThanOrEqual(300);
    const ours = sockets.map((s) => `${s.protocol} ${s.address} ${s.port} ${s.state} ${s.processes.map((p) => p.pid).join(',')}`).sort();
    const truth = ss('tulnp', [], inNs).map((s) => `${s.protocol} ${s.address} ${s.port} ${s.state} ${s.pids.join(',')}`).sort();
    expect(truth.length).toBe(602);
    expect(ours).toEqual(truth);
    // Details, whichever thread read them: as ps sees each owner.
    const owners = new Map(sockets.flatMap((s) => s.processes).map((p) => [p.pid, p]));
    expect([...owners.keys()].sort((a, b) => a - b)).toEqual(listeners.map((l) => l.pid).sort((a, b) => a - b));
    const ps = execFileSync('ps', ['-o', 'pid=,ppid=,uid=,user=,comm=,args=', '-p', [...owners.keys()].join(',')], { encoding: 'utf8' });
    for (const line of ps.trim().split('\n')) {
      const [pid, ppid, uid, user, comm, ...args] = line.trim().split(/\s+/);
      expect(owners.get(Number(pid)), line).toMatchObject({ ppid: Number(ppid), uid: Number(uid), user, name: comm, command: args.join(' ') });
      expect(Number.isNaN(Date.parse(owners.get(Number(pid))!.startedAt)), line).toBe(false);
    }
  });

  it('who finds a listener of that namespace from outside it, with its owner', () => {
    const owner = listeners[7]!;
    const port = owner.sockets[20]!.port;
    const result = runCli(['who', String(port), '--json'], { timeoutMs: 60_000 });
    expect(result.code, result.stderr).toBe(0);
    const { sockets } = jsonOf(result) as { sockets: JsonSocket[] };
    // The kernel may give 127.0.0.1 and ::1 listeners the same ephemeral port: match the address too.
    const held = sockets.filter((s) => s.port === port && s.protocol === 'tcp' && s.address === '::1');
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ address: '::1', state: 'LISTEN', netns: { current: false, name: ns } });
    expect(held[0]!.processes.map((p) => p.pid)).toEqual([owner.pid]);
  });

  it('run unprivileged, both threads skip what they may not read: its own listener keeps its owner, root\'s is marked hidden', async () => {
    await using mine = await startListener(['tcp:127.0.0.1:0'], { prefix: ['setpriv', ...NOBODY] });
    await using roots = await startListener(['tcp:127.0.0.1:0']);
    const ask = (port: number): { sockets: JsonSocket[]; stats: { processesScanned: number; processesHidden: number } } => {
      const result = runCli(['who', String(port), '--json'], { prefix: ['setpriv', ...NOBODY], timeoutMs: 60_000 });
      expect(result.code, result.stderr).toBe(0);
      return jsonOf(result) as { sockets: JsonSocket[]; stats: { processesScanned: number; processesHidden: number } };
    };
    const own = ask(mine.sockets[0]!.port);
    expect(own.stats.processesScanned + own.stats.processesHidden).toBeGreaterThanOrEqual(300);
    expect(own.stats.processesHidden).toBeGreaterThan(0);
    expect(own.sockets[0]).toMatchObject({ uid: 65534, user: 'nobody', ownerHidden: false });
    expect(own.sockets[0]!.processes).toMatchObject([{ pid: mine.pid, uid: 65534, user: 'nobody', name: 'node' }]);
    const other = ask(roots.sockets[0]!.port);
    expect(other.sockets[0]).toMatchObject({ uid: 0, user: 'root', ownerHidden: true, processes: [] });
  });
});
