/**
 * A real Docker engine for tests, shut in a network namespace the test creates.
 *
 * dockerd (Debian's docker.io) runs under `nsenter --net=/var/run/netns/NAME` — not `ip netns exec`,
 * which remounts /sys and hides the cgroups dockerd needs — with its own data root, exec root, pid
 * file, config file, trust key and API socket under a temporary directory, and the vfs storage driver.
 * The image is `docker import`ed from a root filesystem made of Debian's busybox-static, so nothing
 * is pulled from a registry: the namespace has no route out anyway. docker0, the containers' veths,
 * the NAT rules and docker-proxy all live in the namespace.
 *
 * Stopping is by PID and leaves nothing: containers are removed, dockerd gets SIGTERM (SIGKILL after
 * a bound), then every process still in the engine's namespace or in a container's namespace is
 * killed, mounts under the temporary directory are detached, the directory and the namespace are
 * deleted. The same cleanup runs from a process 'exit' hook when a test file dies before its afterAll.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, BUSYBOX, isRoot, kill, killNamespaces, NSENTER, packageInstalled, pidsInNamespaces, pingSocket, TestNetns, unmountUnder, waitSync } from './ns-tools.js';

export { alive, httpProbe, isRoot, netnsOf, TestNetns, type HttpProbe } from './ns-tools.js';

/** Debian's binaries, by path: another `docker` may come first on PATH (this machine has one in /usr/local/bin). */
export const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER_CLI = '/usr/bin/docker';

/**
 * Why the Docker tests cannot run here, or null when they can. Checked: root, Debian's docker.io
 * (dockerd, docker CLI, docker-proxy), busybox-static (a static busybox: the image has no libc),
 * nsenter and iptables (dockerd refuses to start without it).
 */
export function dockerSkipReason(): string | null {
  if (!isRoot) return 'needs root (dockerd, network namespaces)';
  if (!packageInstalled('docker.io') || !existsSync(DOCKERD) || !existsSync(DOCKER_CLI)) return 'needs Debian\'s docker.io (apt-get install docker.io)';
  if (!packageInstalled('busybox-static') || !existsSync(BUSYBOX)) return 'needs busybox-static (apt-get install busybox-static) for the test image';
  if (!existsSync(NSENTER)) return 'needs nsenter (util-linux)';
  if (!['/usr/sbin/iptables', '/sbin/iptables'].some((p) => existsSync(p))) return 'needs iptables (dockerd requires it)';
  return null;
}

export interface EngineOptions {
  /** false starts dockerd with --userland-proxy=false: published ports are DNAT rules, no docker-proxy. */
  readonly userlandProxy?: boolean;
  /** Extra dockerd flags (e.g. --ipv6 --fixed-cidr-v6 …). */
  readonly extraArgs?: readonly string[];
  /** Bound for the API to answer after dockerd starts. */
  readonly readyTimeoutMs?: number;
}

export interface DockerResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Global directories dockerd and containerd create whatever their roots (removed when empty and ours). */
const GLOBAL_DIRS = ['/run/docker/plugins', '/run/docker', '/run/containerd/s', '/run/containerd', '/etc/docker'];

export const TEST_IMAGE = 'pd-busybox:test';

/**
 * One engine. Start it with `await DockerEngine.start()`, stop it with `engine.stop()` (idempotent;
 * `await using` works too).
 */
export class DockerEngine implements AsyncDisposable {
  readonly netns: TestNetns;
  readonly dir: string;
  readonly socket: string;
  readonly userlandProxy: boolean;
  /** Milliseconds from spawning dockerd until /_ping answered 200. */
  startupMs = 0;
  /** Milliseconds `docker import` took to build the test image. */
  importMs = 0;
  pid = 0;
  private child: ChildProcess | null = null;
  private stopped = false;
  private readonly createdGlobals: string[];
  private readonly exitHook = (): void => this.stop();

  private constructor(options: EngineOptions) {
    this.userlandProxy = options.userlandProxy !== false;
    this.createdGlobals = GLOBAL_DIRS.filter((d) => !existsSync(d));
    // Short paths: the API and containerd sockets must fit sun_path (108 bytes).
    this.dir = mkdtempSync(join(tmpdir(), 'pd-docker-'));
    this.socket = join(this.dir, 'docker.sock');
    try {
      this.netns = new TestNetns('pd-docker');
    } catch (error) {
      rmSync(this.dir, { recursive: true, force: true });
      throw error;
    }
    process.once('exit', this.exitHook);
  }

  /** Starts dockerd in a fresh namespace, waits (bounded) for its API, imports the busybox image. */
  static async start(options: EngineOptions = {}): Promise<DockerEngine> {
    const engine = new DockerEngine(options);
    try {
      await engine.launch(options);
      engine.buildImage();
      return engine;
    } catch (error) {
      engine.stop();
      throw error;
    }
  }

