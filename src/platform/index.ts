import { readFile } from 'node:fs/promises';
import { errnoCode, PortdoctorError } from '../errors.js';
import { parseSnapshot, type Snapshot } from './snapshot/format.js';
import type { OsName, Platform, PlatformOrigin } from './types.js';

export type { OsName, Platform, PlatformOrigin } from './types.js';

import { REPLAY_ENV } from './replay-env.js';

export { REPLAY_ENV } from './replay-env.js';

let chosen: Promise<Platform> | undefined;
let replay: { readonly snapshot: Snapshot; readonly file: string | null } | undefined;

/**
 * The back-end every question goes to, chosen once: the replay of a snapshot when one was given
 * (`useReplay`, or the PORTDOCTOR_REPLAY environment variable), else the live back-end of this OS.
 * The only place that reads `process.platform`.
 *
 * @example
 * const os = await platform();
 * os.os;            // 'linux'
 * os.origin.kind;   // 'live'
 */
export function platform(): Promise<Platform> {
  chosen ??= choose();
  return chosen;
}

/**
 * Answer every later question from `snapshot` instead of this machine (the CLI's `--replay FILE`).
 *
 * @example
 * useReplay(await loadSnapshotFile('mac.json'), 'mac.json');
 * (await platform()).os; // 'darwin', on any machine
 */
export function useReplay(snapshot: Snapshot, file: string | null = null): void {
  replay = { snapshot, file };
  chosen = undefined;
}

/** Back to the live machine (undoes `useReplay`; PORTDOCTOR_REPLAY is read again). */
export function useLiveMachine(): void {
  replay = undefined;
  chosen = undefined;
}

/**
 * Reads and checks a snapshot file. A missing or malformed file is a usage error (exit 2) that
 * says what is wrong.
 *
 * @example
 * const snapshot = await loadSnapshotFile('bug-1234.json');
 */
export async function loadSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PortdoctorError('bad-usage', `Cannot read the snapshot ${path} (${errnoCode(error) ?? String(error)}).`, { hint: "Give the JSON file written by 'portdoctor snapshot --out FILE'." });
  }
  try {
    return parseSnapshot(text);
  } catch (error) {
    if (error instanceof PortdoctorError) throw new PortdoctorError(error.code, `${path}: ${error.message}`, { hint: error.hint });
    throw error;
  }
}

/**
 * True when answers will come from a snapshot (`useReplay`, or PORTDOCTOR_REPLAY), without
 * loading it: commands that need the live machine refuse early.
 */
export function replayRequested(): boolean {
  return replay !== undefined || (process.env[REPLAY_ENV] ?? '') !== '';
}

/** The OS portdoctor itself runs on, or null when there is no back-end for it. */
export function hostOs(): OsName | null {
  return process.platform === 'linux' || process.platform === 'darwin' || process.platform === 'win32' ? process.platform : null;
}

async function choose(): Promise<Platform> {
  if (replay === undefined) {
    const file = process.env[REPLAY_ENV];
    if (file !== undefined && file !== '') replay = { snapshot: await loadSnapshotFile(file), file };
  }
  if (replay !== undefined) return replayPlatform(replay.snapshot, replay.file);
  return livePlatform();
}

async function livePlatform(): Promise<Platform> {
  const os = hostOs();
  if (os === 'linux') return (await import('./linux/index.js')).createLinuxPlatform();
  if (os === 'darwin') return (await import('./darwin/index.js')).createDarwinPlatform();
  if (os === 'win32') return (await import('./win32/index.js')).createWin32Platform();
  throw new PortdoctorError('unsupported-platform', `portdoctor does not support ${process.platform}; it runs on Linux, macOS and Windows.`, {
    hint: "Record a snapshot on a supported machine ('portdoctor snapshot') to replay it here.",
  });
}

async function replayPlatform(snapshot: Snapshot, file: string | null): Promise<Platform> {
  const origin: PlatformOrigin = { kind: 'replay', file, capturedAt: snapshot.capturedAt, release: snapshot.release, user: snapshot.user, redacted: snapshot.redacted === true };
  if (snapshot.os === 'linux') return (await import('./linux/index.js')).createLinuxReplayPlatform(snapshot, origin);
  if (snapshot.os === 'darwin') return (await import('./darwin/index.js')).createDarwinPlatform(snapshot, origin);
  return (await import('./win32/index.js')).createWin32Platform(snapshot, origin);
}
