import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createDarwinPlatform } from '../../src/platform/darwin/index.js';
import type { Snapshot } from '../../src/platform/snapshot/format.js';
import { bigLsof, bigNetstat, bigPs, SOCKETS } from '../helpers/darwin-big.js';
import { distUrl, ensureBuilt } from '../helpers/built-dist.js';
import { settleLoad } from '../helpers/load.js';

const BUDGET_MS = 50;
/**
 * The cold figure: one call in a fresh `node` that has just loaded the built back-end, CPU time,
 * best of five fresh processes. The aim was the warm budget (a user runs `ls --replay` once), not
 * reached: on the shared 2-core machine where `node -e 0` alone takes 100-110 ms of CPU, one cold
 * call measured 177-187 ms before the cold work and 107-131 ms after, alone. Most of what is left
 * is V8 optimising the hot functions on the way (with `--no-opt` the same call takes 60-70 ms): a
 * one-shot run pays for compilation it barely uses. Inside the whole suite, with other test files
 * running beside it on both cores, the best of three measured 158 ms once, so the budget is a
 * guard against a gross regression (a quadratic join, a per-row regex), with room for a busy
 * machine; it would not catch a return to the old 180 ms. The figures are printed on every run.
 */
const COLD_BUDGET_MS = 220;
const FRESH_PROCESSES = 5;

/** A replayed Mac with 2,000 sockets: netstat, lsof -F0 and ps of that size (test/helpers/darwin-big.ts). */
function bigSnapshot(): Snapshot {
  const run = (command: string, stdout: string) => ({ command, exitCode: 0, stdout, stderr: '' });
  return {
    portdoctor: 'snapshot/1',
    os: 'darwin',
    release: '25.0.0',
    capturedAt: '2026-09-20T10:00:00.000Z',
    user: { uid: 501, name: 'agent', elevated: false },
    sources: { 'netstat-tcp': run('netstat -anvl -p tcp', bigNetstat()), 'netstat-udp': run('netstat -anvl -p udp', ''), 'lsof-inet': run('lsof', bigLsof()), ps: run('ps', bigPs()), tz: run('date +%z', '+0200\n') },
  };
}

/**
 * Parsing and joining a recorded snapshot of 2,000 sockets in-process (`listSockets` of the
 * replaying back-end: netstat, lsof and ps parsed, joined, every holder described). The machine is
 * shared by other test runs, so CPU time is measured: the warm budget applies to the warm runs'
 * best, the cold budget to the best of three fresh `node` processes that each load the built
 * back-end and make one call (after a bounded wait for the load to settle). The first call in
 * this process is printed beside them.
 */
describe('macOS inventory speed', () => {
  it(`lists a replayed snapshot of ${SOCKETS} sockets in under ${BUDGET_MS} ms warm and ${COLD_BUDGET_MS} ms cold (fresh node)`, async () => {
    const snapshot = bigSnapshot();
    const origin = { kind: 'replay' as const, file: null, capturedAt: snapshot.capturedAt, release: snapshot.release, user: snapshot.user, redacted: false };
    const cpu: number[] = [];
    const wall: number[] = [];
    for (let run = 0; run < 15; run++) {
      const mac = createDarwinPlatform(snapshot, origin);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const { sockets } = await mac.listSockets({ states: 'all' });
      wall.push(performance.now() - started);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      expect(sockets.length).toBeGreaterThanOrEqual(SOCKETS);
      expect(sockets.filter((s) => s.processes.length > 0).length).toBeGreaterThanOrEqual(SOCKETS);
    }

    await ensureBuilt(['platform/darwin/index.ts', 'platform/snapshot/format.ts']);
    const dir = mkdtempSync(join(tmpdir(), 'pd-darwin-speed-'));
    const fresh: { cpu: number; wall: number }[] = [];
    const load = await settleLoad(60_000);
    try {
      const file = join(dir, 'big.json');
      writeFileSync(file, JSON.stringify(snapshot));
      const script = `
        const { readFileSync } = await import('node:fs');
        const { parseSnapshot } = await import(${JSON.stringify(distUrl('platform/snapshot/format.ts'))});
        const { createDarwinPlatform } = await import(${JSON.stringify(distUrl('platform/darwin/index.ts'))});
        const snapshot = parseSnapshot(readFileSync(${JSON.stringify(file)}, 'utf8'));
        const mac = createDarwinPlatform(snapshot, { kind: 'replay', file: null, capturedAt: '', release: '', user: snapshot.user, redacted: false });
        const before = process.cpuUsage(); const t = performance.now();
        const { sockets } = await mac.listSockets({ states: 'all' });
        const used = process.cpuUsage(before);
        if (sockets.length < ${SOCKETS}) throw new Error('too few sockets');
        console.log(JSON.stringify({ cpu: (used.user + used.system) / 1000, wall: performance.now() - t }));`;
      for (let run = 0; run < FRESH_PROCESSES; run++) fresh.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { cpu: number; wall: number });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const warm = cpu.slice(1);
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Infinity;
    const cold = fresh.reduce((best, run) => (run.cpu < best.cpu ? run : best));
    console.log(
      `darwin listSockets of a ${SOCKETS}-socket snapshot (1-min load ${load.toFixed(1)}): cold (fresh node, best of ${FRESH_PROCESSES}: ${fresh.map((r) => r.cpu.toFixed(1)).join(', ')}) ${cold.cpu.toFixed(1)} ms CPU / ${cold.wall.toFixed(1)} ms wall; ` +
        `first in-process ${cpu[0]?.toFixed(1)} ms CPU / ${wall[0]?.toFixed(1)} ms wall; warm best ${Math.min(...warm).toFixed(1)} ms CPU, median ${median(warm).toFixed(1)} ms CPU / ${median(wall.slice(1)).toFixed(1)} ms wall`,
    );
    expect(Math.min(...warm)).toBeLessThan(BUDGET_MS);
    expect(cold.cpu).toBeLessThan(COLD_BUDGET_MS);
  }, 300_000);
});
