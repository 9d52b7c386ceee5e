import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../src/actions/wait.js';
import { parseTarget } from '../../src/target.js';
import { selfSignedCert } from '../helpers/servers.js';

/** A port the kernel just handed out on 127.0.0.1 and that ::1 can bind too (released again). */
async function portFreeOnBoth(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const v4 = await listen(net.createServer(), '127.0.0.1', 0);
    const v6 = await listen(net.createServer(), '::1', v4.port).catch(() => null);
    await v4[Symbol.asyncDispose]();
    if (v6 === null) continue;
    await v6[Symbol.asyncDispose]();
    return v4.port;
  }
  throw new Error('no port free on both loopback families');
}

interface Held extends AsyncDisposable {
  readonly port: number;
  /** performance.now() when listen() completed. */
  readonly openedAt: number;
}

/** Listens; `await using` closes the server and every connection it accepted. */
function listen(server: net.Server, host: string, port: number): Promise<Held> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: true }, () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        openedAt: performance.now(),
        [Symbol.asyncDispose]: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Opens `host:port` after `delayMs`; the disposable closes it whether or not it opened yet. */
function listenLater(host: string, port: number, delayMs: number, server: net.Server = net.createServer()): { opened: Promise<Held> } & AsyncDisposable {
  const opened = new Promise<Held>((resolve, reject) => setTimeout(() => listen(server, host, port).then(resolve, reject), delayMs));
  return {
    opened,
    [Symbol.asyncDispose]: async () => {
      const held = await opened.catch(() => null);
      await held?.[Symbol.asyncDispose]();
    },
  };
}

describe('waitFor: becomes ready when a listener opens', () => {
  it('bare port, listener opening later on 127.0.0.1', async () => {
    const port = await portFreeOnBoth();
    await using later = listenLater('127.0.0.1', port, 150);
    const result = await waitFor([String(port)], { timeoutMs: 5000 });
    expect(result).toMatchObject({ ready: true, aborted: false });
    expect(result.targets).toEqual([expect.objectContaining({ target: String(port), ready: true, address: '127.0.0.1', lastError: null })]);
    const opened = await later.opened;
    expect(result.elapsedMs).toBeGreaterThanOrEqual(140);
    expect(opened.port).toBe(port);
  });

  it('bare port and [::1]:PORT, listener on ::1 only (the family peers forget)', async () => {
    const port = await portFreeOnBoth();
    await using _later = listenLater('::1', port, 100);
    const result = await waitFor([String(port), `[::1]:${port}`], { timeoutMs: 5000 });
    expect(result.ready).toBe(true);
    for (const target of result.targets) expect(target).toMatchObject({ ready: true, address: '::1' });
    // 127.0.0.1 was tried and refused all along.
    const v4 = result.targets[0]?.addresses.find((entry) => entry.address === '127.0.0.1');
    expect(v4).toMatchObject({ ready: false, lastResult: 'refused' });
    expect(v4?.attempts).toBeGreaterThan(1);
  });

  it('waits for every target', async () => {
    const [a, b] = [await portFreeOnBoth(), await portFreeOnBoth()];
    await using _first = listenLater('127.0.0.1', a, 50);
    await using second = listenLater('::1', b, 300);
    const result = await waitFor([`127.0.0.1:${a}`, String(b)], { timeoutMs: 5000 });
    expect(result.ready).toBe(true);
    const [ta, tb] = result.targets;
    expect(ta?.elapsedMs ?? Infinity).toBeLessThan(tb?.elapsedMs ?? 0);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(290);
    await second.opened;
  });

  it('notices an opening within milliseconds (median of 5 trials < 50 ms, listener to resolve)', async () => {
    const latencies: number[] = [];
    for (let trial = 0; trial < 5; trial++) {
      const port = await portFreeOnBoth();
      // Open 300-500 ms in: past the fast start, so this measures the steady-state interval.
      await using later = listenLater('127.0.0.1', port, 300 + trial * 50);
      const result = await waitFor([String(port)], { timeoutMs: 5000 });
      const resolvedAt = performance.now();
      expect(result.ready).toBe(true);
      latencies.push(resolvedAt - (await later.opened).openedAt);
    }
    latencies.sort((x, y) => x - y);
    expect(latencies[2]).toBeLessThan(50);
  });
});

