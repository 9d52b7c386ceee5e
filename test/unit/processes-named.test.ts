/**
 * Platform.processesNamed: on Linux against `ps -eo pid,comm,args` for processes this test starts
 * (a copy of /bin/sh under a name of its own, so nobody else's process matches), one of them in a
 * network namespace of its own (`unshare -n`, root only); on macOS from a recorded `ps` listing
 * (test/fixtures/darwin, SOURCES.md) through the replay back-end; Windows and Linux replays say
 * they cannot answer.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unboundSshForwards } from '../../src/forwarders/ssh-live-forwards.js';
import { createDarwinPlatform } from '../../src/platform/darwin/index.js';
import { linuxProcessesNamed } from '../../src/platform/linux/processes-named.js';
import { createLinuxReplayPlatform } from '../../src/platform/linux/index.js';
import type { NamedProcess } from '../../src/platform/types.js';
import { processPidSnapshot } from '../helpers/darwin-snapshots.js';

const NAME = 'pd-live-sh'; // under 16 bytes: the kernel's comm holds all of it
const onLinux = existsSync('/proc/self/comm');
const isRoot = process.getuid?.() === 0;
if (!onLinux) console.warn('[processes-named] Linux part skipped: no /proc');

/** `ps -eo pid,comm,args` lines whose comm is NAME: pid → args. */
function psTruth(): Map<number, string> {
  const out = execFileSync('ps', ['-eo', 'pid=,comm=,args='], { encoding: 'utf8', timeout: 10_000 });
  const rows = new Map<number, string>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (m !== null && m[2] === NAME) rows.set(Number(m[1]), m[3] ?? '');
  }
  return rows;
}

describe.skipIf(!onLinux)(`Linux: processes by name from /proc${onLinux ? '' : ' (skipped: no /proc)'}`, () => {
  const dir = onLinux ? mkdtempSync(join(tmpdir(), 'pd-live-')) : '';
  const program = join(dir, NAME);
  const children: ChildProcess[] = [];
  const start = (argv: string[]): ChildProcess => {
    // The shell waits on its stdin (a builtin, no child process): killing it leaves nothing behind.
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    copyFileSync('/bin/sh', program);
    execFileSync('chmod', ['755', program]);
    start([program, '-c', 'read line', 'an argument with spaces', 'b']);
    start([program, '-c', 'read line', 'second']);
    if (isRoot) start(['unshare', '-n', program, '-c', 'read line', 'own netns']);
    // Until every copy runs under its name (unshare execs it).
    for (let i = 0; i < 100 && psTruth().size < children.length; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  });

  afterAll(() => {
    for (const child of children) if (child.pid !== undefined && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds exactly the processes ps lists under that name, with their arguments kept apart', () => {
    const found = linuxProcessesNamed([NAME, 'no-such-program'], isRoot);
    expect(found.ok).toBe(true);
    if (!found.ok) return;
    const truth = psTruth();
    expect(truth.size).toBe(children.length);
    const ours = found.value.processes;
    expect(new Set(ours.map((p) => p.pid))).toEqual(new Set(truth.keys()));
    for (const p of ours) {
      expect(p.name).toBe(NAME);
      expect(p.argvExact).toBe(true);
      // ps joins the arguments with spaces: the same words, and ours keep the spaces inside one.
      expect(p.argv.join(' ')).toBe(truth.get(p.pid));
    }
    expect(ours.find((p) => p.pid === children[0]!.pid)?.argv).toEqual([program, '-c', 'read line', 'an argument with spaces', 'b']);
    expect(found.value.examined).toBeGreaterThan(children.length);
  });

  it.skipIf(!isRoot)(`tells our network namespace from another's${isRoot ? '' : ' (skipped: needs root for unshare -n)'}`, () => {
    const found = linuxProcessesNamed([NAME], true);
    if (!found.ok) throw new Error(found.reason);
    const byPid = new Map<number, NamedProcess>(found.value.processes.map((p) => [p.pid, p]));
    expect(byPid.get(children[0]!.pid!)?.sameNetns).toBe(true);
    const other = found.value.processes.find((p) => p.argv.includes('own netns'));
    expect(other?.sameNetns).toBe(false);
    expect(found.value.partial).toBeNull();
  });

  it('a Linux replay says the processes were not recorded', async () => {
    const replay = createLinuxReplayPlatform({ portdoctor: 'snapshot/1', os: 'linux', release: '6.1.0', capturedAt: '2026-12-06T00:00:00.000Z', user: { uid: 0, name: 'root', elevated: true }, sources: {} }, { kind: 'replay', file: null, capturedAt: '', release: '', user: { uid: 0, name: 'root', elevated: true }, redacted: false });
    expect(await replay.processesNamed(['ssh'])).toMatchObject({ ok: false, reason: expect.stringContaining('not recorded') });
  });
});

describe('macOS: processes by name from the recorded ps listing', () => {
  it('finds the ssh of a real listing, its arguments split at spaces, and no forward in it', async () => {
    const snapshot = processPidSnapshot();
    const mac = createDarwinPlatform(snapshot, { kind: 'replay', file: null, capturedAt: snapshot.capturedAt, release: snapshot.release, user: snapshot.user, redacted: false });
    const found = await mac.processesNamed(['ssh']);
    if (!found.ok) throw new Error(found.reason);
    // ps-axo-pid-lstart-command-dev-mac.txt: 13 processes, one of them /usr/bin/ssh.
    expect(found.value.examined).toBe(13);
    expect(found.value.processes).toEqual([
      {
        pid: 53116,
        name: 'ssh',
        argv: ['/usr/bin/ssh', '-T', '-v', '-o', 'BatchMode=yes', 'macmini', 'sh', '-c', `'PATH="$HOME/.local/bin:$PATH";`, 'codex', 'app-server', "proxy'"],
        argvExact: false,
        sameNetns: null,
      },
    ]);
    expect(unboundSshForwards(found.value, 8080, []).forwards).toEqual([]);
    expect(await mac.processesNamed(['launchd'])).toMatchObject({ ok: true, value: { processes: [{ pid: 1, name: 'launchd', argv: ['/sbin/launchd'] }] } });
  });
});
