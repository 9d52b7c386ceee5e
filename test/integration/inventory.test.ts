import { userInfo } from 'node:os';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSockets, whoHolds } from '../../src/inventory.js';
import type { Socket } from '../../src/types.js';
import { isRoot, NOBODY, startListener, type ListenerProcess } from '../helpers/processes.js';
import { ss, type SsSocket } from '../helpers/ss.js';

const key = (s: { protocol: string; address: string; port: number }): string => `${s.protocol} ${s.address} ${s.port}`;
const peerPort = (peer: string): number | null => (peer.endsWith(':*') ? null : Number(peer.slice(peer.lastIndexOf(':') + 1)));
/** With connections listed, the local address alone is not unique: add the state and the peer. */
const keyOf = (s: Socket): string => `${key(s)} ${s.state} ${s.remotePort ?? '*'}`;
const ssKeyOf = (s: SsSocket): string => `${key(s)} ${s.state} ${peerPort(s.peer) ?? '*'}`;
const pidsOf = (s: Socket): number[] => s.processes.map((p) => p.pid).sort((a, b) => a - b);

function compareWithSs(ours: readonly Socket[], truth: readonly SsSocket[]): void {
  const mine = new Map(ours.map((s) => [keyOf(s), s]));
  expect([...mine.keys()].sort()).toEqual(truth.map(ssKeyOf).sort());
  for (const t of truth) {
    const s = mine.get(ssKeyOf(t))!;
    expect(s.state, key(t)).toBe(t.state);
    expect(pidsOf(s), key(t)).toEqual(t.pids);
    expect(s.queue.recv, key(t)).toBe(t.recvQ);
    if (t.protocol === 'tcp' && t.state === 'LISTEN') expect(s.queue.send, `backlog of ${key(t)}`).toBe(t.sendQ);
  }
}

describe('socket inventory against ss -tulpnH (ground truth)', () => {
  let listener: ListenerProcess;
  let ports: number[];

  beforeAll(async () => {
    listener = await startListener(['tcp:127.0.0.1:0', 'tcp:::1:0', 'tcp:0.0.0.0:0', 'tcp::::0', 'tcp:127.0.0.2:0', 'udp:127.0.0.1:0', 'udp:::1:0', 'udp:0.0.0.0:0']);
    ports = listener.sockets.map((s) => s.port);
  });
  afterAll(async () => {
    await listener?.[Symbol.asyncDispose]();
  });

  it('lists each listener of a real process exactly as ss does: address, family, state, pid, backlog', async () => {
    const { sockets } = await listSockets({ ports: { from: Math.min(...ports), to: Math.max(...ports) } });
    const ours = sockets.filter((s) => ports.includes(s.port));
    const truth = ss('tulpn').filter((s) => ports.includes(s.port));
    expect(ours).toHaveLength(8);
    compareWithSs(ours, truth);
    for (const s of ours) {
      // Our own listener runs as whoever runs the tests (root in CI, a normal user on a laptop).
      expect(s.processes[0]).toMatchObject({ pid: listener.pid, name: 'node', user: userInfo().username, uid: process.getuid?.(), state: 'S' });
      expect(s.processes[0]?.command).toContain('listener.mjs');
      expect(s.family).toBe(s.address.includes(':') ? 'ipv6' : 'ipv4');
      expect(s.netns?.current).toBe(true);
      expect(s.ownerHidden).toBe(false);
    }
  });

  it('agrees with ss on the whole listening table (retrying while other tests change it)', async () => {
    let last = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = JSON.stringify(ss('tuln').map(key).sort());
      const { sockets } = await listSockets();
      const after = JSON.stringify(ss('tuln').map(key).sort());
      last = JSON.stringify(sockets.map(key).sort());
      if (before === after && last === after) return;
    }
    expect(last).toBe(JSON.stringify(ss('tuln').map(key).sort()));
  });

  it('finds a port in both families and both protocols with who', async () => {
    const port = listener.sockets.find((s) => s.protocol === 'tcp' && s.host === '127.0.0.1')!.port;
    const { sockets } = await whoHolds([port]);
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    expect(sockets.every((s) => s.port === port)).toBe(true);
  });
});

