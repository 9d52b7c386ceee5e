/**
 * When `wait` tries an address again. A pure function, so the attempt rate can be reasoned about
 * (and tested) without sockets.
 *
 * Why these numbers: a refused connect on loopback is a SYN answered by a RST inside the kernel,
 * no packet leaves the machine. Measured on a 2-core VM: 0.10–0.15 ms of CPU per attempt in a
 * tight loop, about 0.4 ms when each tick wakes an idle process; the default steady state (two
 * loopback addresses every 10 ms) costs ≈ 0.08 s of CPU per second of waiting on a busy machine,
 * `--interval 50ms` ≈ 0.03 s. Being quick is the point of a waiter: the npm waiters poll every
 * 250 ms (wait-on) or 1000 ms (wait-port), which is where their 100–600 ms median detection
 * latency comes from. The rate is still bounded, per address:
 *
 * - the first {@link FAST_START_MS} ms (on loopback {@link LOOPBACK_FAST_START_MS} ms): one
 *   attempt every {@link FAST_INTERVAL_MS} ms (≤ 200/s) — most servers a CI job waits for come up
 *   within a second or two, and those are caught within a few milliseconds (measured with
 *   bench/wait-latency.mjs: a 200 ms window left ours at 7.9× wait-on's median, short of the 10×
 *   asked; 2 s costs ≈ 0.05 s more CPU per wait);
 * - then the interval grows ×1.5 per attempt up to the cap: {@link LOOPBACK_MAX_INTERVAL_MS} ms on
 *   loopback (≤ 100/s), {@link REMOTE_MAX_INTERVAL_MS} ms for
 *   other addresses (≤ 10/s: another machine, or a resolver, deserves gentler treatment);
 * - once a server *answers* but is not ready yet (an HTTP 503), at least
 *   {@link ANSWERED_MIN_INTERVAL_MS} ms (≤ 20 requests/s): each request costs the application
 *   real work while it is starting.
 *
 * The attempts of one target's addresses are started together on one ticker (see wait.ts), so
 * their answers arrive in one event-loop wake-up; an address with an attempt still in flight
 * skips ticks. A caller's `maxIntervalMs` replaces the cap, the answered floor included (and the fast start
 * never exceeds it).
 */

export const FAST_START_MS = 200;
export const LOOPBACK_FAST_START_MS = 2000;
export const FAST_INTERVAL_MS = 5;
export const LOOPBACK_MAX_INTERVAL_MS = 10;
export const REMOTE_MAX_INTERVAL_MS = 100;
export const ANSWERED_MIN_INTERVAL_MS = 50;
const GROWTH = 1.5;

export interface ScheduleInput {
  /** Milliseconds since this address was first tried. */
  readonly sinceStartMs: number;
  /** The delay used before the previous attempt, or null after the first attempt. */
  readonly previousDelayMs: number | null;
  /** True for 127.0.0.0/8, ::1 and bind attempts (which never leave the machine). */
  readonly loopback: boolean;
  /** True when the last attempt got an answer that was not "ready" (e.g. HTTP 503). */
  readonly answered: boolean;
  /** The caller's cap on the interval, replacing the default cap. */
  readonly maxIntervalMs?: number | undefined;
}

/**
 * The delay in milliseconds before the next attempt on one address.
 *
 * @example
 * nextAttemptDelay({ sinceStartMs: 50, previousDelayMs: 5, loopback: true, answered: false }); // 5
 * nextAttemptDelay({ sinceStartMs: 5000, previousDelayMs: 10, loopback: true, answered: false }); // 10
 */
export function nextAttemptDelay(input: ScheduleInput): number {
  const cap = input.maxIntervalMs ?? (input.loopback ? LOOPBACK_MAX_INTERVAL_MS : REMOTE_MAX_INTERVAL_MS);
  const fast = Math.min(FAST_INTERVAL_MS, cap);
  if (input.answered) return input.maxIntervalMs ?? Math.max(cap, ANSWERED_MIN_INTERVAL_MS);
  const fastWindow = input.loopback ? LOOPBACK_FAST_START_MS : FAST_START_MS;
  if (input.sinceStartMs < fastWindow || input.previousDelayMs === null) return fast;
  return Math.min(cap, Math.max(fast, input.previousDelayMs * GROWTH));
}
