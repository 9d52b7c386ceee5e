/**
 * Podman's Docker-compatible API service for tests, in a network namespace the test creates:
 * `podman system service` (Debian's podman 4.3, rootful, CNI networking) with its own storage root,
 * run root, temp dir, runc state root, CNI configuration and IPAM state, file locks (not the global
 * /dev/shm/libpod_lock), and containers run from a busybox-static root filesystem with `--rootfs`
 * (no image, so no registry, no image caches). Published ports: conmon holds the host port, CNI's
 * portmap plugin writes DNAT rules — all inside the namespace.
 *
 * Podman still writes a few things outside: per-container `netns-*` files in /run/netns and CNI
 * results in /var/lib/cni/results (both removed with the container), and the directory
 * /var/lib/cni. Stopping removes the containers, ends every process of the namespace and of the
 * containers' namespaces, deletes leftover netns files it recorded, and removes the global
 * directories it created.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive, BUSYBOX, isRoot, kill, killNamespaces, NSENTER, packageInstalled, pingSocket, TestNetns, unmountUnder, waitSync } from './ns-tools.js';

const PODMAN = '/usr/bin/podman';

/** Why the Podman tests cannot run here, or null. */
export function podmanSkipReason(): string | null {
  if (!isRoot) return 'needs root (rootful podman, network namespaces)';
  if (!packageInstalled('podman') || !existsSync(PODMAN)) return 'needs Debian\'s podman (apt-get install podman)';
  if (!packageInstalled('busybox-static') || !existsSync(BUSYBOX)) return 'needs busybox-static (apt-get install busybox-static) for the root filesystem';
  if (!['/usr/sbin/iptables', '/sbin/iptables'].some((p) => existsSync(p))) return 'needs iptables (CNI portmap)';
  return null;
}

/**
 * Our hard limit for a resource (/proc/self/limits): Podman's rootful defaults (nofile 1048576, nproc
 * 4194304) can be above what the machine allows, and runc then fails to set them.
 */
function hardLimit(name: 'Max open files' | 'Max processes', fallback: number): string {
  const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith(name));
  const hard = line?.slice(name.length).trim().split(/\s+/)[1];
  return hard === undefined || !/^(\d+|unlimited)$/.test(hard) ? String(fallback) : hard === 'unlimited' ? '-1' : hard;
}

const GLOBAL_DIRS = ['/var/lib/cni/results', '/var/lib/cni', '/var/lib/cni/networks'];

export class PodmanService {
  readonly netns = new TestNetns('pd-podman');
  readonly dir = mkdtempSync(join(tmpdir(), 'pd-podman-'));
  readonly socket = join(this.dir, 'podman.sock');
  readonly rootfs = join(this.dir, 'rootfs');
  startupMs = 0;
  pid = 0;
  private child: ChildProcess | null = null;
  private stopped = false;
  private readonly sandboxKeys = new Set<string>();
  private readonly createdGlobals = GLOBAL_DIRS.filter((d) => !existsSync(d));
  private readonly exitHook = (): void => this.stop();

  private constructor() {
    process.once('exit', this.exitHook);
  }

  static async start(): Promise<PodmanService> {
    const service = new PodmanService();
    try {
      await service.launch();
      return service;
    } catch (error) {
      service.stop();
      throw error;
    }
  }

  /** podman's global flags: every state directory under ours. */
  private get globals(): string[] {
    return [
      '--root', join(this.dir, 'root'),
      '--runroot', join(this.dir, 'run'),
      '--tmpdir', join(this.dir, 'tmp'),
      '--storage-driver', 'vfs',
      '--cgroup-manager', 'cgroupfs',
      '--events-backend', 'file',
      '--network-config-dir', join(this.dir, 'cni'),
      '--runtime-flag', `root=${join(this.dir, 'runc')}`,
    ];
  }