describe('connections with --all against ss -tuanpH', () => {
  it('lists the listener, both ends of an established connection, with the right owners', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0']);
    const port = listener.sockets[0]!.port;
    const client = net.connect(port, '127.0.0.1');
    await once(client, 'connect');
    try {
      const { sockets } = await listSockets({ ports: { from: port, to: port }, states: 'all' });
      const truth = ss('tuanp', [`sport = :${port}`]);
      compareWithSs(sockets, truth);
      const accepted = sockets.find((s) => s.state === 'ESTAB');
      expect(accepted).toMatchObject({ remoteAddress: '127.0.0.1', remotePort: client.localPort });
      expect(pidsOf(accepted!)).toEqual([listener.pid]);
      // The client end is ours (this test process), and it is on another local port.
      const { sockets: clientSide } = await listSockets({ ports: { from: client.localPort!, to: client.localPort! }, states: 'all' });
      // (Other sockets may share that local port number: TIME-WAIT leftovers of earlier connections.)
      const ours = clientSide.filter((s) => s.remotePort === port && s.state === 'ESTAB');
      expect(ours.map(pidsOf)).toEqual([[process.pid]]);
    } finally {
      client.destroy();
    }
  });
});

describe('shared sockets and other owners', () => {
  it('lists every process holding one listening socket (a pre-fork server)', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0'], { flags: ['--share'] });
    const port = listener.sockets[0]!.port;
    const { sockets } = await whoHolds([port]);
    expect(sockets).toHaveLength(1);
    expect(pidsOf(sockets[0]!)).toEqual([listener.pid, ...listener.children].sort((a, b) => a - b));
    compareWithSs(sockets, ss('tulpn', [`sport = :${port}`]));
  });

  it.skipIf(!isRoot)('names the user of a socket opened by uid 65534 (needs root to start it as nobody)', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0'], { prefix: ['setpriv', ...NOBODY] });
    const port = listener.sockets[0]!.port;
    const { sockets } = await whoHolds([port]);
    expect(sockets[0]).toMatchObject({ uid: 65534, user: 'nobody', ownerHidden: false });
    expect(sockets[0]?.processes[0]).toMatchObject({ pid: listener.pid, uid: 65534, user: 'nobody' });
  });
});

describe.skipIf(!isRoot)('network namespaces (needs root: ip netns add)', () => {
  const ns = `pd-inv-${randomBytes(3).toString('hex')}`;
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', ns]);
  });

  it('who reports a listener inside another namespace, marked as such and named', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0'], { prefix: ['ip', 'netns', 'exec', ns] });
    const port = listener.sockets[0]!.port;
    const { sockets } = await whoHolds([port]);
    const inside = sockets.find((s) => s.netns?.current === false);
    expect(inside).toBeDefined();
    expect(inside).toMatchObject({ address: '127.0.0.1', port, state: 'LISTEN', netns: { current: false, name: ns } });
    expect(pidsOf(inside!)).toEqual([listener.pid]);
    // Ground truth: ss inside the namespace sees the same socket and backlog.
    const truth = JSON.parse(execFileSync('ip', ['-j', 'netns', 'list-id'], { encoding: 'utf8' }) || '[]') as unknown;
    expect(truth).toBeDefined();
    const inNs = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
    expect(inNs).toContain(`pid=${listener.pid}`);
    expect(inside!.queue.send).toBe(Number(inNs.trim().split(/\s+/)[2]));
    // By default ls shows only our own namespace.
    const { sockets: mine } = await listSockets({ ports: { from: port, to: port } });
    expect(mine.every((s) => s.netns?.current)).toBe(true);
    const { sockets: all } = await listSockets({ ports: { from: port, to: port }, allNetns: true });
    expect(all.some((s) => s.netns?.name === ns)).toBe(true);
  });
});
