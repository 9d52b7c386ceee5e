import { describe, expect, it } from 'vitest';
import { codes, findingOf, isRoot, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';

/** A listener with backlog 1 whose accept queue is filled by two connections it never accepts. */
const noAcceptServer = (port: number): string => `
import json, os, socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", ${port})); s.listen(1)
clients = []
for i in range(2):
    c = socket.socket(); c.settimeout(2); c.connect(("127.0.0.1", ${port})); clients.append(c)
print(json.dumps({"pid": os.getpid(), "port": ${port}}), flush=True)
time.sleep(120)
`;

/** Which process state the owner is in: stopped, not accepting, or in another namespace. */
describe.skipIf(!isRoot)('doctor: the state of the process behind the port (needs root: ip netns add)', () => {
  it('a server that never accept()s, backlog full: not-accepting with the queue, pid, and what to look at', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await s.python(noAcceptServer(port));
    const run = s.doctor([`127.0.0.1:${port}`, '--timeout', '300ms']);
    expect(run.code).toBe(1);
    expect(run.report.probes).toMatchObject([{ status: 'timeout' }]);
    const f = findingOf(run.report, 'not-accepting', 'error');
    expect(f.title).toBe(`The server on TCP 127.0.0.1:${port} is not accepting connections (accept queue 2/1)`);
    expect(f.evidence).toMatchObject({ acceptQueue: 2, backlog: 1, socket: { pids: [server.pid] } });
    expect(f.detail).toContain(`python3 (pid ${server.pid}`);
    expect(f.fix).toContain(`strace -p ${server.pid}`);
    expect(codes(run.report)).not.toContain('firewall-blocks');
  });

  it('a SIGSTOPped server: process-stopped naming the pid, fix kill -CONT; no app-error on top', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await s.server('http', '127.0.0.1', port);
    process.kill(server.pid, 'SIGSTOP');
    try {
      const run = s.doctor([`127.0.0.1:${port}`, '--timeout', '300ms']);
      expect(run.code).toBe(1);
      const f = findingOf(run.report, 'process-stopped', 'error');
      expect(f.title).toBe(`The server on TCP 127.0.0.1:${port} is stopped (node, pid ${server.pid})`);
      expect(f.fix).toBe(`Resume it with 'kill -CONT ${server.pid}' (or 'fg' in its terminal), or restart it.`);
      expect(f.evidence).toMatchObject({ pids: [server.pid], states: ['T'] });
      // The kernel completes the handshake; nobody answers.
      expect(run.report.probes).toMatchObject([{ status: 'silent' }]);
      expect(codes(run.report)).not.toContain('app-error');
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
  });

  it('a listener in another namespace: other-netns names the pid, the process and the namespace (and not nothing-listening)', async () => {
    await using client = new Situation({ hosts: HOSTS });
    await using elsewhere = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const server = await elsewhere.server('http', '127.0.0.1', port);
    const run = client.doctor([`localhost:${port}`]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'other-netns', 'error');
    expect(f.detail).toContain(`node (pid ${server.pid}, user root)`);
    expect(f.detail).toContain(`network namespace "${elsewhere.name}"`);
    expect(f.fix).toContain(`ip netns exec ${elsewhere.name}`);
    expect(f.evidence).toMatchObject({ netns: { current: false, name: elsewhere.name }, sockets: [{ address: '127.0.0.1', port, pids: [server.pid] }] });
    expect(codes(run.report)).not.toContain('nothing-listening');

    // The same from the host's namespace (root sees every namespace).
    const fromHost = elsewhere.doctor([`127.0.0.1:${port}`], { inHost: true });
    expect(findingOf(fromHost.report, 'other-netns', 'error').evidence).toMatchObject({ netns: { name: elsewhere.name } });
    expect(fromHost.code).toBe(1);
  });
});
