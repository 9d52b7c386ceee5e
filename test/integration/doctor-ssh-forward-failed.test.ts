/**
 * An ssh that is alive and asks for a local port on its command line, but holds no listener there
 * (issue 12): a real sshd and real ssh clients in a namespace the test made, with
 * ExitOnForwardFailure off (ssh's default), so ssh stays connected when its bind fails.
 *   a) a plain program (busybox httpd) holds the port first: tunnel-port-taken names both;
 *   b) ssh asked for an address this machine does not have: nothing holds the port,
 *      tunnel-not-running names the ssh and its spec;
 * and a forward that did bind raises neither.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe, isRoot } from '../helpers/docker-ns.js';
import { codes, findingOf } from '../helpers/doctor-ns.js';
import { need, sshLab, UP, waitListening, type Lab } from '../helpers/forward-lab.js';

const skip = !isRoot ? 'needs root (network namespace)' : (need('/usr/sbin/sshd', 'openssh-server') ?? need('/usr/bin/ssh', 'openssh-client') ?? need('/bin/busybox', 'busybox-static for the servers'));
if (skip !== null) console.warn(`[doctor-ssh-forward-failed] skipped: ${skip}`);

const TAKEN = 18210; // busybox holds 127.0.0.1 here before ssh asks for it
const BOUND = 18211; // ssh's forward binds here
const NOWHERE = 18212; // ssh asks for 192.0.2.1 (TEST-NET-1, not on this host) here

/** Polls ssh's stderr (bounded) until it holds `text`: then ssh has logged in and tried its forwards. */
async function waitStderr(ssh: { stderrText: () => string }, text: string): Promise<string> {
  for (let i = 0; i < 200 && !ssh.stderrText().includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(ssh.stderrText()).toContain(text);
  return ssh.stderrText();
}

describe.skipIf(skip !== null)(`an ssh whose -L forward did not bind${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let lab: Lab;
  let home: string;
  let holderPid: number;
  const asUser = (): Record<string, string> => ({ HOME: home });

  beforeAll(async () => {
    ({ lab, home } = await sshLab());
    mkdirSync(join(lab.dir, 'other'));
    writeFileSync(join(lab.dir, 'other', 'index.html'), 'not the tunnel\n');
    const holder = lab.start(['/bin/busybox', 'httpd', '-f', '-p', `127.0.0.1:${TAKEN}`, '-h', join(lab.dir, 'other')]);
    holderPid = holder.pid ?? 0;
    await waitListening(holderPid, [TAKEN], 'busybox httpd (the other program)');
  }, 60_000);

  afterAll(() => lab?.dispose());

  it('a) another program holds the port: tunnel-port-taken names the ssh, its -L spec and the holder; the client reaches the holder', async () => {
    const ssh = lab.ssh(['-L', `${TAKEN}:127.0.0.1:${UP}`], true);
    const said = await waitStderr(ssh, 'Address already in use');
    console.info(`[doctor-ssh-forward-failed] ssh -L ${TAKEN}:127.0.0.1:${UP} reported:\n${said.trim()}`);
    expect(ssh.exitCode).toBeNull();
    // The classic confusion, for real: the client of 127.0.0.1 gets busybox's page, not the far end's.
    expect(httpProbe(lab.netns, '127.0.0.1', TAKEN)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    const report = await lab.doctor(`127.0.0.1:${TAKEN}`, asUser());
    const f = findingOf(report, 'tunnel-port-taken', 'error');
    expect(f.title).toBe(`Port ${TAKEN} is held by busybox (pid ${holderPid}), not by the ssh tunnel that asks for it (ssh pid ${ssh.pid}, -L ${TAKEN}:127.0.0.1:${UP})`);
    expect(f.detail).toContain(`ssh (pid ${ssh.pid}) runs with '-L ${TAKEN}:127.0.0.1:${UP}' to root@127.0.0.1`);
    expect(f.detail).toContain(`listens on 127.0.0.1:${TAKEN}`);
    expect(f.detail).toContain(`A client of 127.0.0.1:${TAKEN} talks to busybox, not to the tunnel.`);
    expect(f.fix).toContain(`stop busybox (pid ${holderPid})`);
    expect(f.fix).toContain(`'kill ${ssh.pid}', then 'ssh -f -F /dev/null -N`);
    expect(f.fix).toContain(`-L FREE_PORT:127.0.0.1:${UP}`);
    expect(f.evidence).toMatchObject({ ssh: { pid: ssh.pid, option: '-L', spec: `${TAKEN}:127.0.0.1:${UP}`, listen: { address: null, port: TAKEN }, to: { host: '127.0.0.1', port: UP }, via: 'root@127.0.0.1', argvExact: true }, holder: { address: '127.0.0.1', pids: [holderPid] } });
    // ssh's default bind is both loopbacks: ::1 was free, so ssh may hold it (the evidence says which).
    const holds = (f.evidence.ssh as { holds: string[] }).holds;
    expect(holds.filter((a) => a !== '::1')).toEqual([]);
    if (holds.length > 0) {
      // ssh got ::1: ssh and busybox "share" the port; that is the failed bind seen from the side, not a second thing to do.
      expect(f.detail).toContain(`ssh holds only [::1]:${TAKEN}`);
      expect(f.detail).toContain(`'bind [127.0.0.1]:${TAKEN}: Address already in use') and stayed connected`);
      expect(report.findings.find((x) => x.code === 'port-shared')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'tunnel-port-taken' } });
    } else console.warn('[doctor-ssh-forward-failed] ssh did not bind ::1 here (no IPv6 loopback?): the partial-bind checks were not made');
    expect(report.findings.filter((x) => x.severity !== 'info').map((x) => x.code)).toEqual(['tunnel-port-taken']);
    expect(f.fix).toContain('-o ExitOnForwardFailure=yes -L FREE_PORT');
    expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['tunnel-port-taken']);
    expect(report.steps.find((s) => s.id === 'what-to-do')?.findings[0]).toBe('tunnel-port-taken');
    ssh.kill('SIGTERM');
    for (let i = 0; i < 100 && ssh.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it('a) with an explicit bind address (ssh holds nothing at all): the same finding, ssh holds no address', async () => {
    const ssh = lab.ssh(['-L', `127.0.0.1:${TAKEN}:127.0.0.1:${UP}`], true);
    const said = await waitStderr(ssh, 'Could not request local forwarding.');
    expect(said).toContain(`bind [127.0.0.1]:${TAKEN}: Address already in use`);
    expect(ssh.exitCode).toBeNull();
    const report = await lab.doctor(`127.0.0.1:${TAKEN}`, asUser());
    const f = findingOf(report, 'tunnel-port-taken', 'error');
    expect(f.detail).toContain(`It holds no listener on port ${TAKEN}: busybox (pid ${holderPid}, user root) listens on 127.0.0.1:${TAKEN}`);
    expect(f.evidence).toMatchObject({ ssh: { pid: ssh.pid, spec: `127.0.0.1:${TAKEN}:127.0.0.1:${UP}`, listen: { address: '127.0.0.1', port: TAKEN }, holds: [] } });
    expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['tunnel-port-taken']);
    ssh.kill('SIGTERM');
    for (let i = 0; i < 100 && ssh.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });

  it('a forward that did bind raises neither finding, and the far end answers through it', async () => {
    const ssh = lab.ssh(['-L', `127.0.0.1:${BOUND}:127.0.0.1:${UP}`], true);
    await waitListening(ssh.pid ?? 0, [BOUND], 'ssh -L');
    expect(httpProbe(lab.netns, '127.0.0.1', BOUND)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    const report = await lab.doctor(`127.0.0.1:${BOUND}`, asUser());
    expect(codes(report)).not.toContain('tunnel-port-taken');
    expect(codes(report)).not.toContain('tunnel-not-running');
    expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual([]);
    ssh.kill('SIGTERM');
  });

  it('b) ssh asked for an address this host does not have: nothing holds the port, tunnel-not-running names the ssh (nothing-listening explained)', async () => {
    const ssh = lab.ssh(['-L', `192.0.2.1:${NOWHERE}:127.0.0.1:${UP}`], true);
    const said = await waitStderr(ssh, 'Could not request local forwarding.');
    console.info(`[doctor-ssh-forward-failed] ssh -L 192.0.2.1:${NOWHERE}:127.0.0.1:${UP} reported:\n${said.trim()}`);
    expect(said).toContain(`bind [192.0.2.1]:${NOWHERE}: Cannot assign requested address`);
    expect(ssh.exitCode).toBeNull();
    const report = await lab.doctor(`127.0.0.1:${NOWHERE}`, asUser());
    const f = findingOf(report, 'tunnel-not-running', 'error');
    expect(f.title).toBe(`Port ${NOWHERE} belongs to an ssh tunnel that is not listening: ssh (pid ${ssh.pid}) runs with -L 192.0.2.1:${NOWHERE}:127.0.0.1:${UP} but holds no socket on the port`);
    expect(f.detail).toContain(`192.0.2.1 is not an address of this machine (ssh: 'bind [192.0.2.1]:${NOWHERE}: Cannot assign requested address')`);
    expect(f.fix).toContain(`Restart the tunnel: 'kill ${ssh.pid}', then 'ssh -f -F /dev/null -N`);
    expect(f.evidence).toMatchObject({ ssh: { pid: ssh.pid, option: '-L', spec: `192.0.2.1:${NOWHERE}:127.0.0.1:${UP}`, listen: { address: '192.0.2.1', port: NOWHERE }, holds: [] } });
    expect(report.findings.find((x) => x.code === 'nothing-listening')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'tunnel-not-running' } });
    expect(report.findings.filter((x) => x.severity === 'error').map((x) => x.code)).toEqual(['tunnel-not-running']);
    expect(report.steps.find((s) => s.id === 'follow-forward')?.lines).toContain(`ssh pid ${ssh.pid} -L 192.0.2.1:${NOWHERE}:127.0.0.1:${UP} (to root@127.0.0.1): asks for port ${NOWHERE}, holds no listener there`);
    ssh.kill('SIGTERM');
  });
});
