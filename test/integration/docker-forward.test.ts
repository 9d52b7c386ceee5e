/**
 * The issue's scenarios with a real Docker engine (default: docker-proxy holds published ports), in
 * a namespace of the test's own. For now these assert the facts the new modules produce — the
 * forward read from the live docker-proxy's /proc/PID/cmdline, the Engine API's answers, the
 * container's own socket table read through /proc/<container pid>/net — which the doctor will join.
 * One engine for the whole file: starting one costs about two seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, inspectContainer, listContainers } from '../../src/forwarders/docker-api.js';
import { containersPublishing, withContainer } from '../../src/forwarders/containers.js';
import type { DockerEndpoint } from '../../src/forwarders/docker-endpoint.js';
import { forwardForSocket, readForwarder, type ForwarderReading } from '../../src/forwarders/table.js';
import type { Forward } from '../../src/forwarders/types.js';
import { DockerEngine, dockerSkipReason, httpProbe } from '../helpers/docker-ns.js';
import { argvOf, commOf, holdersOf, listenersInNetnsOf, type Listener } from '../helpers/proc-listeners.js';

const skip = dockerSkipReason();
if (skip !== null) console.warn(`[docker-forward] skipped: ${skip}`);

/** The forwarder holding the port in the engine's namespace, read from its live command line. */
function holderReading(engine: DockerEngine, port: number, protocol: 'tcp' | 'udp' = 'tcp'): { pid: number; sockets: Listener[]; reading: ForwarderReading | null }[] {
  return holdersOf(engine.netns.inode, port, protocol).map(({ pid, sockets }) => ({ pid, sockets, reading: readForwarder({ pid, name: commOf(pid), argv: argvOf(pid) }) }));
}

/** The first forward a holder's command line gave (failing the test when there is none). */
function firstForward(holder: { reading: ForwarderReading | null } | undefined): Forward {
  const forward = holder?.reading?.forwards[0];
  if (forward === undefined) throw new Error(`no forward read: ${holder?.reading?.unread ?? 'no forwarder'}`);
  return forward;
}

/** The container's own listening sockets, read in its namespace without sending it anything. */
function containerListeners(engine: DockerEngine, name: string): Listener[] {
  return listenersInNetnsOf(engine.containerPid(name)).map(({ protocol, address, port }) => ({ protocol, address, port }));
}

