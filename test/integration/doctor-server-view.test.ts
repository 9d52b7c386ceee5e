import { describe, expect, it } from 'vitest';
import { codes, findingOf, isRoot, problems, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';

/** A connection on PORT whose server side closed first: its socket stays in TIME-WAIT for ~60 s. */
const timeWaitMaker = (port: number): string => `
import json, os, socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", ${port})); l.listen(1)
c = socket.create_connection(("127.0.0.1", ${port}), timeout=2)
a, _ = l.accept(); a.close(); c.recv(1); c.close(); l.close()
print(json.dumps({"pid": os.getpid(), "port": ${port}}), flush=True)
time.sleep(60)
`;

/** The server's view (--bind, and a bare port's second question): can a new server listen here? */
describe.skipIf(!isRoot)('doctor: will a server be able to listen? (needs root: ip netns add, setpriv)', () => {
  it('--bind on a held address: port-in-use error naming the holder, exit 1; a free port: exit 0', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const holder = await s.server('http', '127.0.0.1', port);
    const run = s.doctor(['doctor', '--bind', `127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.report.target.views).toEqual(['server']);
    const f = findingOf(run.report, 'port-in-use', 'error');
    expect(f.title).toBe(`Port ${port} is in use by node on 127.0.0.1`);
    expect(f.detail).toContain(`node (pid ${holder.pid}, user root)`);
    expect(f.detail).toContain('EADDRINUSE, confirmed by a trial bind');
    expect(f.fix).toContain(`portdoctor kill ${port}`);
    expect(f.evidence).toMatchObject({ holders: [{ address: '127.0.0.1', pids: [holder.pid] }], binds: [{ address: '127.0.0.1', ok: false, code: 'EADDRINUSE' }] });

    const free = s.doctor(['doctor', '--bind', `127.0.0.1:${port + 1}`]);
    expect(problems(free.report)).toEqual([]);
    expect(free.code).toBe(0);
  });

  it('a dual-stack :: holder blocks --bind 127.0.0.1: port-in-use explains the wildcard', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const holder = await s.server('http', '::', port);
    const run = s.doctor(['doctor', '--bind', `127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'port-in-use', 'error');
    expect(f.detail).toContain('dual-stack wildcard (::) also covers IPv4 addresses');
    expect(f.evidence).toMatchObject({ holders: [{ address: '::', pids: [holder.pid] }] });
  });

  it('--bind 192.0.2.1:P: address-not-available', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const run = s.doctor(['doctor', '--bind', `192.0.2.1:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'address-not-available', 'error');
    expect(f.title).toBe('192.0.2.1 is not an address of this machine');
    expect(f.evidence).toMatchObject({ address: '192.0.2.1', port, code: 'EADDRNOTAVAIL' });
    expect(f.fix).toContain('ip -br addr');
  });

  it('--bind 80 as uid 65534: privileged-port error (EACCES); as root: a warning, exit 0', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const denied = s.doctor(['doctor', '--bind', '80'], { nobody: true });
    expect(denied.code).toBe(1);
    const f = findingOf(denied.report, 'privileged-port', 'error');
    expect(f.evidence).toMatchObject({ port: 80, unprivilegedPortStart: 1024, trialBindDenied: true });
    expect(f.detail).toContain('failed with EACCES');
    expect(f.fix).toContain('cap_net_bind_service');
    expect(codes(denied.report)).not.toContain('nothing-listening');

    const asRoot = s.doctor(['doctor', '80', '--bind']);
    const w = findingOf(asRoot.report, 'privileged-port', 'warning');
    expect(w.evidence).toMatchObject({ trialBindDenied: false });
    expect(w.detail).toContain('as a normal user fails with EACCES');
    expect(asRoot.report.findings.filter((x) => x.severity === 'error')).toEqual([]);
    expect(asRoot.code).toBe(0);
  });

  it('TIME-WAIT on the port: time-wait info alongside nothing-listening (bare port), and no error for --bind', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.python(timeWaitMaker(port));
    const run = s.doctor([String(port)]);
    expect(run.code).toBe(1);
    findingOf(run.report, 'nothing-listening', 'error');
    const f = findingOf(run.report, 'time-wait', 'info');
    expect(f.title).toBe(`1 connection on port ${port} is in TIME-WAIT`);
    expect(f.evidence).toMatchObject({ count: 1 });
    expect((f.evidence.peers as string[])[0]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(f.fix).toContain('SO_REUSEADDR');

    const bind = s.doctor(['doctor', '--bind', `127.0.0.1:${port}`]);
    findingOf(bind.report, 'time-wait', 'info');
    expect(problems(bind.report)).toEqual([]);
    expect(bind.code).toBe(0);
  });

  it('a bare port with a healthy holder: port-in-use as info (context), exit 0; with TIME-WAIT too', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.python(timeWaitMaker(port));
    const holder = await s.server('http', '127.0.0.1,::1', port);
    const run = s.doctor([String(port)]);
    const f = findingOf(run.report, 'port-in-use', 'info');
    expect(f.title).toBe(`Port ${port} is in use by node on 127.0.0.1`);
    expect(f.detail).toContain(`pid ${holder.pid}`);
    findingOf(run.report, 'time-wait', 'info');
    expect(problems(run.report)).toEqual([]);
    expect(run.code).toBe(0);
  });
});