  private async launch(options: EngineOptions): Promise<void> {
    // `deprecated-key-path` (a daemon.json key of dockerd 20.10, no flag) keeps the trust key out of /etc/docker.
    writeFileSync(join(this.dir, 'daemon.json'), `${JSON.stringify({ 'deprecated-key-path': join(this.dir, 'key.json') })}\n`);
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    const args = [
      DOCKERD,
      '--config-file', join(this.dir, 'daemon.json'),
      '--data-root', join(this.dir, 'data'),
      '--exec-root', join(this.dir, 'exec'),
      '--pidfile', join(this.dir, 'docker.pid'),
      '-H', `unix://${this.socket}`,
      '--storage-driver', 'vfs',
      `--userland-proxy=${this.userlandProxy}`,
      ...(options.extraArgs ?? []),
    ];
    const started = performance.now();
    // nsenter execs dockerd in place: the child's pid is dockerd's.
    this.child = spawn(NSENTER, [`--net=${this.netns.path}`, ...args], { stdio: ['ignore', log, log] });
    closeSync(log);
    this.pid = this.child.pid ?? 0;
    const bound = options.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + bound;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`dockerd exited (${this.child.exitCode}) before its API answered:\n${this.log().slice(-3000)}`);
      if ((await pingSocket(this.socket, 500)) === 200) {
        this.startupMs = Math.round(performance.now() - started);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`dockerd's API did not answer within ${bound} ms:\n${this.log().slice(-3000)}`);
  }

  /** dockerd's own log (stdout and stderr). */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'dockerd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** A root filesystem of busybox applets (sh, httpd, nc, …), imported as TEST_IMAGE. */
  private buildImage(): void {
    const rootfs = join(this.dir, 'rootfs');
    for (const d of ['bin', 'tmp', 'www', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'httpd', 'nc', 'sleep', 'echo', 'cat', 'ls', 'netstat', 'ip', 'true', 'false']) symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'www', 'index.html'), 'hello from busybox httpd\n');
    writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
    const started = performance.now();
    const tar = spawnSync('tar', ['-C', rootfs, '-c', '.'], { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
    if (tar.status !== 0) throw new Error(`tar of the rootfs failed: ${tar.stderr.toString()}`);
    const imported = spawnSync(DOCKER_CLI, ['-H', `unix://${this.socket}`, 'import', '-', TEST_IMAGE], { input: tar.stdout, encoding: 'utf8', timeout: 30_000, env: this.cliEnv() });
    if (imported.status !== 0) throw new Error(`docker import failed: ${imported.stderr}`);
    this.importMs = Math.round(performance.now() - started);
  }

  private cliEnv(): NodeJS.ProcessEnv {
    // The CLI's own config stays in our directory; DOCKER_HOST from the caller's environment must not leak in.
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: join(this.dir, 'cli') };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONTEXT;
    return env;
  }

  /** Runs the docker CLI against this engine (bounded); never throws. */
  docker(args: readonly string[], timeoutMs = 30_000): DockerResult {
    const result = spawnSync(DOCKER_CLI, ['-H', `unix://${this.socket}`, ...args], { encoding: 'utf8', timeout: timeoutMs, env: this.cliEnv() });
    return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  }

  /** `docker run -d --name NAME [-p …] TEST_IMAGE CMD…`; returns the container id, throws with stderr on failure. */
  run(name: string, options: { publish?: readonly string[]; command: readonly string[]; extra?: readonly string[] }): string {
    const result = this.tryRun(name, options);
    if (result.code !== 0) throw new Error(`docker run ${name} failed (${result.code}): ${result.stderr}`);
    return result.stdout.trim();
  }

  /** Like run, returning the CLI's result (for runs that are meant to fail). */
  tryRun(name: string, options: { publish?: readonly string[]; command: readonly string[]; extra?: readonly string[] }): DockerResult {
    const publish = (options.publish ?? []).flatMap((p) => ['-p', p]);
    return this.docker(['run', '-d', '--name', name, ...publish, ...(options.extra ?? []), TEST_IMAGE, ...options.command]);
  }

  /** The pid of a container's first process (State.Pid), in its own network namespace. */
  containerPid(name: string): number {
    const result = this.docker(['inspect', '-f', '{{.State.Pid}}', name]);
    const pid = Number(result.stdout.trim());
    if (result.code !== 0 || !Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${name}: ${result.stderr}${result.stdout}`);
    return pid;
  }

  /** Pids of processes in the engine's namespace whose program is `name` (e.g. docker-proxy). */
  processesNamed(name: string): number[] {
    return pidsInNamespaces(new Set([this.netns.inode])).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
  }

  /** Stops the engine and removes everything it made. Synchronous (so the exit hook can run it); idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.exitHook);
    // The containers' namespaces, while their bind mounts under exec/netns still exist.
    const containerNamespaces = new Set<number>();
    const netnsDir = join(this.dir, 'exec', 'netns');
    if (existsSync(netnsDir)) {
      for (const entry of readdirSync(netnsDir)) {
        try {
          containerNamespaces.add(statSync(join(netnsDir, entry)).ino);
        } catch {
          // removed meanwhile
        }
      }
    }
    if (this.pid > 0 && alive(this.pid)) {
      // Removing the containers first makes dockerd's shutdown quick (no 10 s stop timeouts).
      const ids = this.docker(['ps', '-aq'], 10_000).stdout.split('\n').filter((l) => l !== '');
      if (ids.length > 0) this.docker(['rm', '-f', ...ids], 20_000);
      kill(this.pid, 'SIGTERM');
      if (!waitSync(() => !alive(this.pid), 15_000)) kill(this.pid, 'SIGKILL');
      waitSync(() => !alive(this.pid), 5000);
    }
    killNamespaces(containerNamespaces);
    this.netns.delete();
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    // Directories dockerd and containerd made outside ours, when this engine made them: a shim killed
    // after a crash leaves its socket in /run/containerd/s. Test files run one at a time, so no other
    // engine is using them now.
    for (const dir of this.createdGlobals) rmSync(dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }
}

