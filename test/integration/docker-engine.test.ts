/**
 * The Docker test harness itself: a real dockerd starts in its own namespace, answers on its own
 * socket, runs a busybox container, and leaves nothing behind when stopped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listContainers } from '../../src/forwarders/docker-api.js';
import { readForwarder } from '../../src/forwarders/table.js';
import { alive, DockerEngine, dockerSkipReason, netnsOf } from '../helpers/docker-ns.js';
import { argvOf, holdersOf } from '../helpers/proc-listeners.js';

const skip = dockerSkipReason();
if (skip !== null) console.warn(`[docker-engine] skipped: ${skip}`);

describe.skipIf(skip !== null)(`the Docker engine harness${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let engine: DockerEngine;

  beforeAll(async () => {
    engine = await DockerEngine.start();
    console.info(`[docker-engine] dockerd answered after ${engine.startupMs} ms; docker import took ${engine.importMs} ms`);
  }, 60_000);

  afterAll(() => engine?.stop(), 60_000);

  it('runs dockerd in the namespace it made, on its own socket, with the imported busybox image', () => {
    expect(netnsOf(engine.pid)).toBe(engine.netns.inode);
    expect(netnsOf(engine.pid)).not.toBe(netnsOf(process.pid));
    expect(existsSync(engine.socket)).toBe(true);
    const images = engine.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout.split('\n')).toContain('pd-busybox:test');
    expect(engine.startupMs).toBeGreaterThan(0);
    expect(engine.startupMs).toBeLessThan(30_000);
  });

  it('runs a container whose busybox httpd answers inside the namespace', () => {
    engine.run('hello', { publish: ['127.0.0.1:18080:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    const pid = engine.containerPid('hello');
    expect(netnsOf(pid)).not.toBe(engine.netns.inode);
    // busybox nc in the engine's namespace would need an image; the host's curl-less way: bash /dev/tcp.
    const fetched = engine.netns.run(['bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/18080; printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3; cat <&3']);
    expect(fetched.stdout).toContain('hello from busybox httpd');
  });
});

describe.skipIf(skip !== null)(`stopping the engine${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  it('leaves no process, mount, directory or namespace behind', async () => {
    const engine = await DockerEngine.start();
    engine.run('left', { command: ['/bin/sleep', '600'] });
    const containerPid = engine.containerPid('left');
    const { dir, pid, netns } = engine;
    engine.stop();
    expect(alive(pid)).toBe(false);
    expect(alive(containerPid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync('/var/run/netns')).not.toContain(netns.name);
    expect(existsSync('/etc/docker/key.json')).toBe(false);
    expect(existsSync('/run/docker/plugins')).toBe(false);
    expect(existsSync('/run/containerd/s')).toBe(false);
  }, 90_000);
});

describe.skipIf(skip !== null)(`an engine that died${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  it('takes docker-proxy with it, leaves the container running; the API fails at once and says why; cleanup leaves nothing', async () => {
    const engine = await DockerEngine.start();
    try {
      engine.run('orphan', { publish: ['127.0.0.1:18090:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
      const [holder] = holdersOf(engine.netns.inode, 18090);
      expect(readForwarder({ pid: holder?.pid ?? 0, name: 'docker-proxy', argv: argvOf(holder?.pid ?? 0) })?.forwards[0]).toMatchObject({ from: { address: '127.0.0.1', port: 18090 }, to: { port: 80 } });
      const containerPid = engine.containerPid('orphan');
      process.kill(engine.pid, 'SIGKILL');
      for (let i = 0; i < 100 && (alive(engine.pid) || alive(holder?.pid ?? 0)); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alive(engine.pid)).toBe(false);
      // dockerd starts docker-proxy with a parent-death signal: the proxy goes with it and frees the port,
      // while the container (kept by its shim) runs on, unreachable.
      expect(alive(holder?.pid ?? 0)).toBe(false);
      expect(holdersOf(engine.netns.inode, 18090)).toEqual([]);
      expect(alive(containerPid)).toBe(true);
      const started = performance.now();
      const list = await listContainers({ kind: 'unix', path: engine.socket });
      expect(performance.now() - started).toBeLessThan(1000);
      expect(list).toMatchObject({ ok: false, reason: `nothing accepts connections at unix://${engine.socket}: the Docker engine is not running` });
    } finally {
      const { dir, netns } = engine;
      engine.stop();
      expect(existsSync(dir)).toBe(false);
      expect(readdirSync('/var/run/netns')).not.toContain(netns.name);
    }
  }, 90_000);
});
