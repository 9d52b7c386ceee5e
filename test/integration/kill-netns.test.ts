import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killPort } from '../../src/actions/kill.js';
import { isRoot, startListener } from '../helpers/processes.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim()[0] !== 'Z';
  } catch {
    return false;
  }
};

describe.skipIf(!isRoot)('kill and other network namespaces (needs root: ip netns add)', () => {
  const ns = `pd-killns-${randomBytes(3).toString('hex')}`;
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', ns]);
  });

  it('leaves a listener in another namespace alone by default, and says how to stop it', async () => {
    await using inside = await startListener(['tcp:127.0.0.1:0'], { prefix: ['ip', 'netns', 'exec', ns] });
    const port = inside.sockets[0]!.port;
    const report = await killPort([port], { graceMs: 500, settleMs: 500 });
    expect(report.held).toBe(false);
    expect(report.killed).toEqual([]);
    expect(report.otherNetns).toHaveLength(1);
    expect(report.otherNetns[0]).toMatchObject({ port, pids: [inside.pid], netns: { name: ns } });
    expect(report.otherNetns[0]!.advice).toBe(`ip netns exec ${ns} portdoctor kill ${port}`);
    expect(alive(inside.pid)).toBe(true);
  });

  it('stops it with allNetns', async () => {
    await using inside = await startListener(['tcp:127.0.0.1:0'], { prefix: ['ip', 'netns', 'exec', ns] });
    const port = inside.sockets[0]!.port;
    const report = await killPort([port], { graceMs: 2000, settleMs: 1000, allNetns: true });
    expect(report.killed.map((k) => [k.pid, k.result])).toEqual([[inside.pid, 'stopped']]);
    expect(report.released).toBe(true);
  });
});
