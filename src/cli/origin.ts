import { adviceFor } from '../platform/advice.js';
import { platform } from '../platform/index.js';
import type { OsName, PlatformOrigin } from '../platform/types.js';

/** Whose machine the answer describes: the OS (for wording) and, on a replay, the snapshot. */
export interface AnswerOrigin {
  readonly os: OsName;
  /** Added to JSON output on a replay (absent on a live run, so live JSON keeps its shape). */
  readonly jsonFields: { readonly replay?: Extract<PlatformOrigin, { kind: 'replay' }> & { readonly os: OsName } };
  /** A line for people on a replay, else null. */
  readonly note: string | null;
}

export async function answerOrigin(): Promise<AnswerOrigin> {
  const os = await platform();
  if (os.origin.kind !== 'replay') return { os: os.os, jsonFields: {}, note: null };
  const origin = os.origin;
  return {
    os: os.os,
    jsonFields: { replay: { ...origin, os: os.os } },
    note: `(replayed from ${origin.file ?? 'a snapshot'}: ${os.os} ${origin.release}, recorded ${origin.capturedAt}${origin.user.elevated ? ` as ${adviceFor(os.os).privilegedUser}` : ` as ${origin.user.name || 'a normal user'}`})`,
  };
}
