import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codes, findingOf, isRoot, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';

/**
 * Firewall rules inside the namespace (iptables and nft rules there touch nothing else; deleting
 * the namespace deletes them), and the doctor run as an unprivileged user, who cannot read them.
 */
describe.skipIf(!isRoot)('doctor: firewall rules (needs root: ip netns add, iptables/nft in the namespace)', () => {
  it('iptables DROP on lo: probe timeout, firewall-blocks quoting the rule, run time ≈ --timeout', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1', port);
    // The same target before the rule: same socket scan (the owner lookup dominates), no wait.
    const baseline = Math.min(...[1, 2].map(() => s.doctor([`127.0.0.1:${port}`, '--timeout', '500ms']).report.elapsedMs));
    s.exec(['iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', String(port), '-j', 'DROP']);
    const run = s.doctor([`127.0.0.1:${port}`, '--timeout', '500ms']);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ address: '127.0.0.1', status: 'timeout', latencyMs: null }]);
    const f = findingOf(run.report, 'firewall-blocks', 'error');
    const rule = `-A INPUT -i lo -p tcp -m tcp --dport ${port} -j DROP`;
    expect(f.evidence).toMatchObject({ address: '127.0.0.1', family: 'ipv4', protocol: 'tcp', port, probe: 'timeout', rule: { verdict: 'drop', chain: 'INPUT', rule } });
    expect(f.title).toBe(`The firewall drops TCP to 127.0.0.1:${port}`);
    expect(f.detail).toContain(rule);
    expect(f.fix).toContain(`-D INPUT -i lo -p tcp -m tcp --dport ${port} -j DROP`);
    // The server itself is fine and is named: the firewall, not the app, is the problem.
    expect(run.report.sockets.flatMap((x) => x.processes.map((p) => p.pid))).toContain(server.pid);
    expect(codes(run.report)).not.toContain('not-accepting');
    // A DROP costs the probe timeout once, no more: the rest is what a refused run costs here.
    // The upper bound leaves 2.5 s for a loaded machine's noise (the socket scan varies most).
    console.log(`DROP run elapsedMs ${run.report.elapsedMs} with --timeout 500ms; open baseline (before the rule) ${baseline}`);
    expect(run.report.elapsedMs).toBeGreaterThanOrEqual(500);
    expect(run.report.elapsedMs).toBeLessThan(baseline + 500 + 2500);
  });

  it('iptables REJECT: refused, firewall-blocks says clients see "connection refused" though a server listens', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '127.0.0.1', port);
    s.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-j', 'REJECT', '--reject-with', 'tcp-reset']);
    const run = s.doctor([`127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ status: 'refused' }]);
    const f = findingOf(run.report, 'firewall-blocks', 'error');
    expect(f.title).toBe(`The firewall rejects TCP to 127.0.0.1:${port}`);
    expect(f.evidence).toMatchObject({ probe: 'refused', rule: { verdict: 'reject' } });
    expect(f.detail).toContain(`--dport ${port} -j REJECT --reject-with tcp-reset`);
    expect(f.detail).toContain('connection refused');
  });

  it('an nft drop rule on ::1: firewall-blocks quoting the nft rule, fix with nft commands', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '::1', port);
    s.exec(['nft', 'add', 'table', 'inet', 'pdtest']);
    s.exec(['nft', 'add', 'chain', 'inet', 'pdtest', 'input', '{ type filter hook input priority 0; policy accept; }']);
    s.exec(['nft', 'add', 'rule', 'inet', 'pdtest', 'input', 'tcp', 'dport', String(port), 'drop']);
    const run = s.doctor([`[::1]:${port}`, '--timeout', '300ms']);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ address: '::1', status: 'timeout' }]);
    const f = findingOf(run.report, 'firewall-blocks', 'error');
    expect(f.evidence).toMatchObject({ address: '::1', family: 'ipv6', rule: { source: 'nft', verdict: 'drop', table: 'inet pdtest', chain: 'input' } });
    expect(String((f.evidence.rule as { rule: string }).rule)).toContain(`tcp dport ${port} drop`);
    expect(f.fix).toContain("nft -a list chain inet pdtest input");
  });

  it('run as uid 65534: firewall-unreadable (needs root), permission-hidden for a root-owned listener', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '127.0.0.1', port);
    const run = s.doctor([`127.0.0.1:${port}`], { nobody: true });
    expect(run.code).toBe(0);
    const unreadable = findingOf(run.report, 'firewall-unreadable', 'info');
    expect(unreadable.detail).toContain('needs root');
    expect(unreadable.fix).toContain('sudo');
    const hidden = findingOf(run.report, 'permission-hidden', 'info');
    expect(hidden.title).toBe(`The owner of port ${port} is hidden: it belongs to user root`);
    expect(hidden.fix).toBe(`sudo portdoctor 127.0.0.1:${port}`);
    expect(hidden.evidence).toMatchObject({ sockets: [{ address: '127.0.0.1', port, user: 'root', ownerHidden: true, pids: [] }] });
    // Both show in "what to do", though they are info: they say how to see more.
    expect(run.report.steps.find((x) => x.id === 'what-to-do')?.findings).toEqual(expect.arrayContaining(['firewall-unreadable', 'permission-hidden']));
  });

  it('issue 11 reproduction: an nft DROP rule, and an nft that fails to run — never "nothing blocks it", exit 1', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '127.0.0.1', port);
    s.exec(['nft', 'add', 'table', 'inet', 'pdbroken']);
    s.exec(['nft', 'add', 'chain', 'inet', 'pdbroken', 'input', '{ type filter hook input priority 0; policy accept; }']);
    s.exec(['nft', 'add', 'rule', 'inet', 'pdbroken', 'input', 'tcp', 'dport', String(port), 'drop']);
    // An nft first on PATH that fails: the native nft table is invisible to iptables-nft-save.
    const bin = s.tempDir();
    writeFileSync(join(bin, 'nft'), '#!/bin/sh\necho "Error: Could not receive ruleset from kernel" >&2\nexit 1\n', { mode: 0o755 });
    const run = s.doctor([`127.0.0.1:${port}`, '--timeout', '300ms'], { env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    expect(run.report.probes).toMatchObject([{ address: '127.0.0.1', status: 'timeout' }]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'firewall-unreadable', 'error');
    expect(f.title).toBe('Only part of the firewall could be read');
    expect(f.detail).toContain("nft: Error: Could not receive ruleset from kernel");
    const lines = run.report.steps.find((x) => x.id === 'firewall')!.lines;
    expect(lines.some((line) => line.endsWith('nothing blocks it'))).toBe(false);
    expect(codes(run.report)).not.toContain('no-answer');
    // With the real nft the same situation is named for what it is.
    expect(codes(s.doctor([`127.0.0.1:${port}`, '--timeout', '300ms']).report)).toContain('firewall-blocks');
  });

  it('a probe that times out at a live listener, empty accept queue, no readable rule to blame: no-answer names it and where to look', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1', port);
    // -m statistic is a match portdoctor does not evaluate: the rule drops every SYN, yet no rule it read "blocks".
    s.exec(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', String(port), '-m', 'statistic', '--mode', 'random', '--probability', '1', '-j', 'DROP']);
    const run = s.doctor([`127.0.0.1:${port}`, '--timeout', '300ms']);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ address: '127.0.0.1', status: 'timeout' }]);
    expect(codes(run.report)).not.toContain('firewall-blocks');
    expect(codes(run.report)).not.toContain('not-accepting');
    const f = findingOf(run.report, 'no-answer', 'error');
    expect(f.title).toBe(`Connecting to 127.0.0.1:${port} times out, though node listens there`);
    expect(f.detail).toContain('its accept queue is empty');
    expect(f.detail).toContain('statistic');
    expect(f.fix).toContain('tc qdisc show dev lo');
    expect((f.evidence as { listener: { pids: number[] } }).listener.pids).toEqual([server.pid]);
  });
});
