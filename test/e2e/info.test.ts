import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, ensureBuilt } from '../helpers/built-dist.js';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [`${REPO_ROOT}dist/cli/portdoctor.cjs`, ...args], { timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const [ephemeralFrom, ephemeralTo] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number) as [number, number];
const unprivilegedStart = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));

describe('portdoctor info (built CLI)', () => {
  beforeAll(async () => {
    await ensureBuilt(['cli/bin.ts', 'cli/commands/info.ts', 'cli/registry.ts', 'actions/port-info.ts', 'render/port-info.ts', 'data/services.ts']);
  }, 180_000);

  it('62893 --json: the exact contract; dynamic, and outside the ephemeral range of this machine', async () => {
    const run = await cli('info', '62893', '--json');
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const info = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(info).slice(0, 6)).toEqual(['port', 'range', 'ephemeral', 'reserved', 'privileged', 'services']);
    expect(info).toMatchObject({
      port: 62893,
      range: 'dynamic',
      ephemeral: 62893 >= ephemeralFrom && 62893 <= ephemeralTo,
      privileged: false,
      browserUnsafe: false,
      ephemeralRange: { from: ephemeralFrom, to: ephemeralTo },
    });
    expect(typeof info['reserved']).toBe('boolean');
    expect(Array.isArray(info['services'])).toBe(true);
  });

  it('62893 in text: a short block that says why', async () => {
    const run = await cli('info', '62893');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Port 62893');
    expect(run.stdout).toContain('dynamic (49152-65535)');
    expect(run.stdout).toContain(`ephemeral range ${ephemeralFrom}-${ephemeralTo}`);
    expect(run.stdout.split('\n').length).toBeLessThan(30);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('22: well-known, ssh from the curated table and from /etc/services, refused by browsers', async () => {
    const info = JSON.parse((await cli('info', '22', '--json')).stdout) as { range: string; privileged: boolean; browserUnsafe: boolean; services: { name: string; source: string }[] };
    expect(info.range).toBe('well-known');
    expect(info.privileged).toBe(22 < unprivilegedStart);
    expect(info.browserUnsafe).toBe(true);
    expect(info.services).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ssh', source: 'curated' }), expect.objectContaining({ name: 'ssh', source: '/etc/services' })]));
    expect((await cli('info', '22')).stdout).toContain('ERR_UNSAFE_PORT');
  });

  it('5173: Vite', async () => {
    const run = await cli('info', '5173');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/vite\/tcp: Vite dev server/);
    expect(run.stdout).toContain('registered (1024-49151)');
  });

  it('bad input: exit 2 with one line on stderr', async () => {
    for (const args of [['info', 'abc'], ['info', '70000'], ['info', '0'], ['info'], ['info', '1', '2'], ['info', '--bogus', '80']]) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^portdoctor: /);
    }
  });

  it('--help', async () => {
    const run = await cli('info', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: portdoctor info PORT/);
  });
});
