/**
 * Tools shared by the tests that build real situations in network namespaces of their own (the
 * Docker engine, Podman's service, ssh and socat): a namespace with lo up, entered with nsenter,
 * and cleanup by pid and by namespace that never reaches beyond what the test made.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { request } from 'node:http';

export const isRoot = process.getuid?.() === 0;

export const BUSYBOX = '/bin/busybox';
export const NSENTER = '/usr/bin/nsenter';

/** Is the Debian package installed (dpkg's own answer)? */
export function packageInstalled(name: string): boolean {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 && result.stdout.includes('install ok installed');
}

export const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Is the process alive (not gone, not a zombie waiting to be reaped)? */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

export function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Polls until `done()` or the bound; returns whether it happened. */
export function waitSync(done: () => boolean, boundMs: number, stepMs = 50): boolean {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    if (done()) return true;
    sleepSync(stepMs);
  }
  return done();
}

/** The network namespace inode of a pid (`net:[4026532311]` → 4026532311), or null. */
export function netnsOf(pid: number): number | null {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/** Pids whose network namespace is one of `inodes`. */
export function pidsInNamespaces(inodes: ReadonlySet<number>): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ns = netnsOf(Number(entry));
    if (ns !== null && inodes.has(ns)) pids.push(Number(entry));
  }
  return pids;
}

/** SIGKILLs every process in the namespaces, in bounded rounds (killed parents may leave children). */
export function killNamespaces(inodes: ReadonlySet<number>): void {
  for (let round = 0; round < 10; round++) {
    const pids = pidsInNamespaces(inodes).filter((p) => p !== process.pid);
    if (pids.length === 0) return;
    for (const pid of pids) kill(pid, 'SIGKILL');
    sleepSync(100);
  }
}

/** Unmounts (lazily, deepest first) everything mounted at or under `dir`. */
export function unmountUnder(dir: string): void {
  for (let round = 0; round < 5; round++) {
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4]?.replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
      .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
      .sort((a, b) => b.length - a.length);
    if (mounts.length === 0) return;
    for (const mount of mounts) spawnSync('umount', ['-l', mount], { timeout: 5000 });
  }
}

/** A network namespace of our own with lo up: `pd-docker-<random>`. */
export class TestNetns {
  readonly name: string;
  readonly path: string;
  readonly inode: number;

  constructor(prefix = 'pd-docker') {
    this.name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
    this.path = `/var/run/netns/${this.name}`;
    const add = spawnSync('ip', ['netns', 'add', this.name], { encoding: 'utf8', timeout: 10_000 });
    if (add.status !== 0) throw new Error(`ip netns add ${this.name}: ${add.stderr}`);
    const up = spawnSync('ip', ['-n', this.name, 'link', 'set', 'lo', 'up'], { encoding: 'utf8', timeout: 10_000 });
    this.inode = statSync(this.path).ino;
    if (up.status !== 0) {
      this.delete();
      throw new Error(`lo up in ${this.name}: ${up.stderr}`);
    }
  }

  /** argv prefix that runs a command inside the namespace (nsenter: /sys and cgroups stay as they are). */
  get prefix(): string[] {
    return [NSENTER, `--net=${this.path}`];
  }

  /** Runs a command in the namespace and waits (bounded); never throws. */
  run(argv: readonly string[], options: { timeoutMs?: number; input?: string } = {}): SpawnSyncReturns<string> {
    const full = [...this.prefix, ...argv];
    return spawnSync(full[0]!, full.slice(1), { encoding: 'utf8', timeout: options.timeoutMs ?? 20_000, ...(options.input === undefined ? {} : { input: options.input }) });
  }

  /** Starts a long-running command in the namespace (the caller ends it, by pid). */
  spawn(argv: readonly string[], options: { stdio?: 'ignore' | 'pipe'; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const full = [...this.prefix, ...argv];
    return spawn(full[0]!, full.slice(1), { stdio: ['ignore', options.stdio ?? 'pipe', options.stdio ?? 'pipe'], env: options.env ?? process.env });
  }

  /** Kills every process in the namespace (all are ours: we made it), then deletes it. */
  delete(): void {
    killNamespaces(new Set([this.inode]));
    spawnSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
  }
}

/** GET /_ping on an engine's API socket (Docker's or Podman's); resolves with the status code, or null on any error or after `timeoutMs`. */
export function pingSocket(socketPath: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

export interface HttpProbe {
  /** The TCP connection was accepted. */
  readonly connected: boolean;
  /** What came back (the HTTP status line when there was one). */
  readonly reply: string;
  /** ECONNREFUSED, ECONNRESET, … or null. */
  readonly error: string | null;
}

const PROBE_SCRIPT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
let connected = false, reply = '', error = null;
const done = () => { process.stdout.write(JSON.stringify({ connected, reply: reply.split('\\r\\n')[0], error })); process.exit(0); };
const s = net.connect({ host, port: Number(port) }, () => { connected = true; s.write('GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n'); });
s.on('data', (d) => { reply += d; });
s.on('error', (e) => { error = e.code ?? e.message; });
s.on('close', done);
setTimeout(() => { error = error ?? 'TIMEOUT'; done(); }, 3000).unref();
`;

/** One HTTP/1.0 GET from inside the namespace (node, bounded at 3 s): what a user's curl would see. */
export function httpProbe(netns: TestNetns, host: string, port: number): HttpProbe {
  const result = netns.run([process.execPath, '-e', PROBE_SCRIPT, host, String(port)], { timeoutMs: 10_000 });
  try {
    return JSON.parse(result.stdout) as HttpProbe;
  } catch {
    throw new Error(`probe of ${host}:${port} printed no JSON: ${result.stdout}${result.stderr}`);
  }
}
