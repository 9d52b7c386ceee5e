import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { publicCli } from './built-dist.js';
import { CLI } from './cli.js';
import { NOBODY } from './processes.js';

export const isRoot = process.getuid?.() === 0;
export const DOCTOR_SERVER = fileURLToPath(new URL('./doctor-server.mjs', import.meta.url));

/** The doctor's JSON report, typed as loosely as tests need (the contract is asserted field by field). */
export interface DoctorFindingJson {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly title: string;
  readonly detail: string;
  readonly fix: string;
  readonly evidence: Record<string, unknown> & { readonly [key: string]: never | unknown };
}

export interface DoctorJson {
  readonly target: { readonly input: string; readonly host: string | null; readonly port: number; readonly views: string[] };
  readonly ok: boolean;
  readonly findings: readonly DoctorFindingJson[];
  readonly probes: readonly { address: string; family: string; status: string; latencyMs: number | null; error: string | null; fingerprint: { protocol: string; detail: Record<string, unknown> } | null }[];
  readonly sockets: readonly { address: string; port: number; state: string; protocol: string; processes: { pid: number; name: string }[]; netns: { current: boolean; name: string | null } }[];
  readonly steps: readonly { id: string; status: string; lines: string[]; findings: string[] }[];
  readonly elapsedMs: number;
}

export interface DoctorRun {
  readonly code: number | null;
  readonly report: DoctorJson;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the whole CLI process, start-up included. */
  readonly wallMs: number;
}

/** The one finding with this code (fails with the codes that were found when there is none). */
export function findingOf(report: DoctorJson, code: string, severity?: DoctorFindingJson['severity']): DoctorFindingJson {
  const found = report.findings.find((f) => f.code === code && (severity === undefined || f.severity === severity));
  if (found === undefined) throw new Error(`no ${code}${severity ? ` (${severity})` : ''} finding; got: ${report.findings.map((f) => `${f.code}/${f.severity}`).join(', ') || 'none'}`);
  return found;
}

/** Codes of the error and warning findings: what a healthy target must not have. */
export const problems = (report: DoctorJson): string[] => report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.code}/${f.severity}`);
export const codes = (report: DoctorJson): string[] => report.findings.map((f) => f.code);

/** Ports with a listening (TCP LISTEN) or bound (UDP) socket in any network namespace on the machine. */
function portsBoundAnywhere(): Set<number> {
  const dirs = new Map<string, string>();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/net`);
      if (!dirs.has(ns)) dirs.set(ns, `/proc/${pid}/net`);
    } catch {
      // the process exited, or is not ours to read
    }
  }
  const bound = new Set<number>();
  for (const dir of dirs.values()) {
    for (const [table, state] of [['tcp', '0A'], ['tcp6', '0A'], ['udp', '07'], ['udp6', '07']] as const) {
      let text = '';
      try {
        text = readFileSync(`${dir}/${table}`, 'latin1');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        if (fields[3] === state) bound.add(parseInt(fields[1]!.split(':')[1]!, 16));
      }
    }
  }
  return bound;
}

/**
 * A port in 61000-64999 (above the default ephemeral range 32768-60999 and every browser "bad port") that
 * nothing listens on in ANY namespace: a listener elsewhere (another test, a benchmark) would
 * add an other-netns finding to the situation under test.
 */
export function quietPort(): number {
  const bound = portsBoundAnywhere();
  for (let i = 0; i < 1000; i++) {
    const port = 61000 + Math.floor(Math.random() * 4000);
    if (!bound.has(port) && !bound.has(port + 1)) return port;
  }
  throw new Error("no quiet port in 61000-64999");
}

export interface Started {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
}

/**
 * One situation: a network namespace `pd-doc-<random>` of its own (lo up unless asked), an
 * optional hosts file, and every process started in it. `dispose()` kills the processes by pid
 * (SIGCONT first, for stopped ones), deletes the namespace and its /etc/netns directory.
 */