describe.skipIf(skip !== null)(`published ports through docker-proxy${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let engine: DockerEngine;
  let api: DockerEndpoint;

  beforeAll(async () => {
    engine = await DockerEngine.start();
    console.info(`[docker-forward] dockerd answered after ${engine.startupMs} ms; image imported in ${engine.importMs} ms`);
    api = { kind: 'unix', path: engine.socket };
    engine.run('web', { publish: ['127.0.0.1:8080:80'], command: ['/bin/httpd', '-f', '-p', '127.0.0.1:80', '-h', '/www'] });
    engine.run('ok', { publish: ['8081:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    engine.run('elsewhere', { publish: ['8083:80'], command: ['/bin/httpd', '-f', '-p', '8080', '-h', '/www'] });
    engine.run('noisy', {
      publish: ['8085:80'],
      command: ['/bin/sh', '-c', 'echo "listening on :80"; echo "Error: listen EADDRINUSE: address already in use :::80" >&2; exec httpd -f -p 80 -h /www'],
    });
  }, 90_000);

  afterAll(() => engine?.stop(), 60_000);

  describe('an app listening on 127.0.0.1 inside its container (-p 127.0.0.1:8080:80)', () => {
    it('a client sees the connection accepted and then dropped: the symptom users report', () => {
      const probe = httpProbe(engine.netns, '127.0.0.1', 8080);
      expect(probe.connected).toBe(true);
      expect(probe.reply).toBe('');
    });

    it('docker-proxy holds 127.0.0.1:8080, and its live command line says where it forwards', () => {
      const holders = holderReading(engine, 8080);
      expect(holders).toHaveLength(1);
      const [holder] = holders;
      expect(commOf(holder?.pid ?? 0)).toBe('docker-proxy');
      expect(argvOf(holder?.pid ?? 0).slice(1)).toEqual(['-proto', 'tcp', '-host-ip', '127.0.0.1', '-host-port', '8080', '-container-ip', expect.stringMatching(/^172\.17\.0\.\d+$/), '-container-port', '80']);
      expect(holder?.reading).toMatchObject({ kind: 'docker-proxy', killable: false, unread: null });
      const forward = forwardForSocket(holder?.reading?.forwards ?? [], { address: '127.0.0.1', port: 8080, protocol: 'tcp' });
      expect(forward).toMatchObject({ kind: 'docker-proxy', from: { address: '127.0.0.1', port: 8080, protocol: 'tcp' }, to: { port: 80 } });
    });

    it('the Engine API names the container, its address and the stop command', async () => {
      const list = await listContainers(api);
      expect(list.ok).toBe(true);
      if (!list.ok) return;
      const [holder] = holderReading(engine, 8080);
      const forward = withContainer(firstForward(holder), list.value);
      expect(forward.to.container?.name).toBe('web');
      expect(forward.stop).toBe('docker stop web');
      const web = await inspectContainer(api, 'web');
      expect(web.ok && web.value.network.ipAddress).toBe(forward.to.host);
      expect(web.ok && web.value.state).toMatchObject({ status: 'running', running: true });
    });

    it('the container\'s own socket table shows the app on 127.0.0.1:80, not on the address docker-proxy forwards to', () => {
      expect(containerListeners(engine, 'web')).toEqual([{ protocol: 'tcp', address: '127.0.0.1', port: 80 }]);
    });
  });

  describe('a healthy publish (-p 8081:80), both families', () => {
    it('answers on 127.0.0.1 and ::1', () => {
      expect(httpProbe(engine.netns, '127.0.0.1', 8081)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
      expect(httpProbe(engine.netns, '::1', 8081)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    });

    it('has one docker-proxy per family, each forwarding to the container\'s IPv4 address', async () => {
      const holders = holderReading(engine, 8081);
      const rows = holders.map((h) => [h.sockets[0]?.address, h.reading?.forwards[0]?.from.address, h.reading?.forwards[0]?.to.port]).sort();
      expect(rows).toEqual([
        ['0.0.0.0', '0.0.0.0', 80],
        ['::', '::', 80],
      ]);
      const list = await listContainers(api);
      expect(list.ok && holders.map((h) => withContainer(firstForward(h), list.value).to.container?.name)).toEqual(['ok', 'ok']);
      expect(containerListeners(engine, 'ok')).toEqual([{ protocol: 'tcp', address: '::', port: 80 }]);
    });
  });

  describe('an app listening on another port than the published one (-p 8083:80, app on 8080)', () => {
    it('docker-proxy forwards to :80 while the container listens on :8080 only', () => {
      const forwards = holderReading(engine, 8083).flatMap((h) => h.reading?.forwards ?? []);
      expect(new Set(forwards.map((f) => f.to.port))).toEqual(new Set([80]));
      expect(containerListeners(engine, 'elsewhere')).toEqual([{ protocol: 'tcp', address: '::', port: 8080 }]);
      expect(httpProbe(engine.netns, '127.0.0.1', 8083)).toMatchObject({ connected: true, reply: '' });
    });
  });

  describe('a container that writes errors to its logs', () => {
    it('reads stdout and stderr apart through the API, bounded', async () => {
      const logs = await containerLogs(api, 'noisy', { tail: 50 });
      // Two pipes: the engine keeps each stream's order, not the order between them.
      expect(logs.ok && [...logs.value].sort((a, b) => a.stream.localeCompare(b.stream))).toEqual([
        { stream: 'stderr', text: 'Error: listen EADDRINUSE: address already in use :::80' },
        { stream: 'stdout', text: 'listening on :80' },
      ]);
    });

    it('reads a TTY container\'s single stream', async () => {
      engine.docker(['run', '-d', '-t', '--name', 'tty', 'pd-busybox:test', '/bin/sh', '-c', 'echo hello from a tty; exec sleep 600']);
      let logs = await containerLogs(api, 'tty');
      for (let i = 0; i < 20 && logs.ok && logs.value.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        logs = await containerLogs(api, 'tty');
      }
      expect(logs).toEqual({ ok: true, value: [{ stream: 'tty', text: 'hello from a tty' }] });
    });
  });

  describe('a container stopped after publishing (-p 8082:80)', () => {
    it('takes its docker-proxy with it; the API keeps the binding it asked for and its exit code', async () => {
      engine.run('stopped', { publish: ['8082:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
      expect(holderReading(engine, 8082).map((h) => h.reading?.kind)).toEqual(['docker-proxy', 'docker-proxy']);
      expect(engine.docker(['stop', '-t', '1', 'stopped']).code).toBe(0);
      expect(holdersOf(engine.netns.inode, 8082)).toEqual([]);
      const details = await inspectContainer(api, 'stopped');
      expect(details.ok && details.value.state).toMatchObject({ status: 'exited', running: false, pid: null });
      // httpd as PID 1 ignores SIGTERM: `docker stop -t 1` ends it with SIGKILL.
      expect(details.ok && details.value.state.exitCode).toBe(137);
      expect(details.ok && details.value.requestedPorts).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: null, hostPort: 8082 }]);
      const list = await listContainers(api);
      expect(list.ok && containersPublishing(list.value, { port: 8082, protocol: 'tcp' })).toEqual([]);
      expect(httpProbe(engine.netns, '127.0.0.1', 8082)).toMatchObject({ connected: false, error: 'ECONNREFUSED' });
    });
  });

  describe('two containers asking for the same host port', () => {
    it('the second docker run fails, and the port\'s holder leads to the first container', async () => {
      engine.run('first', { publish: ['8084:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
      const second = engine.tryRun('second', { publish: ['8084:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
      expect(second.code).toBe(125);
      expect(second.stderr).toMatch(/Bind for 0\.0\.0\.0:8084 failed: port is already allocated/);
      const list = await listContainers(api);
      expect(list.ok && list.value.find((c) => c.name === 'second')?.state).toBe('created');
      const names = list.ok ? holderReading(engine, 8084).map((h) => withContainer(firstForward(h), list.value).to.container?.name) : [];
      expect(names).toEqual(['first', 'first']);
    });
  });

  it('answers an unknown container with the engine\'s own words', async () => {
    expect(await inspectContainer(api, 'nosuch')).toMatchObject({ ok: false, reason: 'No such container: nosuch' });
  });

  it('reads the list, one container and its logs in well under the doctor\'s 150 ms budget', async () => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const [list, web, logs] = await Promise.all([listContainers(api), inspectContainer(api, 'web'), containerLogs(api, 'noisy', { tail: 100, tty: false })]);
      times.push(performance.now() - started);
      expect([list.ok, web.ok, logs.ok]).toEqual([true, true, true]);
    }
    const best = Math.min(...times);
    console.info(`[docker-forward] list + inspect + logs over the API: best ${best.toFixed(1)} ms, all ${times.map((t) => t.toFixed(1)).join(', ')} ms`);
    expect(best).toBeLessThan(150);
  });
});
