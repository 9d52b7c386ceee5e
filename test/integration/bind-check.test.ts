import { execFile } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { tryBind } from '../../src/collectors/bind-check.js';
import { ensureBuilt, publicDistUrl } from '../helpers/built-dist.js';

const root = process.getuid?.() === 0;

/** A TCP listener that closes itself at the end of the test scope. */
async function listenTcp(options: { host: string; port?: number; ipv6Only?: boolean }): Promise<{ port: number } & AsyncDisposable> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host, port: options.port ?? 0, ipv6Only: options.ipv6Only ?? false }, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function bindUdp(options: { host: string; type: 'udp4' | 'udp6'; ipv6Only?: boolean }): Promise<{ port: number } & AsyncDisposable> {
  const socket: UdpSocket = createSocket({ type: options.type, ipv6Only: options.ipv6Only ?? false });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: options.host, port: 0 }, resolve);
  });
  return {
    port: socket.address().port,
    [Symbol.asyncDispose]: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

describe('tryBind: free ports', () => {
  it('binds TCP on 127.0.0.1 port 0, reports the kernel-chosen port, and releases it', async () => {
    const first = await tryBind({ address: '127.0.0.1', port: 0, protocol: 'tcp' });
    expect(first).toMatchObject({ ok: true, protocol: 'tcp', dualStack: null });
    if (!first.ok) return;
    expect(first.port).toBeGreaterThan(0);
    // Released at once: we can take the same port ourselves.
    await using _again = await listenTcp({ host: '127.0.0.1', port: first.port });
  });

  it('binds UDP on ::1 and releases it', async () => {
    const result = await tryBind({ address: '::1', port: 0, protocol: 'udp' });
    expect(result).toMatchObject({ ok: true, protocol: 'udp' });
    if (!result.ok) return;
    const again = await tryBind({ address: '::1', port: result.port, protocol: 'udp' });
    expect(again.ok).toBe(true);
  });

  it('says whether a :: bind was dual-stack, by asking the kernel', async () => {
    expect(await tryBind({ address: '::', port: 0, protocol: 'tcp' })).toMatchObject({ ok: true, dualStack: true });
    expect(await tryBind({ address: '::', port: 0, protocol: 'tcp', ipv6Only: true })).toMatchObject({ ok: true, dualStack: false });
    expect(await tryBind({ address: '::', port: 0, protocol: 'udp' })).toMatchObject({ ok: true, dualStack: true });
    expect(await tryBind({ address: '0:0::0', port: 0, protocol: 'udp', ipv6Only: true })).toMatchObject({ ok: true, dualStack: false });
  });
});

describe('tryBind: EADDRINUSE from real listeners', () => {
  it('same address', async () => {
    await using held = await listenTcp({ host: '127.0.0.1' });
    const result = await tryBind({ address: '127.0.0.1', port: held.port, protocol: 'tcp' });
    expect(result).toMatchObject({ ok: false, code: 'EADDRINUSE', port: held.port });
    if (!result.ok) expect(result.message).toContain('EADDRINUSE');
  });

  it('a 0.0.0.0 listener blocks 127.0.0.1', async () => {
    await using held = await listenTcp({ host: '0.0.0.0' });
    expect(await tryBind({ address: '127.0.0.1', port: held.port, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRINUSE' });
  });

  it('a dual-stack :: listener blocks 127.0.0.1, an IPv6-only one does not', async () => {
    {
      await using held = await listenTcp({ host: '::' });
      expect(await tryBind({ address: '127.0.0.1', port: held.port, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRINUSE' });
    }
    await using v6only = await listenTcp({ host: '::', ipv6Only: true });
    expect(await tryBind({ address: '127.0.0.1', port: v6only.port, protocol: 'tcp' })).toMatchObject({ ok: true });
    expect(await tryBind({ address: '::1', port: v6only.port, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRINUSE' });
  });

  it('a 127.0.0.1 listener makes a dual-stack :: bind fail, but not an IPv6-only one', async () => {
    await using held = await listenTcp({ host: '127.0.0.1' });
    expect(await tryBind({ address: '::', port: held.port, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRINUSE' });
    expect(await tryBind({ address: '::', port: held.port, protocol: 'tcp', ipv6Only: true })).toMatchObject({ ok: true, dualStack: false });
  });

  it('UDP: a dual-stack :: socket blocks 127.0.0.1', async () => {
    await using held = await bindUdp({ host: '::', type: 'udp6' });
    expect(await tryBind({ address: '127.0.0.1', port: held.port, protocol: 'udp' })).toMatchObject({ ok: false, code: 'EADDRINUSE' });
    // TCP and UDP ports are separate name spaces.
    expect(await tryBind({ address: '127.0.0.1', port: held.port, protocol: 'tcp' })).toMatchObject({ ok: true });
  });

  it('a listener in another process', async () => {
    const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port));setTimeout(()=>process.exit(0),20000)";
    const child = execFile(process.execPath, ['-e', script]);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout?.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim())));
        child.once('error', reject);
      });
      expect(await tryBind({ address: '127.0.0.1', port, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRINUSE' });
    } finally {
      child.kill();
    }
  });
});

describe('tryBind: other refusals', () => {
  it('EADDRNOTAVAIL for an address that is not on this machine (192.0.2.1, TEST-NET-1; a bind sends nothing)', async () => {
    expect(await tryBind({ address: '192.0.2.1', port: 0, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRNOTAVAIL' });
    expect(await tryBind({ address: '192.0.2.1', port: 0, protocol: 'udp' })).toMatchObject({ ok: false, code: 'EADDRNOTAVAIL' });
    expect(await tryBind({ address: '2001:db8::1', port: 0, protocol: 'tcp' })).toMatchObject({ ok: false, code: 'EADDRNOTAVAIL' });
  });

  it('a host name that does not resolve is a value, not a throw', async () => {
    const result = await tryBind({ address: 'no-such-host.invalid', port: 0, protocol: 'tcp' });
    expect(result.ok).toBe(false);
  });

  const unprivilegedStart = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  describe.skipIf(!root || unprivilegedStart <= 80)('as uid 65534 (needs root to drop to nobody with setpriv; and ip_unprivileged_port_start > 80)', () => {
    it('EACCES for port 80', async () => {
      await ensureBuilt(['collectors/bind-check.ts']);
      const script = `const { tryBind } = await import(${JSON.stringify(publicDistUrl('collectors/bind-check.ts'))});
        const results = [await tryBind({ address: '127.0.0.1', port: 80, protocol: 'tcp' }), await tryBind({ address: '0.0.0.0', port: 80, protocol: 'udp' })];
        console.log(JSON.stringify({ uid: process.getuid(), results }));`;
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], { timeout: 20_000 }, (error, out, err) =>
          error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
        );
      });
      const answer = JSON.parse(stdout) as { uid: number; results: { ok: boolean; code?: string }[] };
      expect(answer.uid).toBe(65534);
      expect(answer.results).toEqual([expect.objectContaining({ ok: false, code: 'EACCES' }), expect.objectContaining({ ok: false, code: 'EACCES' })]);
    });
  });
});
