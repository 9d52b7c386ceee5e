import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkIdentity } from '../../src/platform/common/identity.js';
import { planKill, supervisionOf, type PlanContext } from '../../src/actions/kill-plan.js';
import { parseSignalName } from '../../src/actions/kill-signal.js';
import { isUserManagerCgroup } from '../../src/platform/linux/process-sockets.js';
import { formatAge } from '../../src/render/kill.js';
import type { ProcessInfo, Socket, SocketState } from '../../src/types.js';

function proc(pid: number, extra: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid, ppid: 1, name: `p${pid}`, command: `/bin/p${pid}`, user: 'root', uid: 0, state: 'S', startedAt: '2024-01-01T00:00:00.000Z', unit: null, container: null, ...extra };
}

let nextInode = 1000;
function socket(port: number, processes: ProcessInfo[], extra: Partial<Socket> & { state?: SocketState } = {}): Socket {
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
    inode: nextInode++,
    netns: { id: 1, current: true, name: null },
    queue: { recv: 0, send: 511 },
    ownerHidden: false,
    processes,
    ...extra,
  };
}

function context(pids: readonly number[], extra: Partial<PlanContext> = {}): PlanContext {
  return { startTicks: new Map(pids.map((pid) => [pid, pid * 10])), selfPid: 500, ancestors: [400, 300, 1], ...extra };
}

describe('checkIdentity (pid reuse safety)', () => {
  const expected = { pid: 42, startTicks: 9000, inodes: [7, 8] };

  it('allows a signal only to the same process still holding a planned socket', () => {
    expect(checkIdentity(expected, { startTicks: 9000, inodes: new Set([1, 8]) })).toBe('same');
  });

  it('refuses a reused pid even when it holds the very same inode (an inherited fd)', () => {
    expect(checkIdentity(expected, { startTicks: 9001, inodes: new Set([7]) })).toBe('reused');
    expect(checkIdentity(expected, { startTicks: 12, inodes: new Set() })).toBe('reused');
  });

  it('reports gone, and released when the socket is closed or the fd table unreadable', () => {
    expect(checkIdentity(expected, { startTicks: null, inodes: null })).toBe('gone');
    expect(checkIdentity(expected, { startTicks: 9000, inodes: new Set([99]) })).toBe('released');
    expect(checkIdentity(expected, { startTicks: 9000, inodes: null })).toBe('released');
  });

  it('property: "same" exactly when start ticks match and an inode is still held', () => {
    fc.assert(
      fc.property(
        fc.nat(1e9),
        fc.option(fc.nat(1e9), { nil: null }),
        fc.uniqueArray(fc.nat(50), { minLength: 1, maxLength: 5 }),
        fc.option(fc.uniqueArray(fc.nat(50), { maxLength: 8 }), { nil: null }),
        (ticks, observedTicks, inodes, observedInodes) => {
          const verdict = checkIdentity({ pid: 7, startTicks: ticks, inodes }, { startTicks: observedTicks, inodes: observedInodes === null ? null : new Set(observedInodes) });
          const same = observedTicks === ticks && observedInodes !== null && inodes.some((i) => observedInodes.includes(i));
          expect(verdict === 'same').toBe(same);
          if (observedTicks !== null && observedTicks !== ticks) expect(verdict).toBe('reused');
        },
      ),
    );
  });
});

