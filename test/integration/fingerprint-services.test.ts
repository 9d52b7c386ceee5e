import http2 from 'node:http2';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, type ProbeResult } from '../../src/collectors/probe.js';
import { listening, selfSignedCert, tcpServer } from '../helpers/servers.js';
import {
  missing,
  startMariadb,
  startMemcached,
  startNginx,
  startNginxH2c,
  startNginxTls,
  startPostgres,
  startRabbitmq,
  startRedis,
  startSshd,
} from '../helpers/services.js';

/**
 * Real servers on ports the kernel picked: nothing in the port number hints at the protocol, so
 * only the probes can name them. Each case also measures the whole probe (connect, banner wait,
 * probes, follow-up) several times and checks the median against the 300 ms promise.
 */

interface Running extends AsyncDisposable {
  readonly port: number;
}

interface Case {
  /** The protocol the probe must name. */
  readonly protocol: string;
  /** What runs there. */
  readonly server: string;
  /** Why it cannot run here (missing program, not root), or null. */
  readonly why: string | null;
  readonly start: () => Promise<Running>;
  readonly check: (result: ProbeResult) => void;
}

const cert = selfSignedCert();
const RUNS = 15;
const medians = new Map<string, { median: number; min: number; max: number }>();

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const VERSION = /^\d+\.\d+(\.\d+)?/;

const cases: readonly Case[] = [
  {
    protocol: 'redis',
    server: 'redis-server',
    why: missing(['redis-server'], 'redis-server'),
    start: startRedis,
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ product: 'Redis', reply: '+PONG', mode: 'standalone' });
      expect(result.fingerprint?.detail.version).toMatch(VERSION);
    },
  },
  {
    protocol: 'memcached',
    server: 'memcached',
    why: missing(['memcached'], 'memcached'),
    start: startMemcached,
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ product: 'memcached' });
      expect(result.fingerprint?.detail.version).toMatch(VERSION);
    },
  },
  {
    protocol: 'postgres',
    server: 'postgres',
    why: missing(['postgres', 'initdb'], 'postgresql', true),
    start: () => startPostgres(),
    check: (result) => {
      // No login happens: the probe's role does not exist, and the server says so.
      expect(result.fingerprint?.detail).toMatchObject({ product: 'PostgreSQL', postgresSsl: false, authentication: 'none' });
      expect(result.fingerprint?.detail.reply).toMatch(/^FATAL 28000: role "portdoctor-probe" does not exist$/);
      expect(result.fingerprint?.detail.errorSource).toMatch(/^miscinit\.c:\d+ InitializeSessionUserId$/);
    },
  },
  {
    protocol: 'postgres',
    server: 'postgres, ssl=on',
    why: missing(['postgres', 'initdb'], 'postgresql', true),
    start: () => startPostgres({ ssl: true }),
    check: (result) => {
      expect(result.protocol).toBe('postgres');
      expect(result.fingerprint?.detail).toMatchObject({ product: 'PostgreSQL', postgresSsl: true });
      expect(result.fingerprint?.detail.reply).toMatch(/role "portdoctor-probe" does not exist/);
    },
  },
  {
    protocol: 'mysql',
    server: 'mariadbd',
    why: missing(['mariadbd'], 'mariadb-server'),
    start: startMariadb,
    check: (result) => {
      expect(result.fingerprint).toMatchObject({ probeSent: 'none', detail: { product: 'MariaDB' } });
      expect(result.fingerprint?.detail.version).toMatch(/MariaDB/);
    },
  },
  {
    protocol: 'amqp',
    server: 'rabbitmq-server',
    why: missing(['rabbitmq-server', 'epmd'], 'rabbitmq-server'),
    start: startRabbitmq,
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ product: 'RabbitMQ', protocolVersion: '0-9' });
      expect(result.fingerprint?.detail.version).toMatch(VERSION);
    },
  },
  {
    protocol: 'ssh',
    server: 'sshd',
    why: missing(['sshd', 'ssh-keygen'], 'openssh-server', true),
    start: startSshd,
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ product: 'OpenSSH' });
      expect(result.fingerprint?.detail.banner).toMatch(/^SSH-2\.0-OpenSSH_/);
    },
  },
  {
    protocol: 'http',
    server: 'nginx',
    why: missing(['nginx'], 'nginx-light'),
    start: startNginx,
    check: (result) => {
      expect(result.fingerprint).toMatchObject({ probeSent: 'http', detail: { product: 'nginx', httpStatus: 204, websocket: false } });
      expect(result.fingerprint?.detail.version).toMatch(VERSION);
      // The common case stays one probe: no other protocol was tried.
      expect(result.fingerprint?.tried.map((t) => t.probe)).toEqual(['http']);
    },
  },
  {
    protocol: 'tls',
    server: 'nginx, ssl + http2',
    why: missing(['nginx'], 'nginx-light'),
    start: startNginxTls,
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ alpn: 'h2', certSubject: 'portdoctor-test', product: 'nginx', httpStatus: 204 });
    },
  },
  {
    protocol: 'http2',
    server: 'nginx, http2 without TLS',
    why: missing(['nginx'], 'nginx-light'),
    start: startNginxH2c,
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ product: 'nginx', httpStatus: 204 });
    },
  },
];

