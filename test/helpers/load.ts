import { cpus, loadavg } from 'node:os';

/**
 * Waits, at most `maxMs`, for the 1-minute load average to come down to the core count, so that a
 * speed test measures our code rather than its neighbours; then returns regardless (a busy
 * machine is no reason to skip or pass a test). Returns the load it ends at, for the test's log.
 *
 * @example
 * const load = await settleLoad(60_000);
 */
export async function settleLoad(maxMs: number): Promise<number> {
  const until = Date.now() + maxMs;
  while (loadavg()[0]! > cpus().length && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 1000));
  return loadavg()[0]!;
}
