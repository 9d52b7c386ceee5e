/**
 * `sudo portdoctor PORT`: the ssh tunnels that went missing are the invoking user's, declared in
 * their ~/.ssh/config, while HOME may be root's. The test runs the built CLI as root with the
 * environment sudo sets (SUDO_USER, HOME=/root-like) in a private mount namespace whose
 * /etc/passwd is a copy with one more user, so the machine's own password file is never touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { codes, findingOf, type DoctorJson } from '../helpers/doctor-ns.js';
import { isRoot } from '../helpers/processes.js';

const USER = 'pd-sudo-user';

/** A port nothing listens on: bound by the kernel's choice, then closed. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.skipIf(!isRoot)(`doctor under sudo reads the invoking user's ~/.ssh/config${isRoot ? '' : ' (skipped: needs root: unshare -m, mount --bind)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pd-sudo-'));
  const userHome = join(dir, 'home');
  const rootHome = join(dir, 'root');
  const passwd = join(dir, 'passwd');
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    mkdirSync(join(userHome, '.ssh'), { recursive: true, mode: 0o700 });
    mkdirSync(rootHome);
    writeFileSync(join(userHome, '.ssh', 'config'), ['Host devdb', '    HostName 127.0.0.1', `    LocalForward ${port} 127.0.0.1:5432`, ''].join('\n'));
    writeFileSync(passwd, `${readFileSync('/etc/passwd', 'utf8')}${USER}:x:4242:4242::${userHome}:/bin/sh\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const doctor = (env: Record<string, string>): DoctorJson => {
    const run = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$1" /etc/passwd && shift && exec "$@"', 'sh', passwd, process.execPath, CLI, `127.0.0.1:${port}`, '--json', '--no-config'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NO_COLOR: '1', HOME: rootHome, ...env },
    });
    try {
      return JSON.parse(run.stdout) as DoctorJson;
    } catch {
      throw new Error(`doctor: not JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    }
  };

  it('names the tunnel from the invoking user’s config, with HOME pointing at root’s', () => {
    const report = doctor({ SUDO_USER: USER, SUDO_UID: '4242' });
    const f = findingOf(report, 'tunnel-not-running', 'error');
    expect(f.evidence).toMatchObject({ file: join(userHome, '.ssh', 'config'), alias: 'devdb', listen: { port }, command: 'ssh -fN devdb' });
  });

  it('without sudo, root’s own (empty) home is read: nothing declared, nothing listening', () => {
    const report = doctor({ SUDO_USER: '' });
    expect(codes(report)).not.toContain('tunnel-not-running');
    expect(codes(report)).toContain('nothing-listening');
  });

  it('leaves this machine’s /etc/passwd alone', () => {
    // getent exits 2 for a name the database does not hold.
    const lookup = spawnSync('getent', ['passwd', USER], { encoding: 'utf8' });
    expect([lookup.status, lookup.stdout]).toEqual([2, '']);
  });
});
