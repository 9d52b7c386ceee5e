/**
 * The Docker Engine API client and its decoders. Decoders read answers recorded from a real dockerd
 * (test/fixtures/docker, see SOURCES.md there) and Podman's as printed in a public issue. The client
 * talks to real sockets this test opens: a server that replays the recorded answers, one that never
 * answers, one that sends too much or not JSON, a missing socket, a plain-TCP endpoint. The live
 * engine is in test/integration/docker-*.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, engineVersion, inspectContainer, listContainers } from '../../src/forwarders/docker-api.js';
import { decodeContainerDetails, decodeContainerList, decodeVersion } from '../../src/forwarders/docker-api-decode.js';
import { dockerEndpoint, endpointText, type DockerEndpoint } from '../../src/forwarders/docker-endpoint.js';
import { demultiplex, rawLines } from '../../src/forwarders/docker-log-stream.js';
import { darwinDockerSocket } from '../../src/platform/darwin/docker-socket.js';
import { LINUX_DOCKER_SOCKET, rootlessSocket } from '../../src/platform/linux/docker-socket.js';

const dir = fileURLToPath(new URL('../fixtures/docker/', import.meta.url));
const bytes = (file: string): Buffer => readFileSync(join(dir, file));
const json = (file: string): unknown => JSON.parse(bytes(file).toString('utf8'));

describe('decoding recorded answers of dockerd 20.10', () => {
  it('lists containers with names, states and published ports (both families for -p 8081:80)', () => {
    const list = decodeContainerList(json('containers-all.json'));
    expect(list?.map((c) => [c.name, c.state])).toEqual([
      ['created', 'created'],
      ['tty', 'running'],
      ['sick', 'running'],
      ['noisy', 'running'],
      ['stopped', 'exited'],
      ['ok', 'running'],
      ['web', 'running'],
    ]);
    const byName = new Map(list?.map((c) => [c.name, c]));
    expect(byName.get('web')?.ports).toEqual([{ containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1', protocol: 'tcp' }]);
    expect(byName.get('ok')?.ports.map((p) => p.hostIp)).toEqual(['0.0.0.0', '::']);
    expect(byName.get('web')?.addresses).toEqual(['172.17.0.2']);
    expect(byName.get('stopped')?.addresses).toEqual([]);
    expect(byName.get('sick')?.status).toBe('Up 3 seconds (unhealthy)');
    expect(byName.get('stopped')?.status).toMatch(/^Exited \(137\)/);
  });

  it('inspects a running, an exited, an unhealthy and a never-started container', () => {
    const web = decodeContainerDetails(json('inspect-web.json'));
    expect(web?.name).toBe('web');
    expect(web?.state).toMatchObject({ status: 'running', running: true, exitCode: 0, error: null, health: null, finishedAt: null });
    expect(web?.state.pid).toBeGreaterThan(0);
    expect(web?.network.ipAddress).toBe('172.17.0.2');
    expect(web?.network.ports).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }]);
    expect(web?.requestedPorts).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }]);
    expect(web?.network.sandboxKey).toMatch(/\/exec\/netns\/[0-9a-f]{12}$/);
    expect(web?.tty).toBe(false);

    const stopped = decodeContainerDetails(json('inspect-stopped.json'));
    expect(stopped?.state).toMatchObject({ status: 'exited', running: false, exitCode: 137, pid: null });
    expect(stopped?.network.ports).toEqual([]);
    // The binding asked for stays in the configuration: a leftover forward can be named from it.
    expect(stopped?.requestedPorts).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: null, hostPort: 8082 }]);

    const sick = decodeContainerDetails(json('inspect-sick.json'));
    expect(sick?.state).toMatchObject({ running: true, health: 'unhealthy', lastHealthOutput: '' });
    expect(sick?.state.healthFailingStreak).toBeGreaterThanOrEqual(1);

    const created = decodeContainerDetails(json('inspect-created.json'));
    expect(created?.state).toMatchObject({ status: 'created', startedAt: null, pid: null });
    expect(created?.requestedPorts).toEqual([{ containerPort: 80, protocol: 'udp', hostIp: null, hostPort: 8084 }]);
  });

  it('reads the version and tells Docker from Podman', () => {
    expect(decodeVersion(json('version.json'))).toEqual({ version: '20.10.24+dfsg1', apiVersion: '1.41', podman: false });
  });

  it('decodes Podman 5.2.2\'s ports, which have no IP (podman-container-tools/podman#25851)', () => {
    const list = decodeContainerList([{ Id: 'f'.repeat(64), Names: ['/port-test'], Ports: json('podman-5.2.2-ports.json') }]);
    expect(list?.[0]?.ports).toEqual([{ containerPort: 80, hostPort: 80, hostIp: null, protocol: 'tcp' }]);
    expect(decodeContainerList([{ Id: 'a', Names: ['/x'], Ports: null }])?.[0]?.ports).toEqual([]);
  });

  it('rejects answers that are not the API\'s shape', () => {
    expect(decodeContainerList({ message: 'x' })).toBeNull();
    expect(decodeContainerList([{ Names: ['/x'] }])).toBeNull();
    expect(decodeContainerDetails([])).toBeNull();
    expect(decodeVersion('1.41')).toBeNull();
  });
});

describe('the logs stream', () => {
  it('demultiplexes the recorded stdout and stderr frames in order', () => {
    expect(demultiplex(bytes('logs-noisy.multiplexed.bin'))).toEqual([
      { stream: 'stdout', text: 'starting on port 80' },
      { stream: 'stderr', text: 'Error: listen EADDRINUSE: address already in use :::80' },
    ]);
  });

  it('reads a TTY container\'s raw bytes as lines without their CR', () => {
    expect(rawLines(bytes('logs-tty.raw.bin'))).toEqual([
      { stream: 'tty', text: 'tty line one' },
      { stream: 'tty', text: 'tty line two' },
    ]);
    expect(demultiplex(bytes('logs-tty.raw.bin'))).toBeNull();
  });

  const frame = (stream: number, text: string | Buffer): Buffer => {
    const payload = typeof text === 'string' ? Buffer.from(text) : text;
    const header = Buffer.alloc(8);
    header[0] = stream;
    header.writeUInt32BE(payload.length, 4);
    return Buffer.concat([header, payload]);
  };

  it('joins a line split across frames, and a UTF-8 character split across frames', () => {
    const euro = Buffer.from('€');
    const body = Buffer.concat([frame(1, 'par'), frame(2, 'oops\n'), frame(1, Buffer.concat([Buffer.from('tial '), euro.subarray(0, 1)])), frame(1, Buffer.concat([euro.subarray(1), Buffer.from('\n')]))]);
    expect(demultiplex(body)).toEqual([
      { stream: 'stderr', text: 'oops' },
      { stream: 'stdout', text: 'partial €' },
    ]);
  });

  it('keeps whole frames before a cut, and never throws (property)', () => {
    const body = Buffer.concat([frame(1, 'one\n'), frame(2, 'two\n')]);
    expect(demultiplex(body.subarray(0, body.length - 3))).toEqual([
      { stream: 'stdout', text: 'one' },
      { stream: 'stderr', text: 't' },
    ]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const lines = demultiplex(Buffer.from(data));
        return lines === null || lines.every((l) => l.stream === 'stdout' || l.stream === 'stderr');
      }),
    );
  });
});

describe('where the API is', () => {
  it('honours DOCKER_HOST (unix and tcp) and falls back to the caller\'s default socket', () => {
    expect(dockerEndpoint({}, LINUX_DOCKER_SOCKET)).toEqual({ ok: true, value: { kind: 'unix', path: '/var/run/docker.sock' } });
    expect(dockerEndpoint({ DOCKER_HOST: '' }, '/x.sock')).toEqual({ ok: true, value: { kind: 'unix', path: '/x.sock' } });
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, LINUX_DOCKER_SOCKET)).toEqual({ ok: true, value: { kind: 'unix', path: '/run/user/1000/docker.sock' } });
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, LINUX_DOCKER_SOCKET)).toEqual({ ok: true, value: { kind: 'tcp', host: '127.0.0.1', port: 2375 } });
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://[::1]:2376' }, LINUX_DOCKER_SOCKET)).toEqual({ ok: true, value: { kind: 'tcp', host: '::1', port: 2376 } });
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://localhost' }, LINUX_DOCKER_SOCKET)).toEqual({ ok: true, value: { kind: 'tcp', host: 'localhost', port: 2375 } });
  });

  it('says what it does not support instead of trying', () => {
    for (const host of ['ssh://me@box', 'npipe:////./pipe/docker_engine', 'fd://', 'unix://relative.sock', 'tcp://h:99999', 'tcp://h:2375/x/y']) {
      expect(dockerEndpoint({ DOCKER_HOST: host }, LINUX_DOCKER_SOCKET).ok).toBe(false);
    }
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1' }, LINUX_DOCKER_SOCKET)).toMatchObject({ ok: false, reason: expect.stringContaining('TLS') });
  });

  it('knows the default sockets per platform', () => {
    expect(rootlessSocket('docker', 1000)).toBe('/run/user/1000/docker.sock');
    expect(rootlessSocket('podman', 1000)).toBe('/run/user/1000/podman/podman.sock');
    expect(darwinDockerSocket('/Users/ada/')).toBe('/Users/ada/.docker/run/docker.sock');
    expect(endpointText({ kind: 'tcp', host: '::1', port: 2375 })).toBe('tcp://[::1]:2375');
  });
});

/** Real servers on real sockets, each answering in one way. */
describe('the client against real sockets', () => {
  let tmp: string;
  const servers: (Server | NetServer)[] = [];
  const held: Socket[] = [];
  const sock = (name: string): DockerEndpoint => ({ kind: 'unix', path: join(tmp, name) });
  const listen = (server: Server | NetServer, path: string): Promise<void> => new Promise((resolve) => server.listen(path, resolve));
  let tcpPort = 0;

  /** Replays the recorded answers, as dockerd sent them. */
  const replay = (url: string, res: ServerResponse): void => {
    const routes: Record<string, [number, string]> = {
      '/containers/json?all=1': [200, 'containers-all.json'],
      '/containers/web/json': [200, 'inspect-web.json'],
      '/containers/nosuch/json': [404, 'error-no-such-container.json'],
      '/containers/noisy/json': [200, 'inspect-web.json'],
      '/containers/noisy/logs?stdout=1&stderr=1&tail=100': [200, 'logs-noisy.multiplexed.bin'],
      '/containers/tty/logs?stdout=1&stderr=1&tail=5': [200, 'logs-tty.raw.bin'],
      '/version': [200, 'version.json'],
    };
    const route = routes[url];
    if (route === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"page not found"}');
      return;
    }
    res.writeHead(route[0], { 'Content-Type': route[1].endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(bytes(route[1]));
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pd-dockerapi-'));
    const replaying = createServer((req, res) => replay(req.url ?? '', res));
    // Accepts the connection and never says a word.
    const silent = createNetServer((socket) => void held.push(socket));
    // Sends headers, then a trickle forever.
    const trickle = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    });
    const huge = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(`[${'{"Id":"x"},'.repeat(20000)}{"Id":"y"}]`));
    const html = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>hello</html>'));
    servers.push(replaying, silent, trickle, huge, html);
    await Promise.all([listen(replaying, join(tmp, 'docker.sock')), listen(silent, join(tmp, 'silent.sock')), listen(trickle, join(tmp, 'trickle.sock')), listen(huge, join(tmp, 'huge.sock')), listen(html, join(tmp, 'html.sock'))]);
    const tcp = createServer((req, res) => replay(req.url ?? '', res));
    servers.push(tcp);
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const address = tcp.address();
    tcpPort = typeof address === 'object' && address !== null ? address.port : 0;
    writeFileSync(join(tmp, 'plain-file.sock'), '');
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(tmp, { recursive: true, force: true });
  });

  it('lists, inspects, reads logs (both stream formats) and the version', async () => {
    const list = await listContainers(sock('docker.sock'));
    expect(list.ok && list.value.map((c) => c.name)).toContain('web');
    const web = await inspectContainer(sock('docker.sock'), 'web');
    expect(web.ok && web.value.network.ipAddress).toBe('172.17.0.2');
    const noisy = await containerLogs(sock('docker.sock'), 'noisy');
    expect(noisy.ok && noisy.value.map((l) => l.stream)).toEqual(['stdout', 'stderr']);
    const tty = await containerLogs(sock('docker.sock'), 'tty', { tty: true, tail: 5 });
    expect(tty.ok && tty.value.map((l) => l.text)).toEqual(['tty line one', 'tty line two']);
    expect(await engineVersion(sock('docker.sock'))).toMatchObject({ ok: true, value: { apiVersion: '1.41' } });
  });

  it('talks plain TCP when DOCKER_HOST says so', async () => {
    const endpoint = dockerEndpoint({ DOCKER_HOST: `tcp://127.0.0.1:${tcpPort}` }, LINUX_DOCKER_SOCKET);
    expect(endpoint.ok).toBe(true);
    if (!endpoint.ok) return;
    const list = await listContainers(endpoint.value);
    expect(list.ok && list.value).toHaveLength(7);
  });

  it('passes the engine\'s own message for a missing container', async () => {
    expect(await inspectContainer(sock('docker.sock'), 'nosuch')).toEqual({ ok: false, reason: 'No such container: nosuch', hint: 'docker ps -a lists the containers that exist.' });
    expect(await containerLogs(sock('docker.sock'), 'nosuch', { tty: false })).toMatchObject({ ok: false, reason: 'page not found' });
  });

  it('bounds a silent engine and a trickling one by the deadline, and says so', async () => {
    for (const name of ['silent.sock', 'trickle.sock']) {
      const started = performance.now();
      const result = await listContainers(sock(name), { timeoutMs: 300 });
      const elapsed = performance.now() - started;
      expect(result).toMatchObject({ ok: false, reason: expect.stringContaining('did not answer within 300 ms') });
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1000);
    }
    // The default deadline is one second.
    const started = performance.now();
    await inspectContainer(sock('silent.sock'), 'web');
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('reports a missing socket, a file that is not a socket, too large and non-JSON answers', async () => {
    expect(await listContainers(sock('absent.sock'))).toMatchObject({ ok: false, reason: `no Docker engine socket at ${join(tmp, 'absent.sock')}` });
    expect(await listContainers(sock('plain-file.sock'))).toMatchObject({ ok: false, reason: expect.stringMatching(/not running|not a socket/) });
    expect(await listContainers(sock('huge.sock'), { maxBytes: 1000 })).toMatchObject({ ok: false, reason: expect.stringContaining('larger than 1000 bytes') });
    expect(await listContainers(sock('html.sock'))).toMatchObject({ ok: false, reason: expect.stringContaining('is not JSON') });
  });
});
