import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after Vitest's own
 * summary, then every skip counted by its reason, so CI logs (and people skimming them) see the
 * counts in a fixed, greppable form. A skip must never be mistaken for a pass:
 * - every skipped test states why in its name (`(needs root: …)`, `(skipped: …)`, `(skipped when
 *   …)`) or in `ctx.skip(note)`; one that does not fails the run;
 * - with PORTDOCTOR_FAIL_ON_SKIP=1 (set by .ci/run, which installs everything the tests use), any
 *   skip fails the run.
 */
/** `(needs …)` or `(skipped …)`, with one level of parentheses inside. */
const REASON = /\(((?:needs |skipped)(?:[^()]|\([^()]*\))*)\)/;

function reasonOf(test: TestCase): string | null {
  const result = test.result();
  if (result.state === 'skipped' && result.note !== undefined && result.note !== '') return result.note;
  for (let node: TestCase | TestCase['parent'] = test; node !== undefined && 'name' in node; node = node.parent) {
    const match = REASON.exec(node.name);
    if (match !== null) return match[1]!;
  }
  return null;
}

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Map<string, number>();
    const unexplained: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          const reason = reasonOf(test);
          if (reason === null) unexplained.push(`${module.moduleId}: ${test.fullName}`);
          else reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
      }
      if (module.state() === 'failed' && module.children.size === 0) failed++;
    }
    const out: string[] = [`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`];
    for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1])) out.push(`  skipped ${count}: ${reason}`);
    for (const test of unexplained) out.push(`  skipped without a stated reason (a defect: say why in the test's name): ${test}`);
    if (process.env['PORTDOCTOR_FAIL_ON_SKIP'] === '1' && skipped > 0) out.push(`FAIL: ${skipped} test(s) skipped, and PORTDOCTOR_FAIL_ON_SKIP=1 (CI installs everything the tests need).`);
    process.stdout.write(`${out.join('\n')}\n`);
    if (unexplained.length > 0 || (process.env['PORTDOCTOR_FAIL_ON_SKIP'] === '1' && skipped > 0)) process.exitCode = 1;
  }
}
