/**
 * An ssh tunnel declared in ~/.ssh/config whose ssh is gone (issue 12): a real sshd and a real ssh
 * client in a namespace the test made, a temporary HOME whose .ssh/config declares the LocalForward,
 * the tunnel up (the doctor is content), its ssh killed by pid (the doctor names the declaration and
 * how to start it), and the fix run for real (the port answers again).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe, isRoot } from '../helpers/docker-ns.js';
import { codes, findingOf } from '../helpers/doctor-ns.js';
import { need, sshLab, SSHD, UP, waitListening, type Lab } from '../helpers/forward-lab.js';
import { NSENTER } from '../helpers/ns-tools.js';
import { holdersOf } from '../helpers/proc-listeners.js';

const skip = !isRoot ? 'needs root (network namespace)' : (need('/usr/sbin/sshd', 'openssh-server') ?? need('/usr/bin/ssh', 'openssh-client') ?? need('/bin/busybox', 'busybox-static for the far-end server'));
if (skip !== null) console.warn(`[doctor-ssh-tunnel-gone] skipped: ${skip}`);

const PORT = 18200;

describe.skipIf(skip !== null)(`an ssh tunnel from ~/.ssh/config whose ssh is gone${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let lab: Lab;
  let home: string;
  let config: string;
  let tunnelPid: number;
  const asUser = (): Record<string, string> => ({ HOME: home });

  beforeAll(async () => {
    ({ lab, home } = await sshLab());
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    config = join(home, '.ssh', 'config');
    writeFileSync(
      config,
      [
        '# the database tunnel',
        'Host dbtunnel',
        '    HostName 127.0.0.1',
        `    Port ${SSHD}`,
        '    User root',
        `    IdentityFile ${join(lab.dir, 'id')}`,
        `    UserKnownHostsFile ${join(lab.dir, 'known_hosts')}`,
        '    StrictHostKeyChecking no',
        '    BatchMode yes',
        '    ExitOnForwardFailure yes',
        `    LocalForward 127.0.0.1:${PORT} 127.0.0.1:${UP}`,
        '',
        'Host *',
        '    ServerAliveInterval 30',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // ssh takes its home from the password database, not HOME: the test names the file with -F.
    const tunnel = lab.start(['/usr/bin/ssh', '-F', config, '-N', 'dbtunnel']);
    tunnelPid = tunnel.pid ?? 0;
    await waitListening(tunnelPid, [PORT], 'the ssh tunnel from the config');
  }, 60_000);

  afterAll(() => lab?.dispose());

  it('while the tunnel runs: who names ssh, the far end answers, and the doctor raises no error', async () => {
    expect(httpProbe(lab.netns, '127.0.0.1', PORT)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    expect((await lab.cli(['who', String(PORT)], asUser())).stdout).toContain(`(ssh, pid ${tunnelPid})`);
    const report = await lab.doctor(`127.0.0.1:${PORT}`, asUser());
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual([]);
    expect(codes(report)).not.toContain('tunnel-not-running');
  });

  describe('after its ssh is killed', () => {
    beforeAll(async () => {
      process.kill(tunnelPid, 'SIGTERM');
      for (let i = 0; i < 100 && holdersOf(lab.netns.inode, PORT).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(holdersOf(lab.netns.inode, PORT)).toEqual([]);
    }, 30_000);

    it('the doctor names the declaration, its Host block and target, and the command that starts it; nothing-listening is no longer the cause', async () => {
      const report = await lab.doctor(`127.0.0.1:${PORT}`, asUser());
      const f = findingOf(report, 'tunnel-not-running', 'error');
      expect(f.title).toBe(`Port ${PORT} belongs to an ssh tunnel declared in ${config}, and it is not running`);
      expect(f.detail).toContain(`${config} line 11 declares 'LocalForward 127.0.0.1:${PORT} 127.0.0.1:${UP}' in 'Host dbtunnel' (line 2)`);
      expect(f.detail).toContain(`forwards each connection to 127.0.0.1:${UP} (as seen from the SSH server) whenever ssh connects to dbtunnel`);
      expect(f.fix).toContain("Start the tunnel: 'ssh -fN dbtunnel'");
      expect(f.evidence).toMatchObject({ config, file: config, line: 11, alias: 'dbtunnel', scope: 'named-hosts', listen: { address: '127.0.0.1', port: PORT }, to: { host: '127.0.0.1', port: UP }, command: 'ssh -fN dbtunnel' });
      expect(report.findings.find((x) => x.code === 'nothing-listening')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'tunnel-not-running' } });
      expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['tunnel-not-running']);
      const step = report.steps.find((s) => s.id === 'follow-forward');
      expect(step?.status).toBe('problem');
      // First the declaration; then whatever else the step read (the container engine, where there is one).
      expect(step?.lines[0]).toBe(`${config} line 11: LocalForward 127.0.0.1:${PORT} 127.0.0.1:${UP} (in 'Host dbtunnel'): ssh tunnel to 127.0.0.1:${UP} (as seen from the SSH server), not running`);
    });

    it('without that configuration (another HOME) the doctor still says nothing-listening', async () => {
      const empty = join(lab.dir, 'empty-home');
      mkdirSync(empty);
      const report = await lab.doctor(`127.0.0.1:${PORT}`, { HOME: empty });
      expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['nothing-listening']);
    });

    it("the fix works: 'ssh -fN dbtunnel' (with this config) brings the port back", async () => {
      execFileSync(NSENTER, [`--net=${lab.netns.path}`, '/usr/bin/ssh', '-F', config, '-fN', 'dbtunnel'], { timeout: 20_000, stdio: 'ignore' });
      let holders = holdersOf(lab.netns.inode, PORT);
      for (let i = 0; i < 100 && holders.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        holders = holdersOf(lab.netns.inode, PORT);
      }
      try {
        expect(holders).toHaveLength(1);
        expect(httpProbe(lab.netns, '127.0.0.1', PORT)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
        expect(codes(await lab.doctor(`127.0.0.1:${PORT}`, asUser()))).not.toContain('tunnel-not-running');
      } finally {
        // ssh -f forked away from us: end it by the pid the kernel says holds the port.
        for (const h of holders) process.kill(h.pid, 'SIGTERM');
      }
    });
  });
});