/** Servers of Node itself: always available. */
const nodeCases: readonly Case[] = [
  {
    protocol: 'tls',
    server: 'node https',
    why: null,
    start: () => listening(https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => res.end('ok'))),
    check: (result) => {
      expect(result.fingerprint?.detail).toMatchObject({ tlsVersion: 'TLSv1.3', certSubject: 'portdoctor-test', alpn: 'http/1.1', httpStatus: 200 });
    },
  },
  {
    protocol: 'http2',
    server: 'node http2 (gRPC-style)',
    why: null,
    // A gRPC-style endpoint over HTTP/2 prior knowledge: it greets with SETTINGS before we speak.
    start: () =>
      listening(
        http2.createServer((_req, res) => {
          res.setHeader('content-type', 'application/grpc');
          res.setHeader('grpc-status', '12');
          res.end();
        }),
      ),
    check: (result) => {
      expect(result.fingerprint).toMatchObject({ probeSent: 'none', detail: { grpc: true, httpStatus: 200 } });
    },
  },
];

function describeCase(testCase: Case): void {
  const label = `${testCase.protocol} (${testCase.server})`;
  const title = `${label}${testCase.why === null ? '' : ` (skipped: ${testCase.why})`}`;
  describe.skipIf(testCase.why !== null)(title, () => {
    let server: Running;
    beforeAll(async () => {
      server = await testCase.start();
    }, 90_000);
    afterAll(async () => {
      await server?.[Symbol.asyncDispose]();
    }, 30_000);

    it(`probe 127.0.0.1:PORT names it: open, ${testCase.protocol}`, async () => {
      const result = await probe(`127.0.0.1:${server.port}`);
      expect(result).toMatchObject({ status: 'open', protocol: testCase.protocol });
      testCase.check(result);
    });

    it(`the whole probe takes under 300 ms (median of ${RUNS})`, async () => {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const start = performance.now();
        const result = await probe(`127.0.0.1:${server.port}`);
        times.push(performance.now() - start);
        expect(result.status).toBe('open');
      }
      const middle = median(times);
      medians.set(label, { median: Math.round(middle * 10) / 10, min: Math.round(Math.min(...times) * 10) / 10, max: Math.round(Math.max(...times) * 10) / 10 });
      expect(middle).toBeLessThan(300);
    }, 60_000);
  });
}

describe('fingerprint of real servers on unhinted ports', () => {
  for (const testCase of [...cases, ...nodeCases]) describeCase(testCase);

  afterAll(() => {
    const rows = [...medians].map(([name, t]) => `  ${name.padEnd(32)} median ${String(t.median).padStart(6)} ms   (min ${t.min}, max ${t.max}, ${RUNS} runs)`);
    console.log(`whole probe of 127.0.0.1:PORT (connect + fingerprint), loopback:\n${rows.join('\n')}`);
  });
});

describe('what is not a known service stays honest', () => {
  it('a listener that accepts and never writes stays silent, after every probe was tried', async () => {
    await using server = await tcpServer(() => undefined);
    const result = await probe(`127.0.0.1:${server.port}`, { timeoutMs: 600 });
    expect(result).toMatchObject({ status: 'silent', protocol: 'unknown' });
    expect(result.fingerprint?.tried.map((t) => t.probe)).toEqual(['http', 'redis', 'memcached', 'postgres', 'tls', 'http2', 'mongodb', 'amqp']);
    expect(result.fingerprint?.tried.every((t) => t.outcome === 'silent')).toBe(true);
  });

  it('an echo server is an echo, not TLS or AMQP (it returns our own bytes)', async () => {
    await using server = await tcpServer((socket) => socket.pipe(socket));
    const result = await probe(`127.0.0.1:${server.port}`);
    expect(result).toMatchObject({ status: 'open', protocol: 'unknown', fingerprint: { detail: { echo: true }, probeSent: 'http' } });
  });

  it('a server that hangs up on everything: silent, closed on every probe, well within the budget', async () => {
    await using server = await tcpServer((socket) => socket.on('data', () => socket.end()));
    const start = performance.now();
    const result = await probe(`127.0.0.1:${server.port}`);
    expect(performance.now() - start).toBeLessThan(800);
    expect(result).toMatchObject({ status: 'silent', fingerprint: { closedImmediately: true, probeSent: 'http' } });
    expect(result.fingerprint?.tried.every((t) => t.outcome === 'closed')).toBe(true);
  });
});
