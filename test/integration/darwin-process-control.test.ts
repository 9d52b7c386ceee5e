import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { darwinProcessControl } from '../../src/platform/darwin/process-control.js';
import { liveReader } from '../../src/platform/snapshot/reader.js';
import type { Socket } from '../../src/types.js';
import { startListener } from '../helpers/processes.js';

/**
 * The macOS back-end's `kill` mechanics run here on real processes: they only use `ps -o
 * pid=,ppid=,uid=,lstart= -p PIDS` and `lsof -nP -w -a -p PID -i TCP:PORT -F0pfPnT`, which procps
 * and lsof on Linux accept with the same meaning (C-locale lstart, the same -F fields). What a Mac
 * adds (its own ps and lsof builds) is covered by the recorded-output tests.
 */
const hasLsof = (() => {
  try {
    execFileSync('lsof', ['-v'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { status?: number }).status !== undefined;
  }
})();

function socketHeldBy(pid: number, port: number): Socket {
  return {
    protocol: 'tcp',
    family: 'ipv4',
    address: '127.0.0.1',
    port,
    remoteAddress: null,
    remotePort: null,
    state: 'LISTEN',
    uid: 0,
    user: 'root',
    queue: { recv: 0, send: 0 },
    ownerHidden: false,
    processes: [{ pid, ppid: process.pid, name: 'node', command: 'node', user: 'root', uid: 0, state: 'S', startedAt: null, container: null }],
  };
}

describe.skipIf(!hasLsof)('darwin process control on live processes (skipped: lsof is not installed)', () => {
  it('identity = pid + lstart; verify says same, reused, released, gone; the signal is delivered', async () => {
    const control = darwinProcessControl(liveReader());
    await using listener = await startListener(['tcp:127.0.0.1:0']);
    const port = listener.sockets[0]!.port;
    const context = await control.context([socketHeldBy(listener.pid, port)]);
    const identity = context.identities.get(listener.pid);
    expect(identity).toMatch(/^lstart:(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d \d{4}$/);
    expect(context.selfPid).toBe(process.pid);
    expect(context.ancestors[0]).toBe(process.ppid);
    const holder = { pid: listener.pid, identity: identity!, inodes: [], sockets: [{ protocol: 'tcp' as const, family: 'ipv4' as const, address: '127.0.0.1', port }] };
    expect(await control.verify(holder)).toBe('same');
    expect(await control.verify({ ...holder, identity: 'lstart:Thu Jan 1 00:00:00 1970' })).toBe('reused');
    expect(await control.verify({ ...holder, sockets: [{ ...holder.sockets[0]!, port: port === 65535 ? 65534 : port + 1 }] })).toBe('released');
    const exited = once(listener.child, 'exit');
    expect(await control.signal(listener.pid, 'SIGTERM')).toBe('sent');
    await exited;
    expect(await control.verify(holder)).toBe('gone');
    expect(await control.signal(listener.pid, 'SIGTERM')).toBe('gone');
  });
});
