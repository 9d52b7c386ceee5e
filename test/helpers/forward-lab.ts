/**
 * A lab for tunnels, in a network namespace the test made: a far end (busybox httpd), an sshd of
 * its own (key login for root, on loopback), ssh clients and socat relays it starts and ends by
 * pid, and the built CLI run inside the namespace. Used by the forwarder and doctor tests.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './cli.js';
import { TestNetns } from './docker-ns.js';
import type { DoctorJson } from './doctor-ns.js';
import { NSENTER } from './ns-tools.js';
import { listenersOf, type Listener } from './proc-listeners.js';

/** Why a test that needs `path` cannot run, or null. */
export const need = (path: string, what: string): string | null => (existsSync(path) ? null : `needs ${what} (${path})`);
/** In our own fresh namespace every port is free: fixed numbers are safe. */
export const UP = 18000; // busybox httpd answers here
export const DOWN = 18001; // nothing listens here
export const SSHD = 18022;

/** Polls (bounded) until `pid` listens on every port. */
export async function waitListening(pid: number, ports: readonly number[], what: string): Promise<Listener[]> {
  for (let i = 0; i < 100; i++) {
    const sockets = listenersOf(pid);
    if (ports.every((p) => sockets.some((s) => s.port === p))) return sockets;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} (pid ${pid}) did not listen on ${ports.join(', ')}: ${JSON.stringify(listenersOf(pid))}`);
}

export class Lab {
  readonly netns = new TestNetns('pd-fwd');
  readonly dir = mkdtempSync(join(tmpdir(), 'pd-fwd-'));
  private readonly children: ChildProcess[] = [];
  private madeRunSshd = false;

  start(argv: readonly string[]): ChildProcess & { stderrText: () => string } {
    const child = this.netns.spawn(argv);
    this.children.push(child);
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.resume();
    return Object.assign(child, { stderrText: () => stderr });
  }

  /** Like start, with stderr appended to a file (as `cmd 2>>file` would), stdout discarded. */
  startLogged(argv: readonly string[], log: string): ChildProcess {
    const fd = openSync(log, 'a');
    const child = spawn(NSENTER, [`--net=${this.netns.path}`, ...argv], { stdio: ['ignore', 'ignore', fd] });
    closeSync(fd);
    this.children.push(child);
    return child;
  }

  /** The built CLI inside the lab's namespace (asynchronously: the lab's servers run in other processes anyway). */
  cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(NSENTER, [`--net=${this.netns.path}`, process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', ...env } }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
      });
    });
  }

  async doctor(target: string, env: Readonly<Record<string, string>> = {}): Promise<DoctorJson> {
    const run = await this.cli([target, '--json', '--no-config'], env);
    try {
      return JSON.parse(run.stdout) as DoctorJson;
    } catch {
      throw new Error(`doctor ${target}: not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    }
  }

  /** busybox httpd on 127.0.0.1:UP, serving one page. */
  async farEnd(): Promise<void> {
    mkdirSync(join(this.dir, 'www'));
    writeFileSync(join(this.dir, 'www', 'index.html'), 'far end\n');
    const httpd = this.start(['/bin/busybox', 'httpd', '-f', '-p', `127.0.0.1:${UP}`, '-h', join(this.dir, 'www')]);
    await waitListening(httpd.pid ?? 0, [UP], 'busybox httpd');
  }

  /** sshd on 127.0.0.1:SSHD with its own host key, config and pid file; key login for root only. */
  async sshd(): Promise<void> {
    // Privilege separation needs /run/sshd; Debian's service creates it, a bare install may not have it.
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', { mode: 0o755 });
      this.madeRunSshd = true;
    }
    const key = (name: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'portdoctor-test', '-f', join(this.dir, name)], { timeout: 10_000 });
    key('host_key');
    key('id');
    writeFileSync(join(this.dir, 'authorized_keys'), readFileSync(join(this.dir, 'id.pub')));
    writeFileSync(
      join(this.dir, 'sshd_config'),
      [
        `Port ${SSHD}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(this.dir, 'host_key')}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(this.dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'AllowTcpForwarding yes',
        '',
      ].join('\n'),
    );
    const sshd = this.start(['/usr/sbin/sshd', '-D', '-e', '-f', join(this.dir, 'sshd_config')]);
    await waitListening(sshd.pid ?? 0, [SSHD], 'sshd');
  }

  /**
   * The ssh command line (no user config, no known_hosts of the user) with the given forwarding
   * options; ExitOnForwardFailure on unless `keepOnForwardFailure` (ssh's default: stay connected
   * without a forward it could not bind).
   */
  sshArgv(forwarding: readonly string[], keepOnForwardFailure = false): string[] {
    return [
      '/usr/bin/ssh', '-F', '/dev/null', '-N', '-i', join(this.dir, 'id'), '-p', String(SSHD),
      '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`, '-o', 'BatchMode=yes', '-o', `ExitOnForwardFailure=${keepOnForwardFailure ? 'no' : 'yes'}`,
      ...forwarding, 'root@127.0.0.1',
    ];
  }

  ssh(forwarding: readonly string[], keepOnForwardFailure = false): ChildProcess & { stderrText: () => string } {
    return this.start(this.sshArgv(forwarding, keepOnForwardFailure));
  }

  dispose(): void {
    for (const child of this.children) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    this.netns.delete();
    rmSync(this.dir, { recursive: true, force: true });
    if (this.madeRunSshd) rmdirSync('/run/sshd');
  }
}

/** A lab with its far end and sshd up, and an empty home directory for the doctor's HOME (no ~/.ssh/config of the machine's user). */
export async function sshLab(): Promise<{ lab: Lab; home: string }> {
  const lab = new Lab();
  await lab.farEnd();
  await lab.sshd();
  const home = join(lab.dir, 'home');
  mkdirSync(home);
  return { lab, home };
}
