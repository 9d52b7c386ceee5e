import dgram from 'node:dgram';
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/built-dist.js';
import { runCliAsync, type CliResult } from '../helpers/cli.js';
import { createNetns, freePort, listening, selfSignedCert, tcpServer, type Netns } from '../helpers/servers.js';
import { missing, startMariadb, startMemcached, startNginx, startNginxH2c, startPostgres, startRabbitmq, startRedis, type RealServer } from '../helpers/services.js';

const root = process.getuid?.() === 0;

const cli = runCliAsync;

interface JsonProbe {
  status: string;
  latencyMs: number | null;
  protocol: string | null;
  transport: string;
  fingerprint: { detail: Record<string, unknown>; tried: { probe: string; outcome: string }[] } | null;
  attempts: { address: string; family: string; status: string; latencyMs: number | null; error: string | null }[];
}

function parse(run: CliResult): JsonProbe {
  try {
    return JSON.parse(run.stdout) as JsonProbe;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

beforeAll(async () => {
  await ensureBuilt(['cli/commands/probe.ts', 'collectors/probe.ts', 'collectors/fingerprint.ts', 'collectors/fingerprint-classify.ts', 'render/probe.ts', 'cli/registry.ts']);
}, 180_000);

describe('portdoctor probe (built CLI)', () => {
  it('open HTTP server: exit 0 and the JSON contract', async () => {
    await using server = await listening(http.createServer((_req, res) => res.end('ok')));
    const run = await cli(['probe', `127.0.0.1:${server.port}`, '--json']);
    expect(run.code).toBe(0);
    const json = parse(run);
    expect(json).toMatchObject({ status: 'open', protocol: 'http' });
    expect(typeof json.latencyMs).toBe('number');
    expect(Object.keys(json.attempts[0]!)).toEqual(expect.arrayContaining(['address', 'family', 'status', 'latencyMs', 'error']));
    expect(json.attempts[0]).toMatchObject({ address: '127.0.0.1', family: 'ipv4', status: 'open', error: null });
  });

  it('refused: exit 1, both loopbacks tried for a bare port', async () => {
    const port = await freePort();
    const run = await cli(['probe', String(port), '--json']);
    expect(run.code).toBe(1);
    const json = parse(run);
    expect(json).toMatchObject({ status: 'refused', protocol: null });
    expect(json.attempts.map((a) => a.address)).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
  });

  it('silent counts as accepted: exit 0; --timeout is honoured', async () => {
    await using server = await tcpServer(() => undefined);
    const start = performance.now();
    const run = await cli(['probe', `http://127.0.0.1:${server.port}/`, '--timeout', '300ms', '--json']);
    expect(run.code).toBe(0);
    expect(parse(run)).toMatchObject({ status: 'silent', protocol: 'unknown' });
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it('human output: one aligned line per attempt, ✔/✖, 80 columns, no colour when not a TTY', async () => {
    await using server = await listening(http.createServer((_req, res) => res.end('ok')), '::1');
    const run = await cli(['probe', String(server.port)]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain('open via ::1');
    const attemptLines = lines.filter((line) => /^ {2}[✔✖] /.test(line));
    expect(attemptLines).toHaveLength(2);
    expect(attemptLines.find((l) => l.includes(`[::1]:${server.port}`))).toMatch(/^ {2}✔ .* open .* http 200/);
    expect(attemptLines.find((l) => l.includes(`127.0.0.1:${server.port}`))).toMatch(/^ {2}✖ .* refused /);
    // Aligned: the status column starts at the same place on every attempt line.
    const statusColumns = attemptLines.map((l) => l.search(/ (open|refused) /));
    expect(new Set(statusColumns).size).toBe(1);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(run.stdout.includes('\u001b[')).toBe(false);
  });

  it('https:// against plain HTTP: the mismatch is printed', async () => {
    await using server = await listening(http.createServer((_req, res) => res.end('ok')));
    const run = await cli(['probe', `https://127.0.0.1:${server.port}/`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/! https expects TLS, but the server speaks plain HTTP/);
  });

  const badUsage = [['abc'], ['70000'], ['localhost'], ['1', '--timeout', 'soon'], ['1', '2'], ['1', '--bogus'], []];
  it.each(badUsage.map((args) => [args.join(' ') || '(no target)', args] as const))('bad usage "%s": exit 2, one line on stderr, nothing on stdout', async (_name, args) => {
    const run = await cli(['probe', ...args]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^portdoctor: /);
  });
});

describe('portdoctor probe over UDP', () => {
  it('udp://HOST:PORT and --udp send a datagram: open when it comes back, refused on a closed port', async () => {
    const echo = dgram.createSocket('udp4');
    try {
      echo.on('message', (message, remote) => echo.send(message.length === 0 ? 'pong' : message, remote.port, remote.address));
      echo.bind(0, '127.0.0.1');
      await once(echo, 'listening');
      const port = echo.address().port;
      for (const args of [[`udp://127.0.0.1:${port}`], [`127.0.0.1:${port}`, '--udp']]) {
        const run = await cli(['probe', ...args, '--json', '--timeout', '500ms']);
        expect(run.code).toBe(0);
        expect(parse(run)).toMatchObject({ status: 'open', transport: 'udp', attempts: [{ status: 'open' }] });
      }
      const closed = await freePort();
      const refused = await cli(['probe', `udp://127.0.0.1:${closed}`, '--json', '--timeout', '500ms']);
      expect(refused.code).toBe(1);
      expect(parse(refused)).toMatchObject({ status: 'refused', transport: 'udp' });
    } finally {
      echo.close();
    }
  });

  it('tcp:// with --udp is a contradiction: exit 2', async () => {
    const run = await cli(['probe', 'tcp://127.0.0.1:53', '--udp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/tcp:\/\/ but UDP was asked for/);
  });
});

const tlsCert = selfSignedCert();

/** Real servers on kernel-chosen ports: `probe 127.0.0.1:PORT --json` must name each one. */
const services: readonly { protocol: string; product: string | null; why: string | null; start: () => Promise<RealServer | Awaited<ReturnType<typeof listening>>> }[] = [
  { protocol: 'redis', product: 'Redis', why: missing(['redis-server'], 'redis-server'), start: startRedis },
  { protocol: 'memcached', product: 'memcached', why: missing(['memcached'], 'memcached'), start: startMemcached },
  { protocol: 'postgres', product: 'PostgreSQL', why: missing(['postgres', 'initdb'], 'postgresql', true), start: () => startPostgres() },
  { protocol: 'mysql', product: 'MariaDB', why: missing(['mariadbd'], 'mariadb-server'), start: startMariadb },
  { protocol: 'amqp', product: 'RabbitMQ', why: missing(['rabbitmq-server', 'epmd'], 'rabbitmq-server'), start: startRabbitmq },
  { protocol: 'http', product: 'nginx', why: missing(['nginx'], 'nginx-light'), start: startNginx },
  { protocol: 'http2', product: 'nginx', why: missing(['nginx'], 'nginx-light'), start: startNginxH2c },
  { protocol: 'tls', product: null, why: null, start: () => listening(https.createServer({ key: tlsCert.key, cert: tlsCert.cert }, (_req, res) => res.end('ok'))) },
];
describe('portdoctor probe names real services on ports that give no hint', () => {
  for (const service of services) {
    const title = `${service.protocol}${service.product === null ? '' : ` (${service.product})`}${service.why === null ? '' : ` (skipped: ${service.why})`}`;
    it.skipIf(service.why !== null)(title, async () => {
      await using server = await service.start();
      const run = await cli(['probe', `127.0.0.1:${server.port}`, '--json']);
      expect(run.code).toBe(0);
      const json = parse(run);
      expect(json).toMatchObject({ status: 'open', protocol: service.protocol });
      if (service.product !== null) expect(json.fingerprint?.detail.product).toBe(service.product);
      const human = await cli(['probe', `127.0.0.1:${server.port}`]);
      expect(human.stdout.split('\n')[0]).toContain(`open via 127.0.0.1, ${service.protocol}`);
    }, 90_000);
  }

  it('a listener that never answers stays silent', async () => {
    await using server = await tcpServer(() => undefined);
    const json = parse(await cli(['probe', `127.0.0.1:${server.port}`, '--json', '--timeout', '500ms']));
    expect(json).toMatchObject({ status: 'silent', protocol: 'unknown' });
    expect(json.fingerprint?.tried.every((trial) => trial.outcome === 'silent')).toBe(true);
  });
});

describe.skipIf(!root)('portdoctor probe in a network namespace (needs root: ip netns)', () => {
  let ns: Netns;
  beforeAll(() => {
    ns = createNetns({ hosts: '127.0.0.1 localhost\n', resolvConf: 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' });
  });
  afterAll(async () => {
    await ns?.[Symbol.asyncDispose]();
  });

  it('a name that does not resolve: exit 1, status unreachable, no attempts', async () => {
    const run = await cli(['probe', 'no-such-host.invalid:80', '--json'], ns.prefix);
    expect(run.code).toBe(1);
    expect(parse(run)).toMatchObject({ status: 'unreachable', latencyMs: null, protocol: null, attempts: [] });
    const human = await cli(['probe', 'no-such-host.invalid:80'], ns.prefix);
    expect(human.stdout).toMatch(/no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)/);
  });
});