describe('waitFor: not ready', () => {
  it('times out with the last reason per address', async () => {
    const port = await portFreeOnBoth();
    const started = performance.now();
    const result = await waitFor([String(port)], { timeoutMs: 300 });
    const took = performance.now() - started;
    expect(result).toMatchObject({ ready: false, aborted: false });
    expect(took).toBeGreaterThanOrEqual(295);
    expect(took).toBeLessThan(1500);
    const target = result.targets[0];
    expect(target?.ready).toBe(false);
    expect(target?.lastError).toContain('127.0.0.1 refused');
    expect(target?.lastError).toContain('::1 refused');
    // Bounded rate: ≤ 200/s in the fast start, ≤ 100/s after it (plus slack for timer jitter).
    for (const entry of target?.addresses ?? []) expect(entry.attempts).toBeLessThanOrEqual(60);
  });

  it('says when a name does not resolve', async () => {
    const result = await waitFor(['no-such-host.invalid:80'], { timeoutMs: 400 });
    expect(result.ready).toBe(false);
    expect(result.targets[0]?.lastError).toMatch(/no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)/);
  });

  it('stops when the signal aborts, with the reasons so far', async () => {
    const port = await portFreeOnBoth();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const result = await waitFor([String(port)], { timeoutMs: 10_000, signal: controller.signal });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ ready: false, aborted: true });
    expect(result.targets[0]?.lastError).toContain('refused');
  });

  it('an already-aborted signal returns at once', async () => {
    const result = await waitFor(['1'], { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ ready: false, aborted: true });
  });

  it('bad input throws a PortdoctorError', async () => {
    await expect(waitFor([])).rejects.toMatchObject({ code: 'bad-usage' });
    await expect(waitFor(['nope:'])).rejects.toMatchObject({ code: 'bad-target' });
    await expect(waitFor(['80'], { timeoutMs: -1 })).rejects.toMatchObject({ code: 'bad-usage' });
    await expect(waitFor(['80'], { mode: 'free', http: true })).rejects.toMatchObject({ code: 'bad-usage' });
    await expect(waitFor([parseTarget('53', { udp: true })])).rejects.toMatchObject({ code: 'bad-usage' });
  });
});

describe('waitFor: http', () => {
  it('waits through 503s until a 200, on the URL path', async () => {
    const port = await portFreeOnBoth();
    let readyAt = Infinity;
    const paths: string[] = [];
    const server = http.createServer((request, response) => {
      paths.push(request.url ?? '');
      response.statusCode = performance.now() >= readyAt ? 200 : 503;
      response.end('x');
    });
    await using held = await listen(server, '127.0.0.1', port);
    readyAt = held.openedAt + 300;
    const result = await waitFor([`http://localhost:${port}/health?deep=1`], { timeoutMs: 5000 });
    expect(result.ready).toBe(true);
    expect(performance.now()).toBeGreaterThanOrEqual(readyAt);
    expect(result.targets[0]?.address).toBe('127.0.0.1');
    expect(paths.length).toBeGreaterThan(1);
    expect(new Set(paths)).toEqual(new Set(['/health?deep=1']));
    // While the server answers "not yet", at most ~20 requests/s.
    expect(paths.length).toBeLessThanOrEqual(12);
  });

  it('times out with the last status, and --status widens what counts', async () => {
    const port = await portFreeOnBoth();
    const server = http.createServer((_request, response) => {
      response.statusCode = 302;
      response.end();
    });
    await using _held = await listen(server, '::1', port);
    const strict = await waitFor([String(port)], { http: true, timeoutMs: 300 });
    expect(strict.ready).toBe(false);
    expect(strict.targets[0]?.lastError).toContain('::1 HTTP 302');
    const loose = await waitFor([String(port)], { http: true, status: [{ from: 200, to: 399 }], timeoutMs: 2000 });
    expect(loose).toMatchObject({ ready: true, targets: [expect.objectContaining({ address: '::1' })] });
  });
});

