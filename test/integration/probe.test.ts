import dgram from 'node:dgram';
import { once } from 'node:events';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, type ProbeResult } from '../../src/collectors/probe.js';
import { parseTarget } from '../../src/target.js';
import { createNetns, freePort, listening, tcpServer, type Netns } from '../helpers/servers.js';
import { distUrl, ensureBuilt } from '../helpers/built-dist.js';

const root = process.getuid?.() === 0;

describe('probe over TCP on loopback', () => {
  it('open: an HTTP server on 127.0.0.1, fingerprinted, with the connect latency', async () => {
    await using server = await listening(http.createServer((_req, res) => res.end('ok')));
    const result = await probe(`127.0.0.1:${server.port}`);
    expect(result).toMatchObject({ status: 'open', protocol: 'http', address: '127.0.0.1', transport: 'tcp', resolution: null });
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]).toMatchObject({ address: '127.0.0.1', family: 'ipv4', status: 'open', error: null });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger((result.latencyMs ?? 0) * 10)).toBe(true);
  });

  it('refused: a port nobody holds, with ECONNREFUSED and a latency', async () => {
    const port = await freePort();
    const result = await probe(`127.0.0.1:${port}`);
    expect(result).toMatchObject({ status: 'refused', protocol: null, fingerprint: null });
    expect(result.attempts[0]).toMatchObject({ status: 'refused', error: 'ECONNREFUSED' });
    expect(result.latencyMs).not.toBeNull();
  });

  it('a bare port tries 127.0.0.1 and ::1; the top level is the one that answered', async () => {
    await using server = await listening(http.createServer((_req, res) => res.end('ok')), '::1');
    const result = await probe(String(server.port));
    const byAddress = Object.fromEntries(result.attempts.map((a) => [a.address, a.status]));
    expect(byAddress).toMatchObject({ '127.0.0.1': 'refused', '::1': 'open' });
    expect(result).toMatchObject({ status: 'open', address: '::1', host: null, target: `port ${server.port}` });
    expect(result.resolution?.host).toBe('localhost');
  });

  it('reset: a server that accepts, then resets', async () => {
    await using server = await tcpServer((socket) => socket.resetAndDestroy());
    const result = await probe(`127.0.0.1:${server.port}`);
    expect(result.status).toBe('reset');
    expect(result.attempts[0]?.error).toBe('ECONNRESET');
  });

  it('silent: a server that accepts and never writes, probed as HTTP', async () => {
    await using server = await tcpServer(() => undefined);
    const result = await probe(`http://127.0.0.1:${server.port}/`, { timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'silent', protocol: 'unknown' });
    expect(result.fingerprint).toMatchObject({ answered: false, probeSent: 'http' });
  });

  it('silent also when the server closes without a word', async () => {
    await using server = await tcpServer((socket) => socket.end());
    const result = await probe(`127.0.0.1:${server.port}`, { timeoutMs: 300 });
    expect(result.status).toBe('silent');
    expect(result.fingerprint?.closedImmediately).toBe(true);
  });

  it('fingerprint: false skips the conversation', async () => {
    await using server = await tcpServer(() => undefined);
    const result = await probe(parseTarget(`127.0.0.1:${server.port}`), { fingerprint: false });
    expect(result).toMatchObject({ status: 'open', protocol: null, fingerprint: null });
  });
});

