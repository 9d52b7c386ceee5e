import { constants } from 'node:os';
import { usageError } from '../errors.js';

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

