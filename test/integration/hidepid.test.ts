import { describe, expect, it } from 'vitest';
import { procHidesPids } from '../../src/platform/linux/netns.js';
import { jsonOf, runCli } from '../helpers/cli.js';
import { isRoot, NOBODY, startListener } from '../helpers/processes.js';

/** `mount -t proc -o hidepid=…` in a private mount namespace: a /proc of its own, stacked on the host's. */
const HIDEPID = (option: string): string[] => ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount -t proc -o hidepid=${option} proc /proc && exec "$@"`, 'sh'];

describe('procHidesPids (mountinfo as recorded on this machine)', () => {
  // Captured with: unshare -m --propagation private sh -c 'mount -t proc -o hidepid=invisible proc /proc && grep " - proc" /proc/self/mountinfo'
  const stacked = '49 47 0:20 / /proc rw,relatime - proc proc rw\n73 49 0:39 / /proc rw,relatime - proc proc rw,hidepid=invisible\n';
  it('reads the /proc mounted last (the one on top)', () => {
    expect(procHidesPids(stacked)).toBe(true);
    expect(procHidesPids('21 26 0:20 / /proc rw,relatime - proc proc rw\n')).toBe(false);
    expect(procHidesPids('21 26 0:20 / /proc rw,relatime - proc proc rw,hidepid=2\n')).toBe(true);
    expect(procHidesPids('21 26 0:20 / /proc rw,relatime - proc proc rw,hidepid=0\n')).toBe(false);
    expect(procHidesPids(`${stacked}80 73 0:40 / /proc rw - proc proc rw\n`)).toBe(false);
  });
});

describe.skipIf(!isRoot)('/proc mounted with hidepid (needs root: mount in a private mount namespace, setpriv)', () => {
  for (const option of ['2', 'invisible']) {
    it(`hidepid=${option}: a root listener, seen by nobody, is hidden (not ownerless), and the doctor says why`, async () => {
      await using root = await startListener(['tcp:127.0.0.1:0']);
      const port = root.sockets[0]!.port;
      const prefix = [...HIDEPID(option), 'setpriv', ...NOBODY];
      const who = jsonOf(runCli(['who', String(port), '--json'], { prefix })) as { sockets: { ownerHidden: boolean; processes: unknown[] }[]; stats: { hidepid?: boolean; processesHidden: number } };
      expect(who.stats.hidepid).toBe(true);
      expect(who.sockets).toHaveLength(1);
      expect(who.sockets[0]).toMatchObject({ ownerHidden: true, processes: [] });
      const doctor = jsonOf(runCli(['doctor', String(port), '--json', '--no-config'], { prefix })) as { findings: { code: string; detail: string; evidence: { reason?: string } }[] };
      const hidden = doctor.findings.find((f) => f.code === 'permission-hidden');
      expect(hidden?.evidence.reason).toBe('hidepid');
      expect(hidden?.detail).toContain('mounted with hidepid');
    });
  }

  it('without hidepid the same run finds the root process hidden the usual way (EACCES), and stats say no hidepid', async () => {
    await using root = await startListener(['tcp:127.0.0.1:0']);
    const port = root.sockets[0]!.port;
    const who = jsonOf(runCli(['who', String(port), '--json'], { prefix: ['setpriv', ...NOBODY] })) as { sockets: { ownerHidden: boolean }[]; stats: { hidepid?: boolean; processesHidden: number } };
    expect(who.stats.hidepid).toBeUndefined();
    expect(who.stats.processesHidden).toBeGreaterThan(0);
    expect(who.sockets[0]?.ownerHidden).toBe(true);
  });
});
