import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above test/helpers). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Makes sure dist/ holds a compiled copy of `sources` (paths under src/, e.g. 'collectors/loopback.ts')
 * that is newer than the source, for tests that must run our code in another process (another
 * uid, another network namespace). Builds with --noEmitOnError false because the tree is shared
 * and another half-written file must not stop ours from being emitted.
 */
export async function ensureBuilt(sources: readonly string[]): Promise<void> {
  const stale = sources.some((source) => {
    const js = `${REPO_ROOT}dist/${source.replace(/\.ts$/, '.js')}`;
    return !existsSync(js) || statSync(js).mtimeMs < statSync(`${REPO_ROOT}src/${source}`).mtimeMs;
  });
  if (!stale) return;
  await new Promise<void>((resolve) => {
    execFile('npx', ['tsc', '-p', 'tsconfig.build.json', '--noEmitOnError', 'false'], { cwd: REPO_ROOT, timeout: 180_000 }, () => resolve());
  });
  for (const source of sources) {
    const js = `${REPO_ROOT}dist/${source.replace(/\.ts$/, '.js')}`;
    if (!existsSync(js)) throw new Error(`build did not produce ${js}`);
  }
}

/** file:// URL of a compiled module, for `import()` in a child process. */
export function distUrl(source: string): string {
  return new URL(`dist/${source.replace(/\.ts$/, '.js')}`, `file://${REPO_ROOT}`).href;
}

let publicRoot: string | undefined;

/**
 * A world-readable copy of dist/ (with package.json, which marks the files as ES modules), for
 * tests that run our code as an unprivileged user: the checkout itself may live under a
 * directory that user cannot enter (CI clones wherever it likes, e.g. under /root). Made once
 * per test process, under the system temp directory.
 */
export function publicDist(): string {
  if (publicRoot !== undefined) return publicRoot;
  const root = mkdtempSync(join(tmpdir(), 'portdoctor-dist-'));
  cpSync(`${REPO_ROOT}dist`, join(root, 'dist'), { recursive: true });
  copyFileSync(`${REPO_ROOT}package.json`, join(root, 'package.json'));
  // The runtime dependencies too (the config scan loads yaml and jsonc-parser), as an npm install would.
  const { dependencies = {} } = JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies)) cpSync(`${REPO_ROOT}node_modules/${name}`, join(root, 'node_modules', name), { recursive: true });
  const open = (path: string): void => {
    chmodSync(path, 0o755);
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) open(join(path, entry.name));
      else chmodSync(join(path, entry.name), 0o644);
    }
  };
  open(root);
  publicRoot = root;
  return root;
}

/** file:// URL of a compiled module in the world-readable copy (for `import()` as another user). */
export function publicDistUrl(source: string): string {
  return new URL(`dist/${source.replace(/\.ts$/, '.js')}`, `file://${publicDist()}/`).href;
}

/** The built CLI in the world-readable copy. */
export function publicCli(): string {
  return join(publicDist(), 'dist', 'cli', 'portdoctor.cjs');
}

/**
 * A world-readable copy of a test helper script (test/helpers/NAME), next to the copy of dist/,
 * for a process started as another user.
 */
export function publicHelper(name: string): string {
  const target = join(publicDist(), 'helpers', name);
  if (!existsSync(target)) {
    cpSync(`${REPO_ROOT}test/helpers/${name}`, target);
    chmodSync(join(publicDist(), 'helpers'), 0o755);
    chmodSync(target, 0o644);
  }
  return target;
}

/** True when a prefix runs the command as another user (setpriv --reuid=…). */
export function runsAsAnotherUser(prefix: readonly string[]): boolean {
  return prefix.includes('setpriv');
}
