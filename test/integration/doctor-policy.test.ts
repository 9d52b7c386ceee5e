import { describe, expect, it } from 'vitest';
import { findingOf, isRoot, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';

/**
 * Traps of the port and the bind address that work today but bite later: a wildcard listener,
 * a port in the ephemeral range, a reserved port, a port browsers refuse. The port sysctls are
 * per network namespace, so each test sets them in its own.
 */
describe.skipIf(!isRoot)('doctor: port policy and exposure (needs root: ip netns add, sysctl in the namespace)', () => {
  it('a 0.0.0.0 listener: exposed-wildcard warning naming the holder, exit 0', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await s.server('http', '0.0.0.0', port);
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(0);
    const f = findingOf(run.report, 'exposed-wildcard', 'warning');
    expect(f.title).toBe(`Port ${port} is open to the network, not just this machine (0.0.0.0:${port})`);
    expect(f.detail).toContain(`node (pid ${server.pid}, user root) listens on 0.0.0.0`);
    expect(f.fix).toContain('127.0.0.1');
    expect(f.evidence).toMatchObject({ sockets: [{ address: '0.0.0.0', port, pids: [server.pid] }] });
  });

  it('a port inside the ephemeral range (set in the namespace): ephemeral-range warning quoting the range', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    s.exec(['sysctl', '-q', '-w', `net.ipv4.ip_local_port_range=${port - 100} ${port + 100}`]);
    const run = s.doctor(['doctor', '--bind', `127.0.0.1:${port}`]);
    expect(run.code).toBe(0);
    const f = findingOf(run.report, 'ephemeral-range', 'warning');
    expect(f.title).toBe(`Port ${port} is inside the ephemeral range ${port - 100}-${port + 100}`);
    expect(f.evidence).toMatchObject({ port, ephemeralRange: { from: port - 100, to: port + 100 } });
    expect(f.fix).toContain(`net.ipv4.ip_local_reserved_ports=${port}`);
    // And outside the range, no such warning.
    const outside = s.doctor(['doctor', '--bind', `127.0.0.1:${port + 200}`]);
    expect(outside.report.findings.map((x) => x.code)).not.toContain('ephemeral-range');
  });

  it('a reserved port (ip_local_reserved_ports in the namespace): reserved-port info', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    s.exec(['sysctl', '-q', '-w', `net.ipv4.ip_local_port_range=${port - 100} ${port + 100}`]);
    s.exec(['sysctl', '-q', '-w', `net.ipv4.ip_local_reserved_ports=${port - 1}-${port + 1}`]);
    const run = s.doctor(['doctor', '--bind', `127.0.0.1:${port}`]);
    const f = findingOf(run.report, 'reserved-port', 'info');
    expect(f.title).toBe(`Port ${port} is reserved by net.ipv4.ip_local_reserved_ports`);
    expect(f.evidence).toMatchObject({ port, reserved: { from: port - 1, to: port + 1 } });
    expect(run.code).toBe(0);
  });

  it('an HTTP server on 6000 (X11): browser-unsafe-port warning, exit 0', async () => {
    await using s = new Situation({ hosts: HOSTS });
    await s.server('http', '127.0.0.1', 6000);
    const run = s.doctor(['http://127.0.0.1:6000/']);
    expect(run.code).toBe(0);
    const f = findingOf(run.report, 'browser-unsafe-port', 'warning');
    expect(f.title).toBe('Browsers refuse to connect to port 6000');
    expect(f.detail).toContain('ERR_UNSAFE_PORT');
    expect(f.evidence).toMatchObject({ port: 6000 });
    expect(run.report.probes[0]?.fingerprint?.protocol).toBe('http');
  });
});
