import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/built-dist.js';
import { runCliAsync, type CliResult } from '../helpers/cli.js';
import { createNetns, freePort, listening, tcpServer, type Netns } from '../helpers/servers.js';

const root = process.getuid?.() === 0;

const cli = runCliAsync;

interface JsonProbe {
  status: string;
  latencyMs: number | null;
  protocol: string | null;
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