  private get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: join(this.dir, 'containers.conf') };
    delete env.CONTAINER_HOST;
    return env;
  }

  private async launch(): Promise<void> {
    for (const d of ['cni', 'ipam', 'rootfs/bin', 'rootfs/www', 'rootfs/tmp', 'rootfs/etc']) mkdirSync(join(this.dir, d), { recursive: true });
    writeFileSync(join(this.dir, 'containers.conf'), '[engine]\nlock_type = "file"\n');
    // The default network, named as Podman's: its own bridge, subnet and IPAM state directory.
    writeFileSync(
      join(this.dir, 'cni', 'pd-podman.conflist'),
      JSON.stringify({
        cniVersion: '0.4.0',
        name: 'podman',
        plugins: [
          { type: 'bridge', bridge: 'pdpod0', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local', dataDir: join(this.dir, 'ipam'), routes: [{ dst: '0.0.0.0/0' }], ranges: [[{ subnet: '10.89.0.0/24', gateway: '10.89.0.1' }]] } },
          { type: 'portmap', capabilities: { portMappings: true } },
          { type: 'firewall' },
          { type: 'tuning' },
        ],
      }),
    );
    copyFileSync(BUSYBOX, join(this.rootfs, 'bin', 'busybox'));
    for (const applet of ['sh', 'httpd', 'sleep', 'echo']) symlinkSync('busybox', join(this.rootfs, 'bin', applet));
    writeFileSync(join(this.rootfs, 'www', 'index.html'), 'hello from podman\n');
    const log = openSync(join(this.dir, 'service.log'), 'a');
    const started = performance.now();
    this.child = spawn(NSENTER, [`--net=${this.netns.path}`, PODMAN, ...this.globals, 'system', 'service', '--time', '0', `unix://${this.socket}`], { stdio: ['ignore', log, log], env: this.env });
    closeSync(log);
    this.pid = this.child.pid ?? 0;
    for (let i = 0; i < 300; i++) {
      if (this.child.exitCode !== null) throw new Error(`podman system service exited (${this.child.exitCode}):\n${readFileSync(join(this.dir, 'service.log'), 'utf8').slice(-3000)}`);
      if ((await pingSocket(this.socket, 500)) === 200) {
        this.startupMs = Math.round(performance.now() - started);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('podman system service did not answer within 15 s');
  }

  /** The podman CLI on the same state (bounded); never throws. */
  podman(args: readonly string[], timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
    const result = spawnSync(NSENTER, [`--net=${this.netns.path}`, PODMAN, ...this.globals, ...args], { encoding: 'utf8', timeout: timeoutMs, env: this.env });
    return { code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  }

  /** `podman run -d --name NAME [-p …] --rootfs ROOTFS CMD…`; records the container's netns file for cleanup. */
  run(name: string, options: { publish?: readonly string[]; command: readonly string[] }): string {
    const publish = (options.publish ?? []).flatMap((p) => ['-p', p]);
    const nofile = hardLimit('Max open files', 1024);
    // A modest nproc: runc failed to set this sandbox's own hard limit (96367) with EPERM, 4096 works.
    const nproc = Math.min(Number(hardLimit('Max processes', 4096)) >>> 0 || 4096, 4096);
    const limits = ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`];
    const result = this.podman(['run', '-d', '--name', name, ...limits, ...publish, '--rootfs', this.rootfs, ...options.command]);
    if (result.code !== 0) throw new Error(`podman run ${name} failed (${result.code}): ${result.stderr}`);
    const key = this.podman(['inspect', '-f', '{{.NetworkSettings.SandboxKey}}', name]).stdout.trim();
    if (key !== '') this.sandboxKeys.add(key);
    return result.stdout.trim();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener('exit', this.exitHook);
    const containerNamespaces = new Set<number>();
    for (const key of this.sandboxKeys) {
      try {
        containerNamespaces.add(statSync(key).ino);
      } catch {
        // already removed
      }
    }
    this.podman(['rm', '-a', '-f', '-t', '0'], 30_000);
    if (this.pid > 0 && alive(this.pid)) {
      kill(this.pid, 'SIGTERM');
      if (!waitSync(() => !alive(this.pid), 10_000)) kill(this.pid, 'SIGKILL');
    }
    killNamespaces(containerNamespaces);
    this.netns.delete();
    // A container podman could not remove leaves its named namespace in /run/netns.
    for (const key of this.sandboxKeys) {
      if (existsSync(key)) spawnSync('ip', ['netns', 'del', key.split('/').at(-1) ?? ''], { timeout: 10_000 });
    }
    unmountUnder(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
    for (const dir of this.createdGlobals) rmSync(dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
  }
}
