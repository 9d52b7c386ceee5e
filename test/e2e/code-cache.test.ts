import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { isRoot } from '../helpers/processes.js';

/**
 * The bin (scripts/cli-loader.cjs) runs the bundle through V8's code cache, kept per user. It must
 * never change what the CLI does: a missing, corrupt or foreign cache is ignored or rewritten.
 */
describe("the bin's V8 code cache", () => {
  const root = mkdtempSync(join(tmpdir(), 'pd-cache-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const cacheDir = (home: string): string => join(home, 'portdoctor');
  const files = (home: string): string[] => readdirSync(cacheDir(home));

  it('is written after the first run (0700 directory, 0600 file) and used by the next, with the same output', () => {
    const home = join(root, 'first');
    const first = runCli(['info', '5432', '--json'], { env: { XDG_CACHE_HOME: home } });
    expect(first.code).toBe(0);
    // One cache per bundle the run loaded: the entry and the command's own.
    expect(files(home).map((name) => name.replace(/-\d.*$/, '')).sort()).toEqual(['command-info', 'portdoctor-main']);
    expect(statSync(cacheDir(home)).mode & 0o777).toBe(0o700);
    for (const name of files(home)) expect(statSync(join(cacheDir(home), name)).mode & 0o777).toBe(0o600);
    const written = files(home).map((name) => statSync(join(cacheDir(home), name)).mtimeMs);
    const second = runCli(['info', '5432', '--json'], { env: { XDG_CACHE_HOME: home } });
    expect(second.stdout).toBe(first.stdout);
    // Accepted, so not rewritten.
    expect(files(home).map((name) => statSync(join(cacheDir(home), name)).mtimeMs)).toEqual(written);
  });

  it('a corrupt cache is rejected by V8 and rewritten; the run is unaffected', () => {
    const home = join(root, 'corrupt');
    runCli(['info', '80', '--json'], { env: { XDG_CACHE_HOME: home } });
    const file = join(cacheDir(home), files(home).find((name) => name.startsWith('command-info-'))!);
    writeFileSync(file, Buffer.alloc(4096, 7));
    const run = runCli(['info', '80', '--json'], { env: { XDG_CACHE_HOME: home } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ port: 80, range: 'well-known' });
    expect(readFileSync(file).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('PORTDOCTOR_NO_CODE_CACHE=1 writes nothing', () => {
    const home = join(root, 'off');
    expect(runCli(['--version'], { env: { XDG_CACHE_HOME: home, PORTDOCTOR_NO_CODE_CACHE: '1' } }).stdout.trim()).toBe('0.1.0');
    expect(() => readdirSync(cacheDir(home))).toThrow();
  });

  it.skipIf(!isRoot)('a cache directory that is not ours (or is group/world-writable) is never read (needs root: chown)', () => {
    const home = join(root, 'foreign');
    mkdirSync(cacheDir(home), { recursive: true });
    chownSync(cacheDir(home), 65534, 65534);
    writeFileSync(join(cacheDir(home), 'planted'), 'x');
    const run = runCli(['--version'], { env: { XDG_CACHE_HOME: home } });
    expect(run.stdout.trim()).toBe('0.1.0');
    expect(files(home)).toEqual(['planted']);
    chownSync(cacheDir(home), 0, 0);
    chmodSync(cacheDir(home), 0o777);
    expect(runCli(['--version'], { env: { XDG_CACHE_HOME: home } }).stdout.trim()).toBe('0.1.0');
    expect(files(home)).toEqual(['planted']);
  });
});