export class Situation implements AsyncDisposable {
  readonly name = `pd-doc-${Math.random().toString(36).slice(2, 8)}`;
  readonly prefix: readonly string[] = ['ip', 'netns', 'exec', this.name];
  private readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];
  private emptyDir: string | undefined;

  constructor(options: { loUp?: boolean; hosts?: string } = {}) {
    execFileSync('ip', ['netns', 'add', this.name], { timeout: 10_000 });
    try {
      if (options.loUp !== false) execFileSync('ip', ['-n', this.name, 'link', 'set', 'lo', 'up'], { timeout: 10_000 });
      if (options.hosts !== undefined) this.writeHosts(options.hosts);
    } catch (error) {
      this.removeNamespace();
      throw error;
    }
  }

  /** Becomes the namespace's /etc/hosts (`ip netns exec` bind-mounts /etc/netns/NAME/hosts). */
  writeHosts(text: string): void {
    mkdirSync(`/etc/netns/${this.name}`, { recursive: true });
    writeFileSync(`/etc/netns/${this.name}/hosts`, text);
  }

  /** Runs a command inside the namespace (argument array, no shell); returns stdout. */
  exec(argv: readonly string[]): string {
    return execFileSync(this.prefix[0]!, [...this.prefix.slice(1), ...argv], { encoding: 'utf8', timeout: 20_000 });
  }

  /** A temporary directory removed on dispose. */
  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'pd-doc-'));
    this.dirs.push(dir);
    return dir;
  }

  /** Runs the built CLI inside the namespace with --json (as uid 65534 with `nobody`). */
  doctor(args: readonly string[], options: { nobody?: boolean; inHost?: boolean; env?: NodeJS.ProcessEnv } = {}): DoctorRun {
    const result = this.cli([...args, '--json'], options);
    let report: DoctorJson;
    try {
      report = JSON.parse(result.stdout) as DoctorJson;
    } catch {
      throw new Error(`doctor ${args.join(' ')} printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    }
    // PD_DOC_CAPTURE=FILE: keep what each run found (for the docs/findings examples).
    const capture = process.env.PD_DOC_CAPTURE;
    if (capture !== undefined) {
      const target = args.filter((a) => a !== 'doctor').join(' ');
      for (const f of report.findings) appendFileSync(capture, `${JSON.stringify({ target, nobody: options.nobody === true, code: f.code, severity: f.severity, title: f.title, detail: f.detail, fix: f.fix, exit: result.code })}\n`);
    }
    return { ...result, report };
  }

  /** Runs the built CLI inside the namespace (or, with inHost, in the test's own namespace). */
  cli(args: readonly string[], options: { nobody?: boolean; inHost?: boolean; columns?: number; env?: NodeJS.ProcessEnv } = {}): { code: number | null; stdout: string; stderr: string; wallMs: number } {
    const prefix = [...(options.inHost === true ? [] : this.prefix), ...(options.nobody === true ? ['setpriv', ...NOBODY] : [])];
    const argv = [...prefix, process.execPath, options.nobody === true ? publicCli() : CLI, ...args];
    const started = performance.now();
    // An empty directory as cwd: the doctor scans the current directory for project
    // configuration, and the repository's own fixtures must not leak into these situations.
    this.emptyDir ??= this.tempDir();
    const result = spawnSync(argv[0]!, argv.slice(1), {
      cwd: this.emptyDir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...(options.columns === undefined ? {} : { COLUMNS: String(options.columns) }), ...options.env },
      timeout: 20_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, wallMs: Math.round(performance.now() - started) };
  }

  /**
   * Starts a process in the namespace that prints one JSON line {"pid","port"} when ready
   * (doctor-server.mjs, or a python3 one-liner). `nobody` runs it as uid 65534.
   */
  async start(argv: readonly string[], options: { nobody?: boolean; inHost?: boolean } = {}): Promise<Started> {
    const full = [...(options.inHost === true ? [] : this.prefix), ...(options.nobody === true ? ['setpriv', ...NOBODY] : []), ...argv];
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout! });
    const exited = once(child, 'exit').then(() => {
      throw new Error(`${argv.join(' ')} exited before it was ready: ${stderr}`);
    });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${argv.join(' ')} not ready within 10 s: ${stderr}`)), 10_000).unref());
    const [line] = (await Promise.race([once(lines, 'line'), exited, timeout])) as [string];
    const ready = JSON.parse(line) as { pid?: number; port: number };
    return { pid: ready.pid ?? child.pid!, port: ready.port, child };
  }

  /** doctor-server.mjs in the namespace: `http 200`, `http 500`, `reset`, `tls CERT KEY`, `udp`. */
  server(mode: string, hosts: string, port: number, extra: readonly string[] = [], options: { nobody?: boolean } = {}): Promise<Started> {
    return this.start([process.execPath, DOCTOR_SERVER, mode, hosts, String(port), ...extra], options);
  }

  /** A python3 server; `script` must print json.dumps({"pid":…, "port":…}) with flush when ready. */
  python(script: string): Promise<Started> {
    return this.start(['python3', '-c', script]);
  }

  /** A real program (nginx, redis-server …): waits until the port accepts inside the namespace. */
  async program(argv: readonly string[], port: number, address = '127.0.0.1'): Promise<Started> {
    const wait = `import socket,time,json,sys
for i in range(100):
    try:
        socket.create_connection((${JSON.stringify(address)}, ${port}), timeout=0.2).close(); print(json.dumps({"port": ${port}}), flush=True); sys.exit(0)
    except OSError: time.sleep(0.05)
sys.exit(1)`;
    const child = spawn(this.prefix[0]!, [...this.prefix.slice(1), ...argv], { stdio: 'ignore' });
    this.children.push(child);
    const waiter = spawnSync(this.prefix[0]!, [...this.prefix.slice(1), 'python3', '-c', wait], { encoding: 'utf8', timeout: 10_000 });
    if (waiter.status !== 0) throw new Error(`${argv.join(' ')} did not listen on ${address}:${port}`);
    return { pid: child.pid!, port, child };
  }

  private removeNamespace(): void {
    spawnSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
    rmSync(`/etc/netns/${this.name}`, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
      try {
        process.kill(child.pid, 'SIGCONT');
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    }
    // Whatever our processes forked (nginx workers, which a SIGKILLed master leaves behind) is
    // still in the namespace: `ip netns pids` lists them, and every one of them is ours.
    for (let round = 0; round < 5; round++) {
      const pids = spawnSync('ip', ['netns', 'pids', this.name], { encoding: 'utf8', timeout: 5000 }).stdout?.split('\n').filter((l) => /^\d+$/.test(l)) ?? [];
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.removeNamespace();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** A self-signed certificate (CN=portdoctor-test) made now by openssl, as files in `dir`. */
export function makeCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=portdoctor-test', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore', timeout: 10_000 });
  return { cert, key };
}
