import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distUrl, ensureBuilt } from '../helpers/built-dist.js';
import { publicCli, runsAsAnotherUser } from '../helpers/built-dist.js';
import { CLI, runCliAsync } from '../helpers/cli.js';

const root = process.getuid?.() === 0;

const cli = runCliAsync;

/** A CLI child we talk to while it runs; disposing kills it (by pid) if it is still there. */
interface Running extends AsyncDisposable {
  readonly child: ChildProcess;
  /** Resolves with the next stdout line. */
  nextLine(): Promise<string>;
  /** Every stdout line so far. */
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

function start(args: readonly string[], prefix: readonly string[] = []): Running {
  // Another user may not be able to enter the checkout: run the world-readable copy then.
  return startArgv([...prefix, process.execPath, runsAsAnotherUser(prefix) ? publicCli() : CLI, ...args]);
}

function startArgv(argv: readonly string[]): Running {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const lines: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    waiting.shift()?.(line);
  });
  let read = 0;
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  return {
    child,
    lines,
    exited,
    nextLine: () => {
      const index = read++;
      if (index < lines.length) return Promise.resolve(lines[index]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stdout line within 10 s; stderr: ${stderr}`)), 10_000);
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
      });
    },
    [Symbol.asyncDispose]: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

function echo(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.once('connect', () => socket.end(text));
    socket.once('close', () => resolve(received));
    socket.once('error', reject);
  });
}

async function holdPort(host: string, port = 0): Promise<{ port: number } & AsyncDisposable> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: true }, resolve);
  });
  return { port: (server.address() as net.AddressInfo).port, [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function portFreeOnBoth(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const v4 = await holdPort('127.0.0.1');
    const v6 = await holdPort('::1', v4.port).catch(() => null);
    await v4[Symbol.asyncDispose]();
    if (v6 === null) continue;
    await v6[Symbol.asyncDispose]();
    return v4.port;
  }
  throw new Error('no port free on both loopback families');
}

beforeAll(async () => {
  await ensureBuilt(['cli/bin.ts', 'cli/commands/wait.ts', 'cli/commands/serve.ts', 'cli/commands/selftest.ts', 'actions/wait.ts', 'actions/serve.ts', 'actions/selftest.ts']);
}, 200_000);

describe('portdoctor serve (built CLI)', () => {
  it('serve 0 --echo --max-connections 1: prints where it listens, echoes, exits 0', async () => {
    await using running = start(['serve', '0', '--echo', '--max-connections', '1', '--json']);
    const first = JSON.parse(await running.nextLine()) as { event: string; address: string; port: number; protocol: string };
    expect(first).toMatchObject({ event: 'listening', address: '127.0.0.1', protocol: 'tcp' });
    expect(first.port).toBeGreaterThan(0);
    expect(JSON.parse(await running.nextLine())).toMatchObject({ event: 'listening', address: '::1', port: first.port });
    expect(await echo('::1', first.port, 'ping over ::1')).toBe('ping over ::1');
    const { code } = await running.exited;
    expect(code).toBe(0);
    const events = running.lines.map((line) => JSON.parse(line) as { event: string });
    expect(events.map((event) => event.event)).toEqual(['listening', 'listening', 'connection', 'disconnected', 'closed']);
    expect(events[2]).toMatchObject({ remoteAddress: '::1', localAddress: '::1', localPort: first.port });
  });

  it('text mode prints one line per connection: time, client → address, what happened', async () => {
    await using running = start(['serve', '127.0.0.1:0', '--max-connections', '1']);
    const header = await running.nextLine();
    const port = Number(/on port (\d+)/.exec(header)?.[1]);
    expect(header).toContain('(chosen by the kernel)');
    expect(await running.nextLine()).toBe(`listening on 127.0.0.1:${port} (tcp)`);
    await echo('127.0.0.1', port, 'abc');
    expect((await running.exited).code).toBe(0);
    expect(running.lines.some((line) => new RegExp(`^\\d\\d:\\d\\d:\\d\\d 127\\.0\\.0\\.1:\\d+ → 127\\.0\\.0\\.1:${port} connected$`).test(line))).toBe(true);
    expect(running.lines).toContainEqual(expect.stringMatching(/closed \(3 bytes echoed\)$/));
  });

  it('--http answers a page with its own pid; SIGINT stops it cleanly (exit 0)', async () => {
    await using running = start(['serve', '0', '--http', '--json']);
    const { port } = JSON.parse(await running.nextLine()) as { port: number };
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/who`, { agent: false }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve(text));
      }).once('error', reject);
    });
    expect(body).toContain(`pid ${running.child.pid}`);
    expect(body).toContain(`you connected to: 127.0.0.1:${port}`);
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
    expect(JSON.parse(running.lines.at(-1) ?? '{}')).toMatchObject({ event: 'closed', reason: 'aborted' });
  });

  it('a port in use: exit 2, one line naming the address and `portdoctor who PORT`', async () => {
    await using held = await holdPort('127.0.0.1');
    const run = await cli(['serve', String(held.port)]);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`127.0.0.1:${held.port}`);
    expect(lines[0]).toContain('already in use');
    expect(lines[0]).toContain(`portdoctor who ${held.port}`);
    // As root the socket table shows who: this very test process.
    if (root) expect(lines[0]).toContain(`pid ${process.pid}`);
  });

  it('bad usage: exit 2 and one line', async () => {
    for (const args of [['serve'], ['serve', 'http://x:1'], ['serve', '0', '--http', '--udp'], ['serve', '0', '--max-connections', '0']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

interface WaitJson {
  ready: boolean;
  elapsedMs: number;
  aborted: boolean;
  targets: { target: string; ready: boolean; address: string | null; lastError: string | null }[];
}

describe('portdoctor wait (built CLI)', () => {
  it('exits 0 once a port opens later; JSON has the contract fields', async () => {
    const port = await portFreeOnBoth();
    const waiting = cli(['wait', String(port), '--timeout', '10s', '--json']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await using _held = await holdPort('::1', port);
    const run = await waiting;
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as WaitJson;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['ready', 'elapsedMs', 'targets']));
    expect(json.ready).toBe(true);
    expect(json.targets[0]).toMatchObject({ target: String(port), ready: true, address: '::1', lastError: null });
    expect(json.elapsedMs).toBeGreaterThan(0);
  });

  it('times out: exit 1, the last reason per address, in text and JSON', async () => {
    const port = await portFreeOnBoth();
    const text = await cli(['wait', String(port), '--timeout', '300ms']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`not ready: ${port}: 127.0.0.1 refused, ::1 refused`);
    expect(text.stdout).toMatch(/timed out after 3\d\d(\.\d)? ms/);
    const json = await cli(['wait', `127.0.0.1:${port}`, '--timeout', '0.2', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ready: false, targets: [{ target: `127.0.0.1:${port}`, ready: false, address: null, lastError: '127.0.0.1 refused' }] });
  });

  it('SIGINT: exit 1 with the JSON summary', async () => {
    const port = await portFreeOnBoth();
    // A second target that accepts tells us the waiter is inside its wait (handler installed).
    let touched: () => void = () => undefined;
    const contacted = new Promise<void>((resolve) => (touched = resolve));
    const beacon = net.createServer((socket) => {
      socket.destroy();
      touched();
    });
    await new Promise<void>((resolve) => beacon.listen(0, '127.0.0.1', resolve));
    const beaconPort = (beacon.address() as net.AddressInfo).port;
    try {
      await using running = start(['wait', String(port), `127.0.0.1:${beaconPort}`, '--json']);
      await contacted;
      running.child.kill('SIGINT');
      const { code } = await running.exited;
      expect(code).toBe(1);
      expect(JSON.parse(running.lines.join('\n'))).toMatchObject({
        ready: false,
        aborted: true,
        targets: [
          { target: String(port), ready: false, lastError: expect.stringContaining('refused') },
          { target: `127.0.0.1:${beaconPort}`, ready: true, address: '127.0.0.1' },
        ],
      });
    } finally {
      beacon.close();
    }
  });

  it('--closed and --free', async () => {
    const held = await holdPort('127.0.0.1');
    const closed = cli(['wait', String(held.port), '--closed', '--timeout', '5s']);
    const free = cli(['wait', String(held.port), '--free', '--timeout', '5s']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await held[Symbol.asyncDispose]();
    const [closedRun, freeRun] = await Promise.all([closed, free]);
    expect(closedRun.code).toBe(0);
    expect(closedRun.stdout).toMatch(new RegExp(`^closed: ${held.port} after`));
    expect(freeRun.code).toBe(0);
    expect(freeRun.stdout).toMatch(new RegExp(`^free: ${held.port} after`));
  });

  it('bad usage: exit 2 and one line', async () => {
    for (const args of [['wait'], ['wait', '3000', '--timeout', 'soon'], ['wait', '3000', '--closed', '--free'], ['wait', '3000', '--status', '2xx'], ['wait', 'x:y']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

describe('portdoctor selftest (built CLI)', () => {
  it('reports TCP and UDP over both families, exit 0', async () => {
    const run = await cli(['selftest', '--rounds', '30', '--json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout) as { ok: boolean; checks: { protocol: string; family: string; status: string; latencyMs: { median: number } }[] };
    expect(json.ok).toBe(true);
    expect(json.checks.map((check) => `${check.protocol}/${check.family}/${check.status}`)).toEqual(['tcp/ipv4/ok', 'tcp/ipv6/ok', 'udp/ipv4/ok', 'udp/ipv6/ok']);
    for (const check of json.checks) expect(check.latencyMs.median).toBeGreaterThan(0);
  });
});

/** A network namespace of our own, with lo up and optionally its own /etc/hosts (ip netns exec bind-mounts it). */
interface Netns {
  readonly name: string;
  readonly prefix: readonly string[];
  readonly hostsPath: string;
  exec(argv: readonly string[]): string;
  dispose(): void;
}

function createNetns(hosts: string | null): Netns {
  const name = `pd-wait-${Math.random().toString(36).slice(2, 8)}`;
  const etc = join('/etc/netns', name);
  const hostsPath = join(etc, 'hosts');
  execFileSync('ip', ['netns', 'add', name], { timeout: 10_000 });
  const dispose = (): void => {
    try {
      execFileSync('ip', ['netns', 'del', name], { timeout: 10_000 });
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  };
  try {
    execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'], { timeout: 10_000 });
    if (hosts !== null) {
      mkdirSync(etc, { recursive: true });
      writeFileSync(hostsPath, hosts);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  const prefix = ['ip', 'netns', 'exec', name];
  return { name, prefix, hostsPath, exec: (argv) => execFileSync(prefix[0]!, [...prefix.slice(1), ...argv], { encoding: 'utf8', timeout: 20_000 }), dispose };
}

/** A listener process inside the namespace: `ip netns exec` execs node, so the pid is node's. */
function listenerIn(ns: Netns, host: string, port: number, delayMs: number): ChildProcess {
  const script = `setTimeout(() => require('net').createServer((s) => s.destroy()).listen({ host: ${JSON.stringify(host)}, port: ${port}, ipv6Only: true }), ${delayMs}); setTimeout(() => process.exit(0), 20000);`;
  return spawn(ns.prefix[0]!, [...ns.prefix.slice(1), process.execPath, '-e', script], { stdio: 'ignore' });
}

/** Node running an ESM script inside the namespace, read line by line. */
function startNode(ns: Netns, script: string): Running {
  return startArgv([...ns.prefix, process.execPath, '--input-type=module', '-e', script]);
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
}

describe.skipIf(!root)('wait, serve and selftest in namespaces of our own (needs root: ip netns, iptables, setpriv)', () => {
  let debian: Netns;
  beforeAll(() => {
    // Debian's default: localhost is 127.0.0.1 AND ::1 (this machine's own file has 127.0.0.1 only).
    debian = createNetns('127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
  });
  afterAll(() => debian?.dispose());

  it('localhost:PORT with the server on ::1 only is ready (every resolved address is tried)', async () => {
    const listener = listenerIn(debian, '::1', 4100, 300);
    try {
      const run = await cli(['wait', 'localhost:4100', '--timeout', '10s', '--json'], debian.prefix);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ ready: true, targets: [{ target: 'localhost:4100', address: '::1' }] });
    } finally {
      stop(listener);
    }
  });

  it('a name that starts resolving while we wait (a hosts entry appears) is picked up', async () => {
    const listener = listenerIn(debian, '::1', 4101, 0);
    // The library in a child inside the namespace, so we know when the wait has begun (a CLI's
    // start-up time under load would race the hosts change).
    const script = `const { waitFor } = await import(${JSON.stringify(distUrl('actions/wait.ts'))});
      console.log('waiting');
      console.log(JSON.stringify(await waitFor(['late-service.pdtest:4101'], { timeoutMs: 10000 })));`;
    await using child = startNode(debian, script);
    try {
      expect(await child.nextLine()).toBe('waiting');
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Rewrite in place: the same inode is bind-mounted over /etc/hosts inside the namespace.
      writeFileSync(debian.hostsPath, '127.0.0.1 localhost\n::1 localhost ip6-localhost\n::1 late-service.pdtest\n');
      const json = JSON.parse(await child.nextLine()) as WaitJson & { targets: { elapsedMs: number }[] };
      expect(json.targets[0]).toMatchObject({ ready: true, address: '::1' });
      expect(json.targets[0]?.elapsedMs).toBeGreaterThanOrEqual(250);
    } finally {
      stop(listener);
    }
  });

  it('a name that does not resolve says so when the time is up', async () => {
    const run = await cli(['wait', 'never-there.pdtest:4102', '--timeout', '300ms'], debian.prefix);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('never-there.pdtest does not resolve');
  });

  it('a firewall that drops SYNs shows as "timed out" per address', async () => {
    const ns = createNetns(null);
    try {
      ns.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '4200', '-j', 'DROP']);
      ns.exec(['ip6tables', '-A', 'INPUT', '-p', 'tcp', '--dport', '4200', '-j', 'DROP']);
      const run = await cli(['wait', '4200', '--timeout', '1s', '--connect-timeout', '200ms'], ns.prefix);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('not ready: 4200: 127.0.0.1 timed out, ::1 timed out');
    } finally {
      ns.dispose();
    }
  });

  it('serve without HOST and IPv6 off on lo: says ::1 is skipped and serves 127.0.0.1', async () => {
    const ns = createNetns(null);
    try {
      ns.exec(['sysctl', '-qw', 'net.ipv6.conf.lo.disable_ipv6=1']);
      await using running = start(['serve', '0', '--max-connections', '1'], ns.prefix);
      const header = await running.nextLine();
      const port = Number(/on port (\d+)/.exec(header)?.[1]);
      const connect = ns.exec([process.execPath, '-e', `const s = require('net').connect(${port}, '127.0.0.1', () => s.end('x')); s.on('data', (d) => process.stdout.write(d));`]);
      expect(connect).toBe('x');
      expect((await running.exited).code).toBe(0);
      expect(running.lines).toContain(`listening on 127.0.0.1:${port} (tcp)`);
      expect(running.lines).toContainEqual(expect.stringMatching(/^not on ::1: IPv6 is not available/));
    } finally {
      ns.dispose();
    }
  });

  it('serve on a privileged port as an unprivileged user: exit 2, one line that says so', async () => {
    const run = await cli(['serve', '127.0.0.1:80'], ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('port 80 is privileged here (EACCES)');
  });

  it('selftest with IPv6 disabled on lo: ::1 is reported unavailable, not a crash (exit 1)', async () => {
    const ns = createNetns(null);
    try {
      ns.exec(['sysctl', '-qw', 'net.ipv6.conf.lo.disable_ipv6=1']);
      const run = await cli(['selftest', '--rounds', '10', '--json'], ns.prefix);
      expect(run.code).toBe(1);
      const json = JSON.parse(run.stdout) as { ok: boolean; checks: { address: string; status: string; error: string | null }[] };
      expect(json.ok).toBe(false);
      expect(json.checks.filter((check) => check.address === '127.0.0.1').map((check) => check.status)).toEqual(['ok', 'ok']);
      for (const check of json.checks.filter((entry) => entry.address === '::1')) {
        expect(check.status).toBe('unavailable');
        expect(check.error).toContain('IPv6 is not available');
      }
    } finally {
      ns.dispose();
    }
  });
});
