import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** scripts/smoke.mjs is what CI runs on macOS and Windows; here it proves itself on Linux. */
describe('the cross-OS smoke test (scripts/smoke.mjs)', () => {
  it('serves a port, finds it with who and the doctor, kills it, and sees it free', () => {
    const result = spawnSync(process.execPath, [join(import.meta.dirname, '../../scripts/smoke.mjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout + result.stderr).toContain('smoke: all checks passed');
    expect(result.status).toBe(0);
  });
});
