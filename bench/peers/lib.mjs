// Shared helpers for the peer wrappers.
// (Copied from the team's reference harness, ../shared/bench/peers/lib.mjs.)
// Each wrapper: loads its peer with a dynamic import (timed), calls it once
// (timed), prints the answer on stdout in a simple line format.
// With BENCH_CALL_MS=1 it also prints "import_ms=<x> call_ms=<y>" on stderr; with
// BENCH_CALL_LOG=<file> it appends "<import> <call>" to that file (the harness sets it during
// hyperfine runs and reports the medians as the in-process cost, excluding Node start-up).
import { performance } from 'node:perf_hooks';
import { appendFileSync } from 'node:fs';

export function intArg(i, def) {
  const v = process.argv[2 + i];
  if (v === undefined || v === '') {
    if (def !== undefined) return def;
    console.error(`usage: ${process.argv[1]} PORT`);
    process.exit(2);
  }
  const n = Number.parseInt(v, 10);
  if (!Number.isInteger(n)) { console.error(`not a number: ${v}`); process.exit(2); }
  return n;
}

export async function bench(load, call) {
  const t0 = performance.now();
  const mod = await load();
  const t1 = performance.now();
  const out = await call(mod);
  const t2 = performance.now();
  if (process.env.BENCH_CALL_MS) {
    process.stderr.write(`import_ms=${(t1 - t0).toFixed(2)} call_ms=${(t2 - t1).toFixed(2)}\n`);
  }
  // during hyperfine runs the harness sets BENCH_CALL_LOG: one "import call" line per run
  if (process.env.BENCH_CALL_LOG) appendFileSync(process.env.BENCH_CALL_LOG, `${(t1 - t0).toFixed(3)} ${(t2 - t1).toFixed(3)}\n`);
  return out;
}

export function printLines(lines) {
  if (lines.length) process.stdout.write(lines.join('\n') + '\n');
}
