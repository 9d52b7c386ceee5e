/**
 * The Docker test harness itself: a real dockerd starts in its own namespace, answers on its own
 * socket, runs a busybox container, and leaves nothing behind when stopped.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, DockerEngine, dockerSkipReason, netnsOf } from '../helpers/docker-ns.js';

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
