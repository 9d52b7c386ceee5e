/**
 * Real tunnels, read from their live command lines: an OpenSSH client with -L/-R forwards (written
 * the ways people write them) to an sshd of the test's own, and socat relays — all in a namespace
 * the test created, on loopback. Each parsed forward is checked against the sockets the kernel says
 * the program holds, and the far ends are down or up on purpose.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardForSocket, readForwarder, type ForwarderReading } from '../../src/forwarders/table.js';
import { httpProbe, isRoot } from '../helpers/docker-ns.js';
import { CLI } from '../helpers/cli.js';
import { codes, findingOf, problems, type DoctorJson } from '../helpers/doctor-ns.js';
import { DOWN, Lab, need, UP, waitListening } from '../helpers/forward-lab.js';
import { argvOf, commOf, holdersOf, listenersOf, type Listener } from '../helpers/proc-listeners.js';

const sshSkip = !isRoot ? 'needs root (network namespace)' : (need('/usr/sbin/sshd', 'openssh-server') ?? need('/usr/bin/ssh', 'openssh-client') ?? need('/bin/busybox', 'busybox-static for the far-end server'));
const socatSkip = !isRoot ? 'needs root (network namespace)' : (need('/usr/bin/socat', 'socat') ?? need('/bin/busybox', 'busybox-static for the far-end server'));
if (sshSkip !== null) console.warn(`[forwarders-live] ssh tests skipped: ${sshSkip}`);
if (socatSkip !== null) console.warn(`[forwarders-live] socat tests skipped: ${socatSkip}`);

const readingOf = (pid: number): ForwarderReading | null => readForwarder({ pid, name: commOf(pid), argv: argvOf(pid) });

describe.skipIf(sshSkip !== null)(`ssh tunnels to a local sshd${sshSkip === null ? '' : ` (skipped: ${sshSkip})`}`, () => {
  let lab: Lab;
  let tunnel: ChildProcess & { stderrText: () => string };
  let sockets: Listener[];

  beforeAll(async () => {
    lab = new Lab();
    await lab.farEnd();
    await lab.sshd();
    tunnel = lab.ssh([
      '-L', `127.0.0.1:18080:127.0.0.1:${DOWN}`,
      `-L[::1]:18081:127.0.0.1:${DOWN}`,
      `-oLocalForward=18082 127.0.0.1:${UP}`,
      '-o', `LocalForward 18083 localhost:${DOWN}`,
      '-R', `18090:127.0.0.1:${UP}`,
    ]);
    sockets = await waitListening(tunnel.pid ?? 0, [18080, 18081, 18082, 18083], 'the ssh client');
  }, 60_000);

  afterAll(() => lab?.dispose());

  it('parses the live command line into the forwards ssh really bound', () => {
    const reading = readingOf(tunnel.pid ?? 0);
    expect(reading).toMatchObject({ kind: 'ssh', killable: true, stop: `kill ${tunnel.pid}`, unread: null, notes: [] });
    const local = reading?.forwards.filter((f) => f.listensOn === 'this-host') ?? [];
    expect(local.map((f) => [f.kind, f.from.address, f.from.port, f.to.host, f.to.port, f.via])).toEqual([
      ['ssh-local', '127.0.0.1', 18080, '127.0.0.1', DOWN, 'root@127.0.0.1'],
      ['ssh-local', '::1', 18081, '127.0.0.1', DOWN, 'root@127.0.0.1'],
      ['ssh-local', null, 18082, '127.0.0.1', UP, 'root@127.0.0.1'],
      ['ssh-local', null, 18083, 'localhost', DOWN, 'root@127.0.0.1'],
    ]);
    // What the kernel says ssh holds: one socket per explicit address, both loopbacks for the default.
    expect(sockets.map((s) => `${s.address}:${s.port}`).sort()).toEqual(['127.0.0.1:18080', '127.0.0.1:18082', '127.0.0.1:18083', '::1:18081', '::1:18082', '::1:18083']);
    for (const socket of sockets) expect(forwardForSocket(local, socket)?.from.port).toBe(socket.port);
  });

  it('reads -R as a listener on the SSH server, which sshd (not ssh) holds', async () => {
    const remote = readingOf(tunnel.pid ?? 0)?.forwards.filter((f) => f.kind === 'ssh-remote') ?? [];
    expect(remote.map((f) => [f.listensOn, f.from.port, f.to.host, f.to.port])).toEqual([['ssh-server', 18090, '127.0.0.1', UP]]);
    let holders: { pid: number }[] = [];
    for (let i = 0; i < 100 && holders.length === 0; i++) {
      holders = holdersOf(lab.netns.inode, 18090);
      if (holders.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(holders.map((h) => commOf(h.pid))).toEqual(['sshd']);
    expect(readingOf(holders[0]?.pid ?? 0)).toBeNull();
    expect(httpProbe(lab.netns, '127.0.0.1', 18090)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
  });

  it('a tunnel to a far end that is up answers; one to a far end that is down accepts, closes, and ssh says why', async () => {
    expect(httpProbe(lab.netns, '127.0.0.1', 18082)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    expect(httpProbe(lab.netns, '127.0.0.1', 18080)).toMatchObject({ connected: true, reply: '' });
    for (let i = 0; i < 40 && !/open failed/.test(tunnel.stderrText()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tunnel.stderrText()).toMatch(/channel \d+: open failed: connect failed: Connection refused/);
  });

  describe('who, ls and the doctor on a tunnel whose far end is down (ssh writing to a log file)', () => {
    let logged: ChildProcess;
    let log: string;

    beforeAll(async () => {
      log = join(lab.dir, 'tunnel.log');
      // As a person runs a background tunnel: `ssh -N -L … host 2>>tunnel.log`.
      logged = lab.startLogged(lab.sshArgv(['-L', `127.0.0.1:18084:127.0.0.1:${DOWN}`, '-L', `127.0.0.1:18085:127.0.0.1:${UP}`]), log);
      await waitListening(logged.pid ?? 0, [18084, 18085], 'the logged ssh client');
      // Someone tried the tunnel already: ssh wrote why it failed.
      expect(httpProbe(lab.netns, '127.0.0.1', 18084)).toMatchObject({ connected: true, reply: '' });
      for (let i = 0; i < 40 && !/open failed/.test(readFileSync(log, 'utf8')); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    }, 30_000);

    it('who shows where the tunnel goes and how to stop it', async () => {
      const table = await lab.cli(['who', '18084']);
      expect(table.stdout).toContain(`127.0.0.1:18084 (ssh, pid ${logged.pid}) → 127.0.0.1:${DOWN} via root@127.0.0.1; to stop it: kill ${logged.pid}`);
      const json = JSON.parse((await lab.cli(['who', '18084', '--json'])).stdout) as { sockets: { forward?: unknown }[] };
      expect(json.sockets[0]?.forward).toEqual({ forwarder: 'ssh', description: 'an SSH client holding a tunnel (ssh -L / -R / -D)', source: ['arguments'], to: { host: '127.0.0.1', port: DOWN }, via: 'root@127.0.0.1', stop: `kill ${logged.pid}`, killable: true });
    });

    it('the doctor names the far end that refuses, with what ssh reported, and no app-error', async () => {
      const report = await lab.doctor('127.0.0.1:18084');
      expect(codes(report)).not.toContain('app-error');
      const f = findingOf(report, 'tunnel-far-end-down', 'error');
      expect(f.title).toBe(`ssh's forward on 127.0.0.1:18084 leads to 127.0.0.1:${DOWN} via root@127.0.0.1, where nothing accepts the connection`);
      expect(f.detail).toContain(`a connect to 127.0.0.1:${DOWN} (the far end, on this host) was refused`);
      expect(f.detail).toMatch(/ssh reported: "channel \d+: open failed: connect failed: Connection refused"/);
      expect(f.fix).toContain(`stop it with 'kill ${logged.pid}'`);
      expect(report.steps.find((s) => s.id === 'follow-forward')?.lines).toEqual([
        `127.0.0.1:18084 → ssh (pid ${logged.pid}) → 127.0.0.1:${DOWN} via root@127.0.0.1`,
        `  far end 127.0.0.1:${DOWN}: refused (ECONNREFUSED)`,
      ]);
    });

    it('the tunnel whose far end answers is healthy', async () => {
      const report = await lab.doctor('127.0.0.1:18085');
      expect(problems(report).filter((p) => p.endsWith('/error'))).toEqual([]);
    });
  });
});

describe.skipIf(socatSkip !== null)(`socat relays${socatSkip === null ? '' : ` (skipped: ${socatSkip})`}`, () => {
  let lab: Lab;
  const relays = new Map<string, number>();

  beforeAll(async () => {
    lab = new Lab();
    await lab.farEnd();
    const start = async (name: string, args: readonly string[], port: number): Promise<void> => {
      const child = lab.start(['/usr/bin/socat', ...args]);
      await waitListening(child.pid ?? 0, [port], `socat ${name}`);
      relays.set(name, child.pid ?? 0);
    };
    await start('tcp-listen', [`TCP-LISTEN:18100,fork,reuseaddr`, `TCP:127.0.0.1:${UP}`], 18100);
    await start('tcp4-bind', [`TCP4-LISTEN:18101,bind=127.0.0.1,fork`, `TCP4:127.0.0.1:${DOWN}`], 18101);
    await start('tcp6', ['-d', '-d', `TCP6-LISTEN:18102,fork`, `TCP:127.0.0.1:${UP}`], 18102);
    await start('short', ['-lf', join(lab.dir, 'socat.log'), `tcp-l:18103,fork,reuseaddr`, `tcp:localhost:${UP}`], 18103);
    await start('udp4', [`UDP4-LISTEN:18104,fork`, 'UDP4:127.0.0.1:9'], 18104);
  }, 60_000);

  afterAll(() => lab?.dispose());

  const check = (name: string) => {
    const pid = relays.get(name) ?? 0;
    const reading = readingOf(pid);
    const sockets = listenersOf(pid);
    return { reading, sockets, forward: sockets[0] === undefined ? null : forwardForSocket(reading?.forwards ?? [], sockets[0]) };
  };

  it('reads each live command line, and each agrees with the socket socat bound', () => {
    const rows = [...relays.keys()].map((name) => {
      const { reading, sockets, forward } = check(name);
      return [name, reading?.kind, sockets.map((s) => `${s.protocol} ${s.address}:${s.port}`).join(' '), forward?.from.address, forward?.to.host, forward?.to.port];
    });
    expect(rows).toEqual([
      // TCP-LISTEN without a version: socat 1.7.4 listens on IPv4; the parser leaves it to the socket table.
      ['tcp-listen', 'socat', 'tcp 0.0.0.0:18100', null, '127.0.0.1', UP],
      ['tcp4-bind', 'socat', 'tcp 127.0.0.1:18101', '127.0.0.1', '127.0.0.1', DOWN],
      ['tcp6', 'socat', 'tcp :::18102', '::', '127.0.0.1', UP],
      ['short', 'socat', 'tcp 0.0.0.0:18103', null, 'localhost', UP],
      ['udp4', 'socat', 'udp 0.0.0.0:18104', '0.0.0.0', '127.0.0.1', 9],
    ]);
    for (const name of relays.keys()) expect(check(name).reading?.stop).toBe(`kill ${relays.get(name)}`);
  });

  it('relays to a far end that is up, and accepts then closes when it is down', () => {
    expect(httpProbe(lab.netns, '127.0.0.1', 18100)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    expect(httpProbe(lab.netns, '::1', 18102)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    expect(httpProbe(lab.netns, '127.0.0.1', 18101)).toMatchObject({ connected: true, reply: '' });
  });
  it('who and ls show where each relay goes', async () => {
    const table = await lab.cli(['who', '18101']);
    expect(table.stdout).toContain(`127.0.0.1:18101 (socat, pid ${relays.get('tcp4-bind')}) → 127.0.0.1:${DOWN}; to stop it: kill ${relays.get('tcp4-bind')}`);
    const ls = JSON.parse((await lab.cli(['ls', '--json'])).stdout) as { sockets: { port: number; forward?: { forwarder: string; to: { host: string; port: number } | null } }[] };
    const rows = ls.sockets.filter((s) => s.forward !== undefined).map((s) => `${s.port} ${s.forward?.forwarder} ${s.forward?.to?.host}:${s.forward?.to?.port}`);
    expect(rows).toEqual([`18100 socat 127.0.0.1:${UP}`, `18101 socat 127.0.0.1:${DOWN}`, `18102 socat 127.0.0.1:${UP}`, `18103 socat localhost:${UP}`, '18104 socat 127.0.0.1:9']);
  });

  it('the doctor names a relay whose far end refuses (tunnel-far-end-down), and finds one that answers healthy', async () => {
    const down = await lab.doctor('127.0.0.1:18101');
    expect(codes(down)).not.toContain('app-error');
    const f = findingOf(down, 'tunnel-far-end-down', 'error');
    expect(f.title).toBe(`socat's forward on 127.0.0.1:18101 leads to 127.0.0.1:${DOWN}, where nothing accepts the connection`);
    expect(f.detail).toContain(`a connect to 127.0.0.1:${DOWN} (the far end, on this host) was refused`);
    const up = await lab.doctor('127.0.0.1:18100');
    expect(problems(up).filter((p) => p.endsWith('/error'))).toEqual([]);
    expect(up.steps.find((s) => s.id === 'follow-forward')?.lines).toEqual([`0.0.0.0:18100 → socat (pid ${relays.get('tcp-listen')}) → 127.0.0.1:${UP}`, `  far end 127.0.0.1:${UP}: open`]);
  });

  it("on a replay the far end is not probed: it is on the recorded machine, not on this one", async () => {
    // Recorded in the lab, where 127.0.0.1:UP answers; replayed here, outside the lab, where nothing
    // listens on UP. A probe from here would call the healthy relay's far end down.
    const file = join(lab.dir, 'relays.json');
    const recorded = await lab.cli(['snapshot', '--out', file]);
    expect(recorded.code, recorded.stderr).toBe(0);
    const run = spawnSync(process.execPath, [CLI, '127.0.0.1:18100', '--json', '--no-config', '--replay', file], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    const report = JSON.parse(run.stdout) as DoctorJson;
    expect(codes(report)).not.toContain('tunnel-far-end-down');
    expect(report.steps.find((s) => s.id === 'follow-forward')?.lines).toEqual([
      `0.0.0.0:18100 → socat (pid ${relays.get('tcp-listen')}) → 127.0.0.1:${UP}`,
      `  far end 127.0.0.1:${UP}: not probed (a replayed snapshot: probes need the live machine)`,
    ]);
  });
});
