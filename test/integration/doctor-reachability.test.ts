import { cpus, loadavg } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingOf, isRoot, problems, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS_BOTH = '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n';

/**
 * The client's view, each situation in a namespace of its own: a healthy server, nothing at all,
 * a server on another address, a server on the other family. The built CLI runs inside.
 */
describe.skipIf(!isRoot)('doctor: can a client reach it? (needs root: ip netns add)', () => {
  it('a healthy HTTP server on 127.0.0.1 and ::1: no error or warning, exit 0', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1,::1', port);
    for (const target of [`localhost:${port}`, `127.0.0.1:${port}`, `http://localhost:${port}/`]) {
      const run = s.doctor([target]);
      expect(problems(run.report), target).toEqual([]);
      expect(run.code).toBe(0);
      expect(run.report.ok).toBe(true);
      // Every attempt reached our server, and the doctor fingerprinted it as HTTP 200.
      expect(run.report.probes.length).toBeGreaterThan(0);
      for (const probe of run.report.probes) {
        expect(probe.status).toBe('open');
        expect(probe.fingerprint?.protocol).toBe('http');
      }
      expect(run.report.sockets.filter((x) => x.state === 'LISTEN').flatMap((x) => x.processes.map((p) => p.pid))).toContain(server.pid);
      expect(run.report.steps.find((x) => x.id === 'what-to-do')?.lines).toEqual(['Nothing: the port looks healthy.']);
    }
  });

  it('nothing listening: nothing-listening, exit 1, for a bare port and for host:port; refused fast', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    const bare = s.doctor([String(port)]);
    expect(bare.code).toBe(1);
    expect(bare.report.ok).toBe(false);
    const f = findingOf(bare.report, 'nothing-listening', 'error');
    expect(f.evidence).toMatchObject({ port, protocol: 'tcp', listeners: 0 });
    expect(f.title).toContain(String(port));
    // A bare port is also the server's question: the answer says the port is free to use.
    expect(f.detail).toContain('free if you want to start a server here');
    expect(f.fix).toContain(`port ${port}`);
    expect(bare.report.probes.map((p) => p.status)).toEqual(bare.report.probes.map(() => 'refused'));
    expect(bare.report.target.views).toEqual(['client', 'server']);

    const hostPort = s.doctor([`127.0.0.1:${port}`]);
    expect(hostPort.code).toBe(1);
    const g = findingOf(hostPort.report, 'nothing-listening', 'error');
    expect(g.detail).not.toContain('free if you want to start a server');
    expect(hostPort.report.probes).toMatchObject([{ address: '127.0.0.1', status: 'refused', error: 'ECONNREFUSED' }]);
  });

  it('a server on 127.0.0.2 only, client to 127.0.0.1: listening-other-address names the holder', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.2', port);
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'listening-other-address', 'error');
    expect(f.title).toBe('The server listens on 127.0.0.2, not on 127.0.0.1');
    expect(f.detail).toContain(`pid ${server.pid}`);
    expect(f.detail).toContain(`TCP 127.0.0.2:${port}`);
    expect(f.fix).toContain(`127.0.0.2:${port}`);
    expect(f.evidence).toMatchObject({ tried: ['127.0.0.1'], listeners: [{ address: '127.0.0.2', port, pids: [server.pid] }] });
    // Not also "nothing listens": something does, elsewhere.
    expect(run.report.findings.map((x) => x.code)).not.toContain('nothing-listening');
  });

  it('a server on ::1 only, client to 127.0.0.1: family-mismatch error', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    const server = await s.server('http', '::1', port);
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'family-mismatch', 'error');
    expect(f.evidence).toMatchObject({ serverFamily: 'ipv6', clientFamily: 'ipv4', tried: ['127.0.0.1'], listeners: [{ address: '::1', pids: [server.pid] }] });
    expect(f.title).toContain('IPv6-only');
    expect(f.detail).toContain(`pid ${server.pid}`);
    expect(f.fix).toContain(`[::1]:${port}`);
  });

  it('a server on 127.0.0.1 only, client to [::1]: family-mismatch error', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1', port);
    const run = s.doctor([`[::1]:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'family-mismatch', 'error');
    expect(f.evidence).toMatchObject({ serverFamily: 'ipv4', clientFamily: 'ipv6', tried: ['::1'] });
    expect(f.detail).toContain(`pid ${server.pid}`);
    expect(f.fix).toContain(`127.0.0.1:${port}`);
  });

  it('localhost → ::1 first, server on 127.0.0.1: a family-mismatch warning (clients that fall back work), exit 0', async () => {
    // Decision: localhost itself is fine here (it resolves, to loopback, both families), so this is
    // not localhost-resolution. The trap is the order: single-address clients hit ::1 and fail.
    await using s = new Situation({ hosts: '::1 localhost ip6-localhost\n127.0.0.1 localhost\n' });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1', port);
    const run = s.doctor([`localhost:${port}`]);
    expect(run.report.probes.map((p) => [p.address, p.status])).toEqual([
      ['::1', 'refused'],
      ['127.0.0.1', 'open'],
    ]);
    const f = findingOf(run.report, 'family-mismatch', 'warning');
    expect(f.evidence).toMatchObject({ first: '::1', working: '127.0.0.1' });
    expect(f.title).toBe('Clients try [::1] first, where nothing listens; 127.0.0.1 works');
    expect(f.fix).toContain(`127.0.0.1:${port}`);
    expect(run.report.findings.map((x) => x.code)).not.toContain('localhost-resolution');
    expect(run.report.sockets.flatMap((x) => x.processes.map((p) => p.pid))).toContain(server.pid);
    expect(run.code).toBe(0);
  });
});

/**
 * Speed (issue 3: a whole run on a healthy or refused target under 300 ms). The doctor's own
 * elapsedMs, best of five: the others include scheduling noise. On a machine busier than its core
 * count (a benchmark, or the suite's own heavy tests just before) the socket scan alone can take
 * longer, so the test first waits, bounded, for the load to settle; then it measures regardless
 * (CI fails on skipped tests, and a busy machine is no reason to pass).
 */
async function settle(maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  while (loadavg()[0]! > cpus().length && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 1000));
}

describe.skipIf(!isRoot)('doctor speed (needs root: ip netns add)', () => {
  beforeAll(async () => {
    await settle(60_000);
    console.log(`doctor speed: 1-min load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
  }, 90_000);

  it('a refused bare port: under 300 ms', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    const refused = [1, 2, 3, 4, 5].map(() => s.doctor([String(port)]).report.elapsedMs);
    console.log(`elapsedMs refused bare port: ${refused.join(', ')}`);
    expect(Math.min(...refused)).toBeLessThan(300);
  });

  // The fingerprint's banner wait used to dominate this (250 ms before the HTTP request); it is now
  // 120 ms for an unknown port and none for a client-speaks-first scheme.
  it('a healthy localhost:P: under 300 ms', async () => {
    await using s = new Situation({ hosts: HOSTS_BOTH });
    const port = quietPort();
    await s.server('http', '127.0.0.1,::1', port);
    const healthy = [1, 2, 3, 4, 5].map(() => s.doctor([`localhost:${port}`]).report.elapsedMs);
    console.log(`elapsedMs healthy localhost: ${healthy.join(', ')}`);
    expect(Math.min(...healthy)).toBeLessThan(300);
  });
});
