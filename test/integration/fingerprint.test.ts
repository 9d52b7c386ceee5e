import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/collectors/fingerprint.js';
import { bannerServer, childServer, freePort, listening, mysqlGreeting, selfSignedCert, tcpServer } from '../helpers/servers.js';
import { missing } from '../helpers/services.js';

const cert = selfSignedCert();

function httpServer(): Promise<Awaited<ReturnType<typeof listening>>> {
  return listening(
    http.createServer((req, res) => {
      res.setHeader('Server', 'pd-test/1.0');
      res.statusCode = req.url === '/health' ? 204 : 404;
      res.end();
    }),
  );
}

function httpsServer(): Promise<Awaited<ReturnType<typeof listening>>> {
  return listening(
    https.createServer({ key: cert.key, cert: cert.cert }, (_req, res) => {
      res.setHeader('Server', 'pd-tls/2.0');
      res.end('ok');
    }),
  );
}

describe('fingerprint against real servers', () => {
  it('node http: status for the requested path and the Server header', async () => {
    await using server = await httpServer();
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'http', path: '/health', host: 'localhost' });
    expect(fp).toMatchObject({ protocol: 'http', answered: true, reset: false, probeSent: 'http', mismatch: null });
    expect(fp.detail).toMatchObject({ httpStatus: 204, server: 'pd-test/1.0' });
  });

  it('node https with a self-signed cert: TLS version, certificate CN, and the HTTP status inside', async () => {
    await using server = await httpsServer();
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'https', host: 'localhost' });
    expect(fp).toMatchObject({ protocol: 'tls', answered: true, mismatch: null });
    expect(fp.detail).toMatchObject({ tlsVersion: 'TLSv1.3', certSubject: 'portdoctor-test', httpStatus: 200, server: 'pd-tls/2.0' });
  });

  it('https:// against a plain HTTP server: mismatch, and what really answered', async () => {
    await using server = await httpServer();
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'https' });
    expect(fp.protocol).toBe('http');
    expect(fp.mismatch).toMatchObject({ expected: 'tls', found: 'http' });
  });

  it('http:// against an HTTPS server (which hangs up on plain HTTP): mismatch, it speaks TLS', async () => {
    await using server = await httpsServer();
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'http' });
    expect(fp.protocol).toBe('tls');
    expect(fp.detail.certSubject).toBe('portdoctor-test');
    expect(fp.mismatch).toMatchObject({ expected: 'http', found: 'tls' });
  });

  const noRedis = missing(['redis-server'], 'redis-server');
  it.skipIf(noRedis !== null)(`a real redis-server: PING → +PONG, also found by port-less scheme hint${noRedis === null ? '' : ` (skipped: ${noRedis})`}`, async () => {
    const port = await freePort();
    await using _redis = await childServer('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp'], port);
    const fp = await fingerprint('127.0.0.1', port, { scheme: 'redis' });
    expect(fp).toMatchObject({ protocol: 'redis', detail: { reply: '+PONG', product: 'Redis' }, probeSent: 'redis' });
    expect(fp.tried.map((t) => t.probe)).toEqual(['redis']);
  });

  const noMemcached = missing(['memcached'], 'memcached');
  it.skipIf(noMemcached !== null)(`a real memcached: version${noMemcached === null ? '' : ` (skipped: ${noMemcached})`}`, async () => {
    const port = await freePort();
    await using _mc = await childServer('memcached', ['-u', 'nobody', '-l', '127.0.0.1', '-p', String(port), '-U', '0'], port);
    const fp = await fingerprint('127.0.0.1', port, { scheme: 'memcached' });
    expect(fp.protocol).toBe('memcached');
    expect(fp.detail.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an SSH-like banner server, found without any hint (port is not 22)', async () => {
    await using server = await bannerServer('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n');
    const fp = await fingerprint('127.0.0.1', server.port);
    expect(fp).toMatchObject({ protocol: 'ssh', probeSent: 'none', detail: { banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' } });
  });

  it('http:// against an SSH server: mismatch', async () => {
    await using server = await bannerServer('SSH-2.0-dropbear\r\n');
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'http' });
    expect(fp.mismatch).toMatchObject({ expected: 'http', found: 'ssh' });
  });

  it('an SMTP banner server', async () => {
    await using server = await bannerServer('220 mail.test ESMTP Postfix (Debian/GNU)\r\n');
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'smtp' });
    expect(fp).toMatchObject({ protocol: 'smtp', detail: { banner: '220 mail.test ESMTP Postfix (Debian/GNU)' } });
  });

  it('a MySQL greeting, split across two writes', async () => {
    const greeting = mysqlGreeting('8.0.36');
    await using server = await tcpServer((socket) => {
      socket.write(greeting.subarray(0, 10));
      setTimeout(() => socket.write(greeting.subarray(10)), 30);
    });
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'mysql' });
    expect(fp).toMatchObject({ protocol: 'mysql', detail: { version: '8.0.36' } });
  });

  it('a PostgreSQL SSLRequest replier: checks the 8 request bytes, answers N', async () => {
    const received: Buffer[] = [];
    await using server = await tcpServer((socket) => {
      socket.on('data', (data) => {
        received.push(data);
        if (Buffer.concat(received).equals(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]))) socket.write('N');
      });
    });
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'postgres' });
    expect(fp).toMatchObject({ protocol: 'postgres', detail: { postgresSsl: false } });
  });

  it('a server that accepts and never writes: not answered, within the time budget', async () => {
    await using server = await tcpServer(() => undefined);
    const start = performance.now();
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'http', timeoutMs: 400 });
    expect(performance.now() - start).toBeLessThan(1000);
    expect(fp).toMatchObject({ answered: false, reset: false, closedImmediately: false, protocol: 'unknown' });
  });

  it('a server that accepts and resets', async () => {
    await using server = await tcpServer((socket) => socket.resetAndDestroy());
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'http' });
    expect(fp).toMatchObject({ answered: false, reset: true });
  });

  it('a server that accepts and closes cleanly: closedImmediately', async () => {
    await using server = await tcpServer((socket) => socket.end());
    const fp = await fingerprint('127.0.0.1', server.port, { scheme: 'redis' });
    expect(fp).toMatchObject({ answered: false, reset: false, closedImmediately: true });
  });

  it('reads at most maxBytes of an endless banner', async () => {
    await using server = await tcpServer((socket) => {
      const chunk = Buffer.alloc(4096, 0x41);
      const timer = setInterval(() => socket.write(chunk), 1);
      socket.on('close', () => clearInterval(timer));
    });
    const fp = await fingerprint('127.0.0.1', server.port, { maxBytes: 1024, timeoutMs: 500 });
    expect(fp.protocol).toBe('unknown');
    expect(fp.detail.banner?.length).toBe(200);
  });

  it('a closed port: a value with the errno, not a throw', async () => {
    const port = await freePort();
    const fp = await fingerprint('127.0.0.1', port);
    expect(fp).toMatchObject({ answered: false, error: 'ECONNREFUSED' });
  });

  it('sends nothing but the probe (the server sees one GET, Host header from the hint)', async () => {
    const seen: string[] = [];
    await using server = await tcpServer((socket: net.Socket) => {
      socket.on('data', (data) => {
        seen.push(data.toString('latin1'));
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
    await fingerprint('127.0.0.1', server.port, { scheme: 'http', path: '/x?y=1', host: 'example.test' });
    expect(seen.join('')).toMatch(/^GET \/x\?y=1 HTTP\/1\.1\r\nHost: example\.test:\d+\r\n/);
  });
});