describe('planKill', () => {
  it('targets listeners only: never a client connected to the port, nor a decoy on another port', () => {
    const server = proc(100);
    const client = proc(101);
    const decoy = proc(102);
    const sockets = [
      socket(3000, [server]),
      socket(3000, [server], { state: 'ESTAB', remoteAddress: '127.0.0.1', remotePort: 45000 }),
      socket(45000, [client], { state: 'ESTAB', remoteAddress: '127.0.0.1', remotePort: 3000 }),
      socket(3001, [decoy]),
      socket(3000, [client], { state: 'TIME-WAIT' }),
    ];
    const plan = planKill([3000], sockets, context([100, 101, 102]));
    expect(plan.targets.map((t) => t.pid)).toEqual([100]);
    expect(plan.targets[0]).toMatchObject({ startTicks: 1000, ports: [3000], inodes: [sockets[0]!.inode] });
    expect(plan.heldPorts).toEqual([3000]);
  });

  it('never plans pid 1, ourselves or an ancestor, and says why', () => {
    const sockets = [socket(80, [proc(1)]), socket(81, [proc(500)]), socket(82, [proc(300)]), socket(83, [proc(600)])];
    const plan = planKill([80, 81, 82, 83], sockets, context([1, 500, 300, 600]));
    expect(plan.targets.map((t) => t.pid)).toEqual([600]);
    expect(plan.skipped.map((s) => [s.pid, s.reason])).toEqual([
      [1, 'pid-1'],
      [300, 'ancestor'],
      [500, 'self'],
    ]);
  });

  it('one shared socket (a forked server) yields one target per process; UDP bound sockets count', () => {
    const sockets = [socket(5353, [proc(200), proc(201)], { protocol: 'udp', state: 'UNCONN' }), socket(5353, [proc(202)], { protocol: 'udp', state: 'ESTAB' })];
    const plan = planKill([5353], sockets, context([200, 201, 202]));
    expect(plan.targets.map((t) => t.pid)).toEqual([200, 201]);
    expect(plan.targets[0]!.inodes).toEqual(plan.targets[1]!.inodes);
  });

  it('reports hidden owners and processes that vanished before their start time was read', () => {
    const sockets = [socket(8080, [], { ownerHidden: true, uid: 0 }), socket(8081, [proc(700)])];
    const plan = planKill([8080, 8081], sockets, context([], { startTicks: new Map([[700, null]]) }));
    expect(plan.targets).toEqual([]);
    expect(plan.hidden).toEqual([{ protocol: 'tcp', address: '127.0.0.1', port: 8080, uid: 0, user: 'root' }]);
    expect(plan.skipped).toMatchObject([{ pid: 700, reason: 'vanished' }]);
  });

  it('names supervisors: systemd units, user units, containers; skips docker-proxy', () => {
    const sockets = [
      socket(80, [proc(10, { unit: 'nginx.service' })]),
      socket(81, [proc(11, { unit: 'vite.service' })]),
      socket(82, [proc(12, { container: 'a'.repeat(64) })]),
      socket(83, [proc(13, { name: 'docker-proxy' })]),
      socket(84, [proc(14, { unit: 'user@1000.service' })]),
      socket(85, [proc(15)], { netns: { id: 9, current: false, name: 'pd-test' } }),
    ];
    const plan = planKill([80, 81, 82, 83, 84, 85], sockets, context([10, 11, 12, 13, 14, 15], { userManagerPids: new Set([11]) }));
    const advice = new Map(plan.targets.map((t) => [t.pid, t.supervision?.advice ?? null]));
    expect(advice.get(10)).toBe('systemctl stop nginx.service');
    expect(advice.get(11)).toBe('systemctl --user stop vite.service');
    expect(advice.get(12)).toBe('docker stop aaaaaaaaaaaa');
    expect(advice.get(14)).toBeNull(); // never "stop the user's whole session"
    expect(advice.get(15)).toBe('ip netns pids pd-test');
    expect(plan.skipped).toMatchObject([{ pid: 13, reason: 'docker-proxy' }]);
    expect(supervisionOf(proc(13, { name: 'docker-proxy' }), sockets[3]!, false)?.advice).toBe('docker stop $(docker ps -q --filter publish=83)');
  });
});

describe('small kill helpers', () => {
  it('isUserManagerCgroup recognises units below user@UID.service', () => {
    expect(isUserManagerCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/vite.service\n')).toBe(true);
    expect(isUserManagerCgroup('0::/system.slice/nginx.service\n')).toBe(false);
    expect(isUserManagerCgroup('0::/user.slice/user-1000.slice/user@1000.service/init.scope\n')).toBe(false);
  });

  it('parseSignalName accepts names, short names and numbers; rejects the rest', () => {
    expect(parseSignalName('term')).toBe('SIGTERM');
    expect(parseSignalName('SIGHUP')).toBe('SIGHUP');
    expect(parseSignalName('9')).toBe('SIGKILL');
    expect(() => parseSignalName('FOO')).toThrow(/not a signal/);
    expect(() => parseSignalName('999')).toThrow(/not a signal/);
  });

  it('formatAge', () => {
    const now = Date.parse('2024-01-01T01:00:00Z');
    expect(formatAge('2024-01-01T00:59:30Z', now)).toBe('30s ago');
    expect(formatAge('2024-01-01T00:00:00Z', now)).toBe('60m ago');
    expect(formatAge(null, now)).toBe('?');
  });
});
