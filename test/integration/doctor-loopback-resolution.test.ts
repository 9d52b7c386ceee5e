import { describe, expect, it } from 'vitest';
import { findingOf, isRoot, quietPort, Situation } from '../helpers/doctor-ns.js';

/**
 * The loopback interface and the name "localhost", broken on purpose inside a namespace: its own
 * /etc/hosts (/etc/netns/NAME/hosts), lo down, IPv6 disabled on lo.
 */
describe.skipIf(!isRoot)('doctor: loopback and localhost resolution (needs root: ip netns add, sysctl in the namespace)', () => {
  it('a hosts file without localhost: localhost-resolution error naming the hosts file, exit 1 (never 2)', async () => {
    await using s = new Situation({ hosts: '127.0.0.1 myhost\n::1 ip6-localhost\n' });
    const port = quietPort();
    const run = s.doctor([`localhost:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'localhost-resolution', 'error');
    // The namespace has no DNS server it can reach, so glibc's lookup fails (EAI_AGAIN or ENOTFOUND).
    expect(f.title).toBe('"localhost" does not resolve');
    expect(f.evidence).toMatchObject({ host: 'localhost', hostsEntries: [] });
    expect(String((f.evidence.error as { code: string }).code)).toMatch(/^(EAI_AGAIN|ENOTFOUND|EAI_NONAME)$/);
    expect(f.fix).toContain("'127.0.0.1 localhost'");
    expect(f.fix).toContain('/etc/hosts');
    expect(run.report.probes).toEqual([]);
  });

  it('localhost → 10.9.9.9: localhost-resolution error quoting the hosts line', async () => {
    await using s = new Situation({ hosts: '# test\n10.9.9.9 localhost\n' });
    const port = quietPort();
    const run = s.doctor([`localhost:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'localhost-resolution', 'error');
    expect(f.title).toBe('"localhost" resolves to 10.9.9.9, which is not loopback');
    expect(f.detail).toContain('/etc/hosts line 2');
    expect(f.fix).toContain('Remove line 2 of /etc/hosts');
    expect(f.evidence).toMatchObject({ host: 'localhost', wrongEntries: [{ address: '10.9.9.9', line: 2, loopback: false }] });
    expect(run.report.probes).toMatchObject([{ address: '10.9.9.9', status: 'unreachable' }]);
  });

  it('localhost → ::1 only, server on 127.0.0.1 only: localhost-resolution says which family is missing', async () => {
    await using s = new Situation({ hosts: '::1 localhost ip6-localhost\n' });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1', port);
    const run = s.doctor([`localhost:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'localhost-resolution', 'error');
    expect(f.title).toBe('"localhost" resolves only to IPv6, but the server is IPv4-only');
    expect(f.evidence).toMatchObject({ listeners: ['127.0.0.1'] });
    expect(f.fix).toContain("'127.0.0.1 localhost'");
    // The address view says the same from the socket side, naming the holder.
    expect(findingOf(run.report, 'family-mismatch', 'error').detail).toContain(`pid ${server.pid}`);
  });

  it('lo down: loopback-down with the command that brings it up', async () => {
    await using s = new Situation({ loUp: false, hosts: '127.0.0.1 localhost\n::1 localhost\n' });
    const port = quietPort();
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'loopback-down', 'error');
    expect(f.title).toBe('The loopback interface lo is down');
    expect(f.fix).toBe('ip link set lo up');
    expect(f.evidence).toMatchObject({ up: false, has127001: false });
    // Reported first: it explains every other failure.
    expect(run.report.findings[0]?.code).toBe('loopback-down');
    expect(run.report.steps.find((x) => x.id === 'loopback-resolution')?.lines[0]).toMatch(/^lo is DOWN/);
  });

  it('IPv6 disabled on lo, target [::1]:P: loopback-down with the sysctl to undo it', async () => {
    await using s = new Situation({ hosts: '127.0.0.1 localhost\n::1 localhost\n' });
    s.exec(['sysctl', '-q', '-w', 'net.ipv6.conf.lo.disable_ipv6=1']);
    const port = quietPort();
    const run = s.doctor([`[::1]:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'loopback-down', 'error');
    expect(f.title).toBe('IPv6 is disabled on lo, so ::1 does not exist');
    expect(f.fix).toContain('sysctl -w net.ipv6.conf.lo.disable_ipv6=0');
    expect(f.evidence).toMatchObject({ up: true, ipv6Disabled: true, hasIpv6Loopback: false });
    expect(run.report.probes).toMatchObject([{ address: '::1', status: 'unreachable' }]);
  });
});
