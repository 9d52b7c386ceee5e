import type { FixAdvice } from './advice-types.js';
import { DARWIN_ADVICE } from './darwin/advice.js';
import { LINUX_ADVICE } from './linux/advice.js';
import type { OsName } from './types.js';
import { WIN32_ADVICE } from './win32/advice.js';

export type { AdviceText, FixAdvice } from './advice-types.js';

const BY_OS: Readonly<Record<OsName, FixAdvice>> = { linux: LINUX_ADVICE, darwin: DARWIN_ADVICE, win32: WIN32_ADVICE };

/**
 * The fix wording for an OS. Rules call this with the OS of their facts (which may be a replayed
 * snapshot's, not the machine portdoctor runs on), so they stay pure and OS-free.
 *
 * @example
 * adviceFor('darwin').loopbackDown('lo0').fix; // 'sudo ifconfig lo0 up'
 */
export function adviceFor(os: OsName): FixAdvice {
  return BY_OS[os];
}
