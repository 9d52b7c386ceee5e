import { constants } from 'node:os';
import { errnoCode, usageError } from '../errors.js';

/** The outcome of one signal: delivered, no such process (ESRCH), or not allowed (EPERM). */
export type SignalOutcome = 'sent' | 'gone' | 'permission-denied';

const SIGNAL_NAMES: ReadonlySet<string> = new Set(Object.keys(constants.signals));

/**
 * `TERM`, `term`, `SIGTERM` or a number → the canonical name `SIGTERM`. Throws a usage error
 * for a name this system does not know (bad input, exit 2).
 *
 * @example
 * parseSignalName('hup'); // 'SIGHUP'
 * parseSignalName('9');   // 'SIGKILL'
 */
export function parseSignalName(text: string): NodeJS.Signals {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const number = Number(trimmed);
    const name = Object.entries(constants.signals).find(([, value]) => value === number)?.[0];
    if (name !== undefined) return name as NodeJS.Signals;
  } else {
    const upper = trimmed.toUpperCase();
    const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
    if (SIGNAL_NAMES.has(name)) return name as NodeJS.Signals;
  }
  throw usageError(`--signal "${text}" is not a signal name.`, 'Write e.g. TERM, SIGINT, HUP or 9.');
}

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
