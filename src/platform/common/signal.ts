import { errnoCode } from '../../errors.js';
import type { SignalOutcome } from '../types.js';

/**
 * Sends one signal. Expected failures are values: the process exited (ESRCH) or belongs to
 * someone else (EPERM). Never throws for those.
 *
 * @example
 * sendSignal(12345, 'SIGTERM'); // 'sent' | 'gone' | 'permission-denied'
 */
export function sendSignal(pid: number, signal: NodeJS.Signals): SignalOutcome {
  try {
    process.kill(pid, signal);
    return 'sent';
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ESRCH') return 'gone';
    if (code === 'EPERM') return 'permission-denied';
    throw error;
  }
}

/**
 * How `kill` words its signals where SIGTERM exists (Linux, macOS).
 *
 * @example
 * posixSignalPlan({ signal: 'SIGTERM', escalate: true, graceMs: 5000 });
 * // 'SIGTERM, then SIGKILL after 5s to any that still holds the port, if confirmed'
 */
export function posixSignalPlan(input: { readonly signal: string; readonly escalate: boolean; readonly graceMs: number }): string {
  return input.escalate ? `${input.signal}, then SIGKILL after ${input.graceMs / 1000}s to any that still holds the port, if confirmed` : input.signal;
}
