import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const WORKFLOW = join(ROOT, '.github/workflows/ci.yml');
const validate = (file: string): { status: number | null; output: string } => {
  const result = spawnSync(join(ROOT, 'node_modules/.bin/action-validator'), [file], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

/** The GitHub Actions workflow is checked by a workflow linter (@action-validator/cli, from npm). */
describe('.github/workflows/ci.yml', () => {
  it('is a valid workflow', () => {
    const result = validate(WORKFLOW);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('the linter does catch a broken one (a misspelt key)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-workflow-'));
    try {
      const broken = join(dir, 'ci.yml');
      writeFileSync(broken, readFileSync(WORKFLOW, 'utf8').replace('runs-on: ${{ matrix.os }}', 'run-on: ${{ matrix.os }}'));
      expect(validate(broken).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the unit tests and the smoke test on Linux, macOS and Windows, and the whole suite through .ci/run', () => {
    const text = readFileSync(WORKFLOW, 'utf8');
    expect(text).toContain('os: [ubuntu-latest, macos-latest, windows-latest]');
    expect(text).toContain('node scripts/smoke.mjs');
    expect(text).toContain('bash .ci/run');
  });
});
