import { userInfo } from 'node:os';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, jsonOf, runCli } from '../helpers/cli.js';
import { isRoot, NOBODY, startListener } from '../helpers/processes.js';

interface JsonSocket {
  protocol: string;
  family: string;
  address: string;
  port: number;
  remoteAddress: string | null;
  remotePort: number | null;
  state: string;
  uid: number;
  user: string;
  inode: number;
  netns: { id: number; current: boolean; name: string | null };
  queue: { recv: number; send: number };
  ownerHidden: boolean;
  processes: { pid: number; ppid: number; name: string; command: string; user: string; uid: number; state: string; startedAt: string; unit: string | null; container: string | null }[];
}

describe('portdoctor ls / who (built CLI)', () => {
  it('ls --json prints every field of the Socket contract', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0', 'udp:::1:0']);
    const result = runCli(['ls', '--json']);
    expect(result.code).toBe(0);
    const { sockets } = jsonOf(result) as { sockets: JsonSocket[] };
    const tcp = sockets.find((s) => s.port === listener.sockets[0]!.port && s.protocol === 'tcp')!;
    expect(Object.keys(tcp).sort()).toEqual(['address', 'family', 'inode', 'netns', 'ownerHidden', 'port', 'processes', 'protocol', 'queue', 'remoteAddress', 'remotePort', 'state', 'uid', 'user'].sort());
    expect(tcp).toMatchObject({ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', remoteAddress: null, remotePort: null, state: 'LISTEN', ownerHidden: false, netns: { current: true } });
    expect(tcp.queue.send).toBe(511);
    expect(Object.keys(tcp.processes[0]!).sort()).toEqual(['command', 'container', 'name', 'pid', 'ppid', 'startedAt', 'state', 'uid', 'unit', 'user'].sort());
    expect(tcp.processes[0]!.pid).toBe(listener.pid);
    expect(new Date(tcp.processes[0]!.startedAt).toISOString()).toBe(tcp.processes[0]!.startedAt);
    const udp = sockets.find((s) => s.port === listener.sockets[1]!.port && s.protocol === 'udp')!;
    expect(udp).toMatchObject({ family: 'ipv6', address: '::1', state: 'UNCONN' });
  });

  it('ls filters by protocol, port range, pid and user', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0', 'udp:127.0.0.1:0']);
    const [tcp, udp] = listener.sockets;
    const range = `${Math.min(tcp!.port, udp!.port)}-${Math.max(tcp!.port, udp!.port)}`;
    const byPid = jsonOf(runCli(['ls', '--json', '--pid', String(listener.pid)])) as { sockets: JsonSocket[] };
    expect(byPid.sockets.map((s) => `${s.protocol}:${s.port}`).sort()).toEqual([`tcp:${tcp!.port}`, `udp:${udp!.port}`].sort());
    const onlyUdp = jsonOf(runCli(['ls', '--json', '--udp', '--port', range])) as { sockets: JsonSocket[] };
    expect(onlyUdp.sockets.every((s) => s.protocol === 'udp')).toBe(true);
    expect(onlyUdp.sockets.some((s) => s.port === udp!.port)).toBe(true);
    const byUser = jsonOf(runCli(['ls', '--json', '--user', userInfo().username, '--pid', String(listener.pid)])) as { sockets: JsonSocket[] };
    expect(byUser.sockets).toHaveLength(2);
    const nobody = jsonOf(runCli(['ls', '--json', '--user', 'nobody', '--pid', String(listener.pid)])) as { sockets: JsonSocket[] };
    expect(nobody.sockets).toHaveLength(0);
  });

  it('ls prints an aligned table that fits 80 columns, with wildcards as *', async () => {
    await using listener = await startListener(['tcp:0.0.0.0:0', 'tcp::::0']);
    const result = runCli(['ls', '--tcp']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PROTO\s+LOCAL\s+STATE\s+PID\s+USER\s+PROCESS$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(result.stdout).toContain(`*:${listener.sockets[0]!.port}`);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('who exits 0 when the port is held (JSON lists both families) and 1 with a document when not', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0']);
    const port = listener.sockets[0]!.port;
    const found = runCli(['who', String(port), '--json']);
    expect(found.code).toBe(0);
    expect((jsonOf(found) as { sockets: JsonSocket[] }).sockets[0]?.processes[0]?.pid).toBe(listener.pid);
    const human = runCli(['who', String(port)]);
    expect(human.stdout).toContain(`127.0.0.1:${port}`);
    expect(human.stdout).toContain(String(listener.pid));
    await listener[Symbol.asyncDispose]();
    const none = runCli(['who', String(port), '--json']);
    expect(none.code).toBe(1);
    expect(jsonOf(none)).toMatchObject({ sockets: [] });
    const noneHuman = runCli(['who', String(port)]);
    expect(noneHuman.code).toBe(1);
    expect(noneHuman.stdout).toContain(`Nothing holds port ${port}`);
  });

  it.skipIf(!isRoot)('run unprivileged, marks a root-owned listener "owner hidden" instead of ownerless (needs root to switch user)', async () => {
    await using listener = await startListener(['tcp:127.0.0.1:0']);
    const port = listener.sockets[0]!.port;
    const result = runCli(['who', String(port), '--json'], { prefix: ['setpriv', ...NOBODY] });
    expect(result.code).toBe(0);
    const { sockets } = jsonOf(result) as { sockets: JsonSocket[] };
    expect(sockets[0]).toMatchObject({ uid: 0, user: 'root', ownerHidden: true, processes: [] });
    const human = runCli(['who', String(port)], { prefix: ['setpriv', ...NOBODY] });
    expect(human.stdout).toContain('owner hidden');
    expect(human.stderr).toContain('sudo');
  });
});

describe('bad input exits 2 with one line on stderr and no document', () => {
  const cases: [string, string[]][] = [
    ['port 0', ['who', '0']],
    ['port 70000', ['who', '70000']],
    ['abc', ['who', 'abc']],
    ['-1', ['who', '-1']],
    ['empty string', ['who', '']],
    ['no port', ['who']],
    ['unknown flag', ['ls', '--bogus']],
    ['bad range', ['ls', '--port', '5-2']],
    ['unknown command', ['frobnicate']],
    ['json with bad input', ['who', 'abc', '--json']],
  ];
  for (const [name, args] of cases) {
    it(name, () => {
      const result = runCli(args);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^portdoctor: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('says clearly that an OS without a back-end is not supported (exit 2), and how a snapshot helps', () => {
    // The shipped CLI, as if on FreeBSD: `portdoctor ls` there.
    const script = `Object.defineProperty(process, 'platform', { value: 'freebsd' }); process.argv = [process.execPath, ${JSON.stringify(CLI)}, 'ls']; require(${JSON.stringify(CLI)});`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/does not support freebsd; it runs on Linux, macOS and Windows/);
  });
});