describe('waitFor: https', () => {
  it('an https URL waits for a 2xx over TLS, self-signed certificate and all (readiness, not trust)', async () => {
    const hosts: string[] = [];
    const server = https.createServer(selfSignedCert(), (request, response) => {
      hosts.push(request.headers.host ?? '');
      response.end('ok');
    });
    await using held = await listen(server, '127.0.0.1', 0);
    const result = await waitFor([`https://localhost:${held.port}/ready`], { timeoutMs: 5000 });
    expect(result).toMatchObject({ ready: true, targets: [expect.objectContaining({ address: '127.0.0.1' })] });
    // The Host header names what the user asked for, not the address dialled.
    expect(hosts[0]).toBe(`localhost:${held.port}`);
  });

  it('plain HTTP against a TLS port is a reason, not a hang', async () => {
    const server = https.createServer(selfSignedCert(), (_request, response) => response.end('ok'));
    await using held = await listen(server, '127.0.0.1', 0);
    const result = await waitFor([`http://127.0.0.1:${held.port}/`], { timeoutMs: 400 });
    expect(result.ready).toBe(false);
    expect(result.targets[0]?.lastError).toMatch(/^127\.0\.0\.1 (reset|not HTTP|no HTTP answer)/);
  });
});

describe('waitFor: closed and free', () => {
  it('closed: until nothing accepts any more', async () => {
    const port = await portFreeOnBoth();
    const held = await listen(net.createServer(), '::1', port);
    setTimeout(() => void held[Symbol.asyncDispose](), 200);
    const started = performance.now();
    const result = await waitFor([String(port)], { mode: 'closed', timeoutMs: 5000 });
    expect(result.ready).toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    // The last attempt is refused, or reset: a connection that sat in the accept queue when the
    // listener closed is reset by the kernel. Both mean "no longer accepting".
    for (const entry of result.targets[0]?.addresses ?? []) {
      expect(entry.ready, entry.address).toBe(true);
      expect(['refused', 'reset'], `${entry.address}: ${entry.lastResult}`).toContain(entry.lastResult);
    }
  });

  it('closed: times out while it still accepts', async () => {
    await using held = await listen(net.createServer(), '127.0.0.1', 0);
    const result = await waitFor([`127.0.0.1:${held.port}`], { mode: 'closed', timeoutMs: 200 });
    expect(result.ready).toBe(false);
    expect(result.targets[0]?.lastError).toBe('127.0.0.1 still accepting');
  });

  it('free: a wildcard listener holds the port until it closes', async () => {
    const port = await portFreeOnBoth();
    const held = await listen(net.createServer(), '0.0.0.0', port);
    const early = await waitFor([String(port)], { mode: 'free', timeoutMs: 200 });
    expect(early.ready).toBe(false);
    expect(early.targets[0]?.lastError).toContain('0.0.0.0 in use');
    setTimeout(() => void held[Symbol.asyncDispose](), 150);
    const result = await waitFor([String(port)], { mode: 'free', timeoutMs: 5000 });
    expect(result.ready).toBe(true);
    expect(result.targets[0]?.addresses.map((entry) => entry.address).sort()).toEqual(['0.0.0.0', '127.0.0.1', '::', '::1'].sort());
  });

  it('free: a listener on 127.0.0.2 makes the port not free (the wildcard bind collides)', async () => {
    const port = await portFreeOnBoth();
    await using _held = await listen(net.createServer(), '127.0.0.2', port);
    const result = await waitFor([String(port)], { mode: 'free', timeoutMs: 200 });
    expect(result.ready).toBe(false);
    expect(result.targets[0]?.lastError).toMatch(/0\.0\.0\.0 in use/);
  });
});
