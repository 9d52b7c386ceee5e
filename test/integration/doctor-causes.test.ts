import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { absent, HOST_CHECK_SERVER, link, localAddress, mariadbDatadir, postgresCluster, tinyproxyConfig } from '../helpers/causes-ns.js';
import { codes, findingOf, isRoot, problems, quietPort, Situation } from '../helpers/doctor-ns.js';
import { findProgram } from '../helpers/services.js';
import { waitUntil } from '../helpers/wait-until.js';

/**
 * Issue 14: each cause built for real in a namespace of its own, and the doctor naming it with
 * its evidence and one action, instead of (or above) the generic finding.
 */
const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';
/** localhost → ::1 first, as glibc answers from this file. */
const HOSTS_V6_FIRST = '::1 localhost\n127.0.0.1 localhost\n';

const noTinyproxy = absent('tinyproxy', 'tinyproxy');
const noRedis = absent('redis-server', 'redis-server');
const noPostgres = absent('initdb', 'postgresql');
const noMariadb = absent('mariadb-install-db', 'mariadb-server');
const noActivate = absent('systemd-socket-activate', 'systemd');

/** curl inside the namespace with an environment: the status code it gets (000 when it could not connect). */
function curlStatus(s: Situation, url: string, env: Record<string, string>): string {
  const r = spawnSync('ip', ['netns', 'exec', s.name, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', url], { encoding: 'utf8', timeout: 15_000 });
  return r.stdout;
}

const fdCount = (pid: number): number => {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
};

/** A server that never closes what it accepts (a leak), logs EMFILE to LOG as stderr, and keeps going. */
const leakyServer = (port: number, log: string): string => `
import errno, json, os, socket, sys, time
log = open(${JSON.stringify(log)}, "a", buffering=1); os.dup2(log.fileno(), 2)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", ${port})); l.listen(128)
print(json.dumps({"pid": os.getpid(), "port": ${port}}), flush=True)
held = []
end = time.time() + 120
while time.time() < end:
    try:
        c, _ = l.accept(); held.append(c)
    except OSError as e:
        if e.errno != errno.EMFILE: raise
        sys.stderr.write("accept EMFILE: [Errno 24] Too many open files\\n"); time.sleep(0.2)
`;

/** Opens COUNT connections to 127.0.0.1:PORT and holds them. */
const holdingClient = (port: number, count: number): string => `
import json, os, socket, time
held = []
for i in range(${count}):
    c = socket.create_connection(("127.0.0.1", ${port}), timeout=2); held.append(c)
print(json.dumps({"pid": os.getpid(), "port": ${port}, "held": len(held)}), flush=True)
time.sleep(120)
`;

/** A server on 127.0.0.1:PORT that accepts and holds everything. */
const acceptingServer = (port: number): string => `
import json, os, socket, threading, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", ${port})); l.listen(256)
held = []
def run():
    while True:
        c, _ = l.accept(); held.append(c)
threading.Thread(target=run, daemon=True).start()
print(json.dumps({"pid": os.getpid(), "port": ${port}}), flush=True)
time.sleep(120)
`;

/** A listener with SO_REUSEPORT on 127.0.0.1:PORT; NAME makes each program's command line its own. */
const reusePortServer = (port: number, name: string): string => `
import json, os, socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
l.bind(("127.0.0.1", ${port})); l.listen(16)
print(json.dumps({"pid": os.getpid(), "port": ${port}, "name": ${JSON.stringify(name)}}), flush=True)
time.sleep(120)
`;

describe.skipIf(!isRoot)('doctor: the causes of issue 14, each built for real (needs root: ip netns add)', () => {
  describe.skipIf(noTinyproxy !== null)(`1. a proxy catches localhost${noTinyproxy === null ? '' : ` (skipped: ${noTinyproxy})`}`, () => {
    it('tinyproxy on another namespace, http_proxy set, NO_PROXY=localhost:P (curl ignores the port): proxy-intercepts with the proxy’s error page; the fix makes curl go direct', async () => {
      await using s = new Situation({ hosts: HOSTS });
      await using proxyHost = new Situation({ hosts: HOSTS });
      const { b: proxyAddress } = link(s, proxyHost);
      const port = quietPort();
      await s.server('http', '127.0.0.1', port);
      await proxyHost.program(['tinyproxy', '-d', '-c', tinyproxyConfig(proxyHost.tempDir(), proxyAddress, 8888, '10.213.0.0/16')], 8888, proxyAddress);
      const env = { http_proxy: `http://${proxyAddress}:8888`, NO_PROXY: `localhost:${port}` };
      // What the issue is about, seen with the real client: curl gets the proxy's 500, not the server's 200.
      expect(curlStatus(s, `http://localhost:${port}/`, env)).toBe('500');
      expect(curlStatus(s, `http://localhost:${port}/`, {})).toBe('200');

      const run = s.doctor([`http://localhost:${port}/`], { env });
      expect(run.code).toBe(1);
      const f = findingOf(run.report, 'proxy-intercepts', 'error');
      expect(f.title).toBe(`curl sends requests for http://localhost:${port} to the proxy http://${proxyAddress}:8888 (http_proxy)`);
      expect(f.detail).toContain('(curl ignores entries with a port)');
      expect(f.detail).toContain(`the proxy at ${proxyAddress}:8888 answered 500 Unable to connect, Server: tinyproxy/`);
      expect(f.detail).toContain('Go (net/http): direct (Go never proxies localhost or a loopback address)');
      const value = `localhost:${port},localhost`;
      expect(f.fix).toBe(`export no_proxy='${value}' NO_PROXY='${value}' (in the shell the client runs from, or its ~/.bashrc / ~/.profile)`);
      expect(f.evidence).toMatchObject({ noProxy: value, confirmations: [{ outcome: 'error-page', status: 500, server: expect.stringMatching(/^tinyproxy\//) }] });
      expect(run.report.steps.find((x) => x.id === 'what-to-do')?.lines[0]).toBe(f.fix);

      // The one action, applied: curl reaches the server, and the doctor has nothing to say about proxies.
      const fixed = { ...env, no_proxy: value, NO_PROXY: value };
      expect(curlStatus(s, `http://localhost:${port}/`, fixed)).toBe('200');
      const after = s.doctor([`http://localhost:${port}/`], { env: fixed });
      expect(codes(after.report)).not.toContain('proxy-intercepts');
      expect(after.code).toBe(0);
    });

    it('--pid reads another process’s environment: the client (not this shell) has HTTPS_PROXY=ALL of it, nothing answers there', async () => {
      await using s = new Situation({ hosts: HOSTS });
      const port = quietPort();
      const dead = quietPort();
      await s.server('http', '127.0.0.1', port);
      const client = await s.start(['env', `HTTPS_PROXY=http://127.0.0.1:${dead}`, `ALL_PROXY=http://127.0.0.1:${dead}`, 'python3', '-c', 'import json,os,time; print(json.dumps({"pid": os.getpid(), "port": 0}), flush=True); time.sleep(120)']);
      const run = s.doctor([`http://127.0.0.1:${port}/`, '--pid', String(client.pid)]);
      const f = findingOf(run.report, 'proxy-intercepts', 'error');
      expect(f.title).toBe(`curl and axios send requests for http://127.0.0.1:${port} to the proxy http://127.0.0.1:${dead} (ALL_PROXY)`);
      expect(f.detail).toContain(`The environment of process ${client.pid} (python3) sets a proxy`);
      expect(f.detail).toContain(`Nothing answers at the proxy's address 127.0.0.1:${dead} (ECONNREFUSED)`);
      expect(f.fix).toBe(`Restart python3 (pid ${client.pid}) with no_proxy='127.0.0.1' NO_PROXY='127.0.0.1' in its environment (its unit's Environment=, its container's -e, or the shell that starts it).`);
      expect(f.evidence).toMatchObject({ source: { kind: 'process', pid: client.pid, name: 'python3' } });
      // Our own environment has no proxy: without --pid there is nothing to say.
      expect(codes(s.doctor([`http://127.0.0.1:${port}/`]).report)).not.toContain('proxy-intercepts');
    });

    it('a proxy that forwards (tinyproxy in the same namespace): confirmed by its Via header, a warning', async () => {
      await using s = new Situation({ hosts: HOSTS });
      const port = quietPort();
      const proxyPort = quietPort();
      await s.server('http', '127.0.0.1', port);
      await s.program(['tinyproxy', '-d', '-c', tinyproxyConfig(s.tempDir(), '127.0.0.1', proxyPort, '127.0.0.1')], proxyPort);
      const run = s.doctor([`http://localhost:${port}/`], { env: { http_proxy: `http://127.0.0.1:${proxyPort}` } });
      const f = findingOf(run.report, 'proxy-intercepts', 'warning');
      expect(f.detail).toMatch(/answered 200 OK, Via: 1\.1 \S+ \(tinyproxy\/[\d.]+\)/);
      expect(run.code).toBe(0);
    });
  });

  it('2. two programs on one port: node on 127.0.0.1, python3 on ::1 — for each address localhost gives, in order, which one answers', async () => {
    await using s = new Situation({ hosts: HOSTS_V6_FIRST });
    const port = quietPort();
    const node = await s.server('http', '127.0.0.1', port);
    const python = await s.python(`
import http.server, json, os, socket, threading
class V6(http.server.HTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); super().server_bind()
srv = V6(("::1", ${port}), http.server.SimpleHTTPRequestHandler)
print(json.dumps({"pid": os.getpid(), "port": ${port}}), flush=True)
srv.serve_forever()
`);
    const run = s.doctor([String(port)]);
    const f = findingOf(run.report, 'port-shared', 'warning');
    expect(f.title).toBe(`2 programs listen on port ${port}: which one answers depends on the address`);
    expect(f.detail).toContain(`For the addresses a client tries, in its order: [::1] → python3 (pid ${python.pid}, user root); 127.0.0.1 → node (pid ${node.pid}, user root)`);
    expect(f.evidence).toMatchObject({ routes: [{ address: '::1', pids: [python.pid] }, { address: '127.0.0.1', pids: [node.pid] }] });
    expect(f.fix).toContain('Stop the program that should not be on port');
  });

  it('2b. SO_REUSEPORT by two programs on the same address: the kernel spreads connections between them', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    // Two programs, not two workers of one: each under its own shell (a sibling of the same name and parent would count as one program).
    const viaShell = (script: string): Promise<{ pid: number }> => s.start(['sh', '-c', 'python3 -c "$0"; true', script]);
    const first = await viaShell(reusePortServer(port, 'first'));
    const second = await viaShell(reusePortServer(port, 'second'));
    const run = s.doctor([`127.0.0.1:${port}`]);
    const f = findingOf(run.report, 'port-shared', 'warning');
    expect(f.detail).toContain('127.0.0.1 → shared (SO_REUSEPORT) by python3');
    expect(f.evidence).toMatchObject({ routes: [{ address: '127.0.0.1', pids: expect.arrayContaining([first.pid, second.pid]) }] });
  });

  describe('3. the server rejects the Host name', () => {
    it("Vite's allow-list: http://myapp.test:P/ (→ 127.0.0.1 in the hosts file) gets 403, 127.0.0.1 gets 200: host-rejected names server.allowedHosts", async () => {
      await using s = new Situation({ hosts: `${HOSTS}127.0.0.1 myapp.test\n` });
      const port = quietPort();
      await s.start([process.execPath, HOST_CHECK_SERVER, 'vite', '127.0.0.1', String(port)]);
      const run = s.doctor([`http://myapp.test:${port}/`]);
      expect(run.code).toBe(1);
      const f = findingOf(run.report, 'host-rejected', 'error');
      expect(f.title).toBe("The server rejects the Host name myapp.test (403: Vite's server.allowedHosts)");
      expect(f.detail).toContain(`with Host: 127.0.0.1:${port} it answers 200`);
      expect(f.fix).toBe("Add 'myapp.test' to server.allowedHosts in vite.config.js (server: { allowedHosts: ['myapp.test'] }), then restart the dev server.");
    });

    it('webpack-dev-server’s "Invalid Host header" (403): devServer.allowedHosts', async () => {
      await using s = new Situation({ hosts: `${HOSTS}127.0.0.1 myapp.test\n` });
      const port = quietPort();
      await s.start([process.execPath, HOST_CHECK_SERVER, 'webpack', '127.0.0.1', String(port)]);
      const f = findingOf(s.doctor([`http://myapp.test:${port}/`]).report, 'host-rejected', 'error');
      expect(f.evidence).toMatchObject({ framework: 'webpack-dev-server', setting: 'devServer.allowedHosts', rejected: ['myapp.test'] });
      expect(f.detail).toContain('"Invalid Host header"');
    });

    it("Django's ALLOWED_HOSTS = ['localhost']: 127.0.0.1 gets 400 DisallowedHost while localhost works", async () => {
      await using s = new Situation({ hosts: HOSTS });
      const port = quietPort();
      await s.start([process.execPath, HOST_CHECK_SERVER, 'django', '127.0.0.1', String(port), 'localhost']);
      const run = s.doctor([`http://127.0.0.1:${port}/`]);
      const f = findingOf(run.report, 'host-rejected', 'error');
      expect(f.title).toBe("The server rejects the Host name 127.0.0.1 (400: Django's ALLOWED_HOSTS)");
      expect(f.fix).toContain("Add '127.0.0.1' to ALLOWED_HOSTS in settings.py");
      // The same server asked as localhost: the user's name works, the other one is rejected: a warning.
      const asLocalhost = s.doctor([`http://localhost:${port}/`]);
      expect(findingOf(asLocalhost.report, 'host-rejected', 'warning').title).toContain('127.0.0.1');
    });
  });

  describe('4. the server rejects the client', () => {
    it.skipIf(noRedis !== null)(`Redis in protected mode, reached at a non-loopback address of this machine: client-rejected names protected-mode and the address it saw${noRedis === null ? '' : ` (skipped: ${noRedis})`}`, async () => {
      await using s = new Situation({ hosts: HOSTS });
      const address = localAddress(s);
      const port = quietPort();
      await s.program([findProgram('redis-server')!, '--port', String(port), '--bind', '*', '--save', '', '--appendonly', 'no', '--dir', s.tempDir()], port);
      const run = s.doctor([`redis://${address}:${port}`]);
      expect(run.code).toBe(1);
      const f = findingOf(run.report, 'client-rejected', 'error');
      expect(f.title).toBe(`Redis at ${address}:${port} refuses connections from ${address} (protected-mode (redis.conf), with no password set)`);
      expect(f.fix).toBe(`Connect to 127.0.0.1:${port} instead of ${address}:${port}: protected mode only lets loopback clients in (to serve others, set a password with 'requirepass' in redis.conf).`);
      expect(f.evidence).toMatchObject({ clientAddress: address, kind: 'protected-mode', message: expect.stringContaining('DENIED Redis is running in protected mode') });
      // Through loopback, protected mode lets the probe in: nothing to say.
      expect(codes(s.doctor([`redis://127.0.0.1:${port}`]).report)).not.toContain('client-rejected');
    });

    it.skipIf(noPostgres !== null)(`PostgreSQL whose pg_hba.conf has no line for 127.0.0.1: client-rejected quotes the server and the line to add${noPostgres === null ? '' : ` (skipped: ${noPostgres})`}`, async () => {
      await using s = new Situation({ hosts: HOSTS });
      const port = quietPort();
      const dir = s.tempDir();
      await s.program(postgresCluster(dir, port, ['local all all trust', 'host all all 10.0.0.0/8 trust']), port);
      const run = s.doctor([`postgres://127.0.0.1:${port}`]);
      const f = findingOf(run.report, 'client-rejected', 'warning');
      expect(f.title).toBe(`PostgreSQL at 127.0.0.1:${port} refuses connections from 127.0.0.1 (pg_hba.conf (and listen_addresses))`);
      expect(f.evidence).toMatchObject({ clientAddress: '127.0.0.1', message: expect.stringMatching(/^no pg_hba\.conf entry for host "127\.0\.0\.1", user "portdoctor-probe", database "portdoctor-probe"/) });
      expect(f.fix).toBe("Add 'host all all 127.0.0.1/32 scram-sha-256' to pg_hba.conf (narrow \"all all\" to your database and user), then reload: 'SELECT pg_reload_conf();'.");
    }, 60_000);

    it.skipIf(noMariadb !== null)(`MariaDB with skip-name-resolve and only root@localhost: error 1130, client-rejected names the grant and 127.0.0.1${noMariadb === null ? '' : ` (skipped: ${noMariadb})`}`, async () => {
      await using s = new Situation({ hosts: HOSTS });
      const port = quietPort();
      await s.program(mariadbDatadir(s.tempDir(), port), port);
      const run = s.doctor([`mysql://127.0.0.1:${port}`]);
      expect(run.code).toBe(1);
      const f = findingOf(run.report, 'client-rejected', 'error');
      expect(f.title).toBe(`MariaDB at 127.0.0.1:${port} refuses connections from 127.0.0.1 (the account grants (user@host), and bind-address)`);
      expect(f.detail).toContain("error 1130 \"Host '127.0.0.1' is not allowed to connect to this MariaDB server\"");
      expect(f.fix).toBe("Create the account for that host and grant it: CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY '…'; GRANT ALL ON appdb.* TO 'app'@'127.0.0.1';");
    }, 120_000);
  });

  it('5. a server out of file descriptors (prlimit --nofile=32, a leak): fd-limit with the limit, the count and the EMFILE log line; app-error becomes context', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const log = join(s.tempDir(), 'server.log');
    const server = await s.start(['prlimit', '--nofile=32:32', 'python3', '-c', leakyServer(port, log)]);
    await s.python(holdingClient(port, 40));
    await waitUntil(() => fdCount(server.pid) >= 32 && readFileSync(log, 'utf8').includes('EMFILE'), 'the server at its descriptor limit, saying EMFILE', 10_000);
    const run = s.doctor([`http://127.0.0.1:${port}/`, '--timeout', '500ms']);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'fd-limit', 'error');
    // Descriptors inherited above the limit count too: at EMFILE the count is the limit or more.
    expect(f.title).toMatch(new RegExp(`^python3 \\(pid ${server.pid}\\) has 3\\d of 32 file descriptors open: it cannot accept more connections$`));
    expect(f.detail).toContain('accept EMFILE: [Errno 24] Too many open files');
    expect(f.fix).toBe(`Start python3 from a shell with a higher limit: 'ulimit -n 65536' (the hard limit is 32: raise it as root, or in /etc/security/limits.conf), then restart it (pid ${server.pid} may open only 32).`);
    expect(f.evidence).toMatchObject({ pid: server.pid, softLimit: 32, hardLimit: 32 });
    expect(f.evidence.open).toBeGreaterThanOrEqual(32);
    // The generic reading of the same facts stays as context, explained.
    const generic = run.report.findings.find((x) => x.code === 'app-error');
    expect(generic).toMatchObject({ severity: 'info', evidence: { explainedBy: 'fd-limit' } });
    expect(run.report.findings[0]?.code).toBe('fd-limit');
    // The EMFILE log lines are fd-limit's evidence, not a second thing to do: one action.
    expect(run.report.findings.find((x) => x.code === 'log-errors')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'fd-limit' } });
    expect(run.report.steps.find((x) => x.id === 'what-to-do')?.lines).toEqual([f.fix]);
  });

  it('6. the client ran out of ports (ip_local_port_range narrowed to 10, 10 connections held): EADDRNOTAVAIL, ephemeral-exhausted with how many of how many', async () => {
    await using s = new Situation({ hosts: HOSTS });
    s.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=40000 40009']);
    const port = quietPort();
    await s.python(acceptingServer(port));
    await s.python(holdingClient(port, 10));
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ address: '127.0.0.1', status: 'unreachable', error: 'EADDRNOTAVAIL' }]);
    const f = findingOf(run.report, 'ephemeral-exhausted', 'error');
    expect(f.title).toBe(`10 connections to 127.0.0.1:${port} take 100% of the 10 client ports (40000-40009)`);
    expect(f.evidence).toMatchObject({ connections: 10, byState: { ESTAB: 10 }, rangeSize: 10, connectFailed: true, pressure: 'narrow-range' });
    expect(f.fix).toBe(`Widen the client port range (now 40000-40009, 10 ports): 'sysctl -w net.ipv4.ip_local_port_range="32768 60999"' (and in /etc/sysctl.d/ to keep it).`);
    expect(problems(run.report)).toEqual(['ephemeral-exhausted/error']);
  });

  it('7. a client pointed at 0.0.0.0:P (the server on 127.0.0.1): wildcard-target warns and says what to type; the literal address comparison is context', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '127.0.0.1', port);
    const run = s.doctor([`http://0.0.0.0:${port}/`]);
    const f = findingOf(run.report, 'wildcard-target', 'warning');
    expect(f.fix).toBe(`Use http://127.0.0.1:${port} (or http://localhost:${port}) instead of http://0.0.0.0:${port}; keep 0.0.0.0 in the server's bind setting only.`);
    expect(run.report.probes).toMatchObject([{ address: '0.0.0.0', status: 'open' }]);
    expect(run.report.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(run.code).toBe(0);
  });

  it.skipIf(noActivate !== null)(`8. a port held by systemd-socket-activate as pid 1 of its pid namespace: socket-activation, and port-in-use's "kill" is only context${noActivate === null ? '' : ` (skipped: ${noActivate})`}`, async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    // unshare: a pid namespace with its own /proc, where the activator is pid 1 (pid-1-like supervision).
    const activator = await s.start(['unshare', '--pid', '--fork', '--mount-proc', 'sh', '-c', `printf '{"port": ${port}}\\n'; exec systemd-socket-activate -l 127.0.0.1:${port} -a --inetd /bin/cat`]);
    await waitUntil(() => spawnSync('ip', ['netns', 'exec', s.name, 'python3', '-c', `import socket; socket.create_connection(("127.0.0.1", ${port}), timeout=0.3).close()`]).status === 0, 'the activator listening', 10_000);
    // Inside its pid namespace (nsenter into the activator's namespaces), the holder is pid 1.
    const inner = spawnSync('pgrep', ['-P', String(activator.child.pid), '-x', 'systemd-socket-'], { encoding: 'utf8' }).stdout.trim() || spawnSync('pgrep', ['-f', `systemd-socket-activate -l 127.0.0.1:${port}`], { encoding: 'utf8' }).stdout.trim().split('\n')[0]!;
    const cli = join(import.meta.dirname, '../../dist/cli/portdoctor.cjs');
    const r = spawnSync('nsenter', ['-t', inner, '-p', '-m', '-n', process.execPath, cli, 'doctor', '--bind', `127.0.0.1:${port}`, '--json', '--no-config'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
    const report = JSON.parse(r.stdout) as { findings: { code: string; severity: string; title: string; fix: string; evidence: Record<string, unknown> }[] };
    const f = report.findings.find((x) => x.code === 'socket-activation');
    expect(f, JSON.stringify(report.findings.map((x) => [x.code, x.severity]))).toMatchObject({ severity: 'error', title: `Port ${port} is held by the socket activator systemd-socket- (pid 1)`, fix: "Stop the activator itself: 'kill 1' (systemd-socket-)." });
    expect(f?.evidence).toMatchObject({ holder: { kind: 'activator', pid: 1, command: `systemd-socket-activate -l 127.0.0.1:${port} -a --inetd /bin/cat` } });
    expect(report.findings.find((x) => x.code === 'port-in-use')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'socket-activation' } });
  });

  describe('8b. the privileged-port finding reads net.ipv4.ip_unprivileged_port_start of the namespace (rootless containers set it)', () => {
    it('set to 80: --bind 80 as uid 65534 succeeds, no privileged-port; --bind 79 is privileged "below 80"', async () => {
      await using s = new Situation({ hosts: HOSTS });
      s.exec(['sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=80']);
      const at80 = s.doctor(['doctor', '--bind', '127.0.0.1:80'], { nobody: true });
      expect(codes(at80.report)).not.toContain('privileged-port');
      expect(at80.code).toBe(0);
      const at79 = s.doctor(['doctor', '--bind', '127.0.0.1:79'], { nobody: true });
      const f = findingOf(at79.report, 'privileged-port', 'error');
      expect(f.title).toBe('Port 79 is privileged here (below 80)');
      expect(f.evidence).toMatchObject({ unprivilegedPortStart: 80, trialBindDenied: true });
    });
  });

  describe('9. IPv6 switched off on lo while localhost resolves to ::1 first', () => {
    it('a bare port (server on 127.0.0.1), hosts file ::1 first: ipv6-disabled with the sysctl instead of a bare address-not-available error; glibc sorts the unusable ::1 last', async () => {
      await using s = new Situation({ hosts: HOSTS_V6_FIRST });
      s.exec(['sysctl', '-q', '-w', 'net.ipv6.conf.lo.disable_ipv6=1']);
      const port = quietPort();
      await s.server('http', '127.0.0.1', port);
      const run = s.doctor([String(port)]);
      const f = findingOf(run.report, 'ipv6-disabled', 'warning');
      expect(f.title).toBe(`IPv6 is switched off (net.ipv6.conf.lo.disable_ipv6 = 1): [::1]:${port} (EADDRNOTAVAIL) cannot be bound`);
      expect(f.detail).toContain(`A trial bind of [::1]:${port} (EADDRNOTAVAIL) failed for that reason`);
      // RFC 6724 rule 1 (avoid unusable destinations): getaddrinfo answers 127.0.0.1 first although the file says ::1 first.
      expect(f.detail).toContain('"localhost" resolves to 127.0.0.1 first here');
      expect(f.fix).toBe('sysctl -w net.ipv6.conf.lo.disable_ipv6=0 (and remove the setting from /etc/sysctl.conf or /etc/sysctl.d/)');
      expect(run.report.findings.find((x) => x.code === 'address-not-available')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'ipv6-disabled', address: '::1' } });
      expect(problems(run.report)).toEqual(['ipv6-disabled/warning']);
      expect(run.code).toBe(0);
      // The one action, applied: ::1 is back, the finding gone.
      s.exec(['sysctl', '-q', '-w', 'net.ipv6.conf.lo.disable_ipv6=0']);
      await waitUntil(() => s.exec(['ip', '-6', 'addr', 'show', 'dev', 'lo']).includes('::1/128'), '::1 back on lo');
      expect(codes(s.doctor([String(port)]).report)).not.toContain('ipv6-disabled');
    });

    it('localhost → ::1 only in the hosts file, IPv6 off: "localhost" resolves to ::1 first, a server told to listen on localhost cannot', async () => {
      await using s = new Situation({ hosts: '::1 localhost\n' });
      s.exec(['sysctl', '-q', '-w', 'net.ipv6.conf.lo.disable_ipv6=1']);
      const port = quietPort();
      const run = s.doctor(['doctor', '--bind', `localhost:${port}`]);
      expect(run.code).toBe(1);
      const f = findingOf(run.report, 'ipv6-disabled', 'error');
      expect(f.title).toBe('IPv6 is switched off (net.ipv6.conf.lo.disable_ipv6 = 1), yet "localhost" resolves to ::1 first');
      expect(f.detail).toContain('a server told to listen on "localhost" takes ::1 and fails with EADDRNOTAVAIL');
      expect(run.report.findings.find((x) => x.code === 'address-not-available')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'ipv6-disabled' } });
    });

    it('--bind [::1]:P with IPv6 off on every interface (all): the setting is net.ipv6.conf.all', async () => {
      await using s = new Situation({ hosts: HOSTS_V6_FIRST });
      s.exec(['sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']);
      const port = quietPort();
      const run = s.doctor(['doctor', '--bind', `[::1]:${port}`]);
      const f = findingOf(run.report, 'ipv6-disabled', 'error');
      expect(f.title).toBe(`IPv6 is switched off (net.ipv6.conf.all.disable_ipv6 = 1): [::1]:${port} (EADDRNOTAVAIL) cannot be bound`);
      expect(f.fix).toContain('sysctl -w net.ipv6.conf.all.disable_ipv6=0');
    });
  });
});
