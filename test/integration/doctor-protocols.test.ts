import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codes, findingOf, isRoot, makeCert, problems, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';

/** What answers once connected: the wrong transport, the wrong protocol, a failing app, real servers. */
describe.skipIf(!isRoot)('doctor: protocols and fingerprints (needs root: ip netns add)', () => {
  it('a UDP-only server, TCP target: protocol-mismatch names the holder and suggests --udp', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await s.server('udp', '127.0.0.1', port);
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'protocol-mismatch', 'error');
    expect(f.title).toBe(`Port ${port} is open for UDP, not TCP`);
    expect(f.detail).toContain(`UDP 127.0.0.1:${port} is bound by node (pid ${server.pid}`);
    expect(f.fix).toContain(`portdoctor doctor ${port} --udp`);
    expect(f.evidence).toMatchObject({ asked: 'tcp', sockets: [{ protocol: 'udp', pids: [server.pid] }] });
    // The UDP listener explains the refusal: "start the server" would be the wrong advice.
    expect(codes(run.report)).not.toContain('nothing-listening');
  });

  it('https:// against a plain HTTP server: wrong-protocol, fix says http://', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '127.0.0.1', port);
    const run = s.doctor([`https://127.0.0.1:${port}/health`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'wrong-protocol', 'error');
    expect(f.title).toBe(`127.0.0.1:${port} speaks http, not tls`);
    expect(f.fix).toContain(`http://127.0.0.1:${port}/health`);
    expect(f.evidence).toMatchObject({ address: '127.0.0.1', status: 'open' });
  });

  it('http:// against a TLS server (self-signed cert made now): wrong-protocol, fix says https://', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const { cert, key } = makeCert(s.tempDir());
    const port = quietPort();
    await s.server('tls', '127.0.0.1', port, [cert, key]);
    const run = s.doctor([`http://127.0.0.1:${port}/`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'wrong-protocol', 'error');
    expect(f.title).toBe(`127.0.0.1:${port} speaks tls, not http`);
    expect(f.fix).toContain(`https://127.0.0.1:${port}/`);
    // And https:// to the same server is healthy: the certificate is not the doctor's business.
    const right = s.doctor([`https://127.0.0.1:${port}/`]);
    expect(problems(right.report)).toEqual([]);
    expect(right.report.probes[0]?.fingerprint?.protocol).toBe('tls');
  });

  it('an HTTP 500 server: app-error quoting the status and the Server header', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '127.0.0.1', port, ['500']);
    const run = s.doctor([`http://127.0.0.1:${port}/`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'app-error', 'error');
    expect(f.title).toBe(`127.0.0.1:${port} answers HTTP 500 Internal Server Error`);
    expect(f.detail).toContain('Server: pd-test');
    expect(f.fix).toContain('logs');
    expect(f.evidence).toMatchObject({ address: '127.0.0.1', status: 'open', fingerprint: { protocol: 'http', detail: { httpStatus: 500 } } });
  });

  it('a server that resets every connection after accept: app-error (reset)', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('reset', '127.0.0.1', port);
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ status: 'reset' }]);
    const f = findingOf(run.report, 'app-error', 'error');
    expect(f.title).toBe(`127.0.0.1:${port} accepts connections, then resets them`);
    expect(f.evidence).toMatchObject({ status: 'reset' });
  });

  it('real nginx: the report names nginx and fingerprints HTTP (Server: nginx), no errors', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const dir = s.tempDir();
    const port = quietPort();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `pid ${dir}/nginx.pid; error_log ${dir}/error.log; worker_processes 1;
events { worker_connections 64; }
http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port}; listen [::1]:${port}; location / { return 200 "ok\\n"; } } }
`,
    );
    const nginx = await s.program(['nginx', '-c', conf, '-p', dir, '-g', 'daemon off;'], port);
    const run = s.doctor([`localhost:${port}`]);
    expect(run.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(run.code).toBe(0);
    const names = run.report.sockets.filter((x) => x.state === 'LISTEN').flatMap((x) => x.processes.map((p) => p.name));
    expect(names).toContain('nginx');
    expect(run.report.sockets.flatMap((x) => x.processes.map((p) => p.pid))).toContain(nginx.pid);
    expect(run.report.probes[0]?.fingerprint).toMatchObject({ protocol: 'http', detail: { httpStatus: 200 } });
    expect(String(run.report.probes[0]?.fingerprint?.detail.server)).toMatch(/^nginx/);
    expect(run.report.steps.find((x) => x.id === 'identify-application')?.lines.join('\n')).toContain('nginx (pid');
  });

  it('real redis-server on 6379: named, fingerprinted as redis (PING), no errors; on another port bare, no errors either', async () => {
    await using s = new Situation({ hosts: HOSTS });
    // 6379 inside our own namespace: the fingerprint guesses redis from the port and sends PING.
    const redis = await s.program(['redis-server', '--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', s.tempDir()], 6379);
    const run = s.doctor(['127.0.0.1:6379']);
    expect(run.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.report.sockets.filter((x) => x.state === 'LISTEN').flatMap((x) => x.processes.map((p) => [p.pid, p.name]))).toContainEqual([redis.pid, 'redis-server']);
    expect(run.report.probes[0]?.fingerprint?.protocol).toBe('redis');
    // On an unusual port without a scheme the doctor guesses HTTP first, and redis hangs up on it
    // (it takes HTTP for an attack). That is not the app failing: no app-error. redis:// says PING.
    const port = quietPort();
    await s.program(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', s.tempDir()], port);
    const bare = s.doctor([`127.0.0.1:${port}`]);
    expect(bare.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const url = s.doctor([`redis://127.0.0.1:${port}`]);
    expect(url.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(url.report.probes[0]?.fingerprint?.protocol).toBe('redis');
  });

  it('real memcached on 11211: named, fingerprinted as memcached (version), no errors', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const memcached = await s.program(['memcached', '-p', '11211', '-U', '0', '-l', '127.0.0.1', '-u', 'nobody'], 11211);
    const run = s.doctor(['127.0.0.1:11211']);
    expect(run.report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.report.sockets.flatMap((x) => x.processes.map((p) => [p.pid, p.name]))).toContainEqual([memcached.pid, 'memcached']);
    expect(run.report.probes[0]?.fingerprint?.protocol).toBe('memcached');
  });
});