describe('probe over UDP on loopback', () => {
  it('refused: ICMP port unreachable on a free port', async () => {
    const port = await freePort();
    const result = await probe(`127.0.0.1:${port}`, { udp: true });
    expect(result).toMatchObject({ status: 'refused', transport: 'udp', protocol: null });
    expect(result.attempts[0]?.error).toBe('ECONNREFUSED');
    expect(result.note).toMatch(/UDP/);
  });

  it('open: a UDP server that echoes; silent: one that ignores us', async () => {
    const echo = dgram.createSocket('udp4');
    const mute = dgram.createSocket('udp4');
    try {
      echo.on('message', (_msg, rinfo) => echo.send('pong', rinfo.port, rinfo.address));
      echo.bind(0, '127.0.0.1');
      mute.bind(0, '127.0.0.1');
      await Promise.all([once(echo, 'listening'), once(mute, 'listening')]);
      const open = await probe(`127.0.0.1:${echo.address().port}`, { udp: true, timeoutMs: 500 });
      expect(open.status).toBe('open');
      expect(open.attempts[0]?.reply).toBe('pong');
      const silent = await probe(`127.0.0.1:${mute.address().port}`, { udp: true, timeoutMs: 300 });
      expect(silent).toMatchObject({ status: 'silent', latencyMs: null });
    } finally {
      echo.close();
      mute.close();
    }
  });
});

describe.skipIf(!root)('probe inside a network namespace (needs root: ip netns, iptables)', () => {
  let ns: Netns;

  beforeAll(async () => {
    // The child runs inside the namespace, so it runs the compiled module, not this test's TypeScript.
    await ensureBuilt(['collectors/probe.ts', 'collectors/probe-status.ts', 'collectors/probe-udp.ts', 'collectors/tcp-connect.ts', 'collectors/fingerprint.ts', 'collectors/fingerprint-classify.ts', 'collectors/socket-reader.ts', 'collectors/resolution.ts', 'target.ts']);
    ns = createNetns({ hosts: '::1 localhost\n127.0.0.1 localhost\n', resolvConf: 'nameserver 127.0.0.1\n' });
  }, 180_000);
  afterAll(async () => {
    await ns?.[Symbol.asyncDispose]();
  });

  /** Runs probe() in a child node inside the namespace (the test process cannot enter it). */
  function probeInNs(target: string, timeoutMs: number): ProbeResult {
    const script = `import { probe } from ${JSON.stringify(distUrl('collectors/probe.ts'))}; console.log(JSON.stringify(await probe(${JSON.stringify(target)}, { timeoutMs: ${timeoutMs} })));`;
    return JSON.parse(ns.exec([process.execPath, '--input-type=module', '-e', script])) as ProbeResult;
  }

  it('timeout: a SYN dropped by iptables gets no answer (ETIMEDOUT, no latency)', () => {
    ns.exec(['iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '4999', '-j', 'DROP']);
    const start = performance.now();
    const result = probeInNs('127.0.0.1:4999', 400);
    expect(result).toMatchObject({ status: 'timeout', latencyMs: null });
    expect(result.attempts[0]).toMatchObject({ status: 'timeout', error: 'ETIMEDOUT' });
    expect(performance.now() - start).toBeLessThan(10_000);
  });

  it('a REJECT with tcp-reset looks like refused; icmp-admin-prohibited is unreachable', () => {
    ns.exec(['iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '4998', '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    ns.exec(['iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '4997', '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited']);
    expect(probeInNs('127.0.0.1:4998', 400).status).toBe('refused');
    const prohibited = probeInNs('127.0.0.1:4997', 400);
    expect(prohibited.status).toBe('unreachable');
    expect(prohibited.attempts[0]?.error).toBe('EHOSTUNREACH');
  });

  it('localhost → ::1 first (the namespace hosts file), so the client order starts with ::1', () => {
    const result = probeInNs('localhost:4996', 400);
    expect(result.attempts.map((a) => a.address)).toEqual(['::1', '127.0.0.1']);
    expect(result.resolution).toMatchObject({ getaddrinfoFirst: '::1', nodeFirst: '::1' });
    expect(result).toMatchObject({ status: 'refused', address: '::1' });
  });

  it('a name that does not resolve: unreachable with no attempts, the resolver error kept', () => {
    const result = probeInNs('no-such-host.invalid:80', 400);
    expect(result).toMatchObject({ status: 'unreachable', address: null, latencyMs: null, attempts: [] });
    expect(result.resolution?.error?.code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
  });

});
