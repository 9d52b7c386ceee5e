import { PortdoctorError } from '../../errors.js';
import type { OsName } from '../types.js';

/**
 * The snapshot format `snapshot/1`: every raw source a back-end reads on a machine — command
 * outputs and file contents exactly as read — so the same back-end can answer from it on any
 * machine (a bug report replayed). A public contract: fields are added, never renamed.
 */
export const SNAPSHOT_FORMAT = 'snapshot/1';

/** The output of one command, as run by the back-end (argument array, no shell). */
export interface CommandSource {
  /** The command line, for people (`netstat -anvl -p tcp`). */
  readonly command: string;
  /** Null when the command could not be started (see `error`) or was killed. */
  readonly exitCode: number | null;
  /** UTF-8 text; `stdoutBase64` instead when the bytes are not valid UTF-8 (Windows code pages). */
  readonly stdout?: string;
  readonly stdoutBase64?: string;
  readonly stderr: string;
  /** Why it did not run to completion: `missing` (not installed), `timeout`, `denied`. */
  readonly error?: string;
}

/** A file's content, or why it could not be read (an errno code such as ENOENT or EACCES). */
export interface FileSource {
  readonly file: string;
  readonly content?: string;
  readonly contentBase64?: string;
  readonly error?: string;
}

/** A symbolic link's target (Linux: `/proc/<pid>/ns/net`, socket fds), or why it could not be read. */
export interface LinkSource {
  readonly link: string;
  readonly target?: string;
  readonly error?: string;
}

/** A directory listing (names only), or why it could not be read. */
export interface DirSource {
  readonly dir: string;
  readonly entries?: readonly string[];
  /** Inode numbers of the entries, in the same order, where the back-end needs them (Linux: /run/netns). */
  readonly inodes?: readonly number[];
  readonly error?: string;
}

export type SnapshotSource = CommandSource | FileSource | LinkSource | DirSource;

export interface SnapshotUser {
  readonly uid: number | null;
  readonly name: string;
  /** root, or an administrator on Windows: what the back-end could see. */
  readonly elevated: boolean;
}

export interface Snapshot {
  readonly portdoctor: typeof SNAPSHOT_FORMAT;
  readonly os: OsName;
  /** `os.release()` of the machine: the kernel / Darwin / Windows build. */
  readonly release: string;
  readonly capturedAt: string;
  readonly user: SnapshotUser;
  /** True when user names, home paths and command-line arguments were replaced by placeholders. */
  readonly redacted?: boolean;
  /** The portdoctor version that recorded it. */
  readonly recordedBy?: string;
  readonly sources: Readonly<Record<string, SnapshotSource>>;
}

export interface SnapshotOptions {
  /** Replace user names, home paths and command-line arguments with stable placeholders. */
  readonly redact?: boolean;
}

const OS_NAMES: readonly string[] = ['linux', 'darwin', 'win32'];

function fail(message: string): never {
  throw new PortdoctorError('bad-usage', message, { hint: "A snapshot is the JSON written by 'portdoctor snapshot'." });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkSource(key: string, value: unknown): SnapshotSource {
  if (!isRecord(value)) fail(`snapshot source "${key}" is not an object.`);
  const strings = (...names: string[]): void => {
    for (const name of names) if (value[name] !== undefined && typeof value[name] !== 'string') fail(`snapshot source "${key}": ${name} is not a string.`);
  };
  if (typeof value['command'] === 'string') {
    strings('stdout', 'stdoutBase64', 'stderr', 'error');
    if (value['exitCode'] !== null && typeof value['exitCode'] !== 'number') fail(`snapshot source "${key}": exitCode is not a number or null.`);
    return { ...value, stderr: typeof value['stderr'] === 'string' ? value['stderr'] : '' } as unknown as CommandSource;
  }
  if (typeof value['file'] === 'string') {
    strings('content', 'contentBase64', 'error');
    return value as unknown as FileSource;
  }
  if (typeof value['link'] === 'string') {
    strings('target', 'error');
    return value as unknown as LinkSource;
  }
  if (typeof value['dir'] === 'string') {
    if (value['entries'] !== undefined && !(Array.isArray(value['entries']) && value['entries'].every((e) => typeof e === 'string'))) fail(`snapshot source "${key}": entries is not a list of names.`);
    return value as unknown as DirSource;
  }
  fail(`snapshot source "${key}" is neither a command, a file, a link nor a directory.`);
}

/**
 * Reads a snapshot document. Throws a usage error (exit 2) that says what is wrong with it:
 * a snapshot of an unknown format must not be half-replayed into a wrong answer.
 *
 * @example
 * const snapshot = parseSnapshot(readFileSync('mac.json', 'utf8'));
 * snapshot.os; // 'darwin'
 */
export function parseSnapshot(text: string): Snapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    fail(`the snapshot is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!isRecord(value)) fail('the snapshot is not a JSON object.');
  if (value['portdoctor'] !== SNAPSHOT_FORMAT) fail(`the snapshot's format is ${JSON.stringify(value['portdoctor'] ?? null)}, not "${SNAPSHOT_FORMAT}" (a newer portdoctor may read it).`);
  if (typeof value['os'] !== 'string' || !OS_NAMES.includes(value['os'])) fail(`the snapshot's os ${JSON.stringify(value['os'] ?? null)} is not one of ${OS_NAMES.join(', ')}.`);
  if (!isRecord(value['sources'])) fail('the snapshot has no "sources" object.');
  const user = isRecord(value['user']) ? value['user'] : {};
  const sources: Record<string, SnapshotSource> = {};
  for (const [key, source] of Object.entries(value['sources'])) sources[key] = checkSource(key, source);
  return {
    portdoctor: SNAPSHOT_FORMAT,
    os: value['os'] as OsName,
    release: typeof value['release'] === 'string' ? value['release'] : '',
    capturedAt: typeof value['capturedAt'] === 'string' ? value['capturedAt'] : '',
    user: {
      uid: typeof user['uid'] === 'number' ? user['uid'] : null,
      name: typeof user['name'] === 'string' ? user['name'] : '',
      elevated: user['elevated'] === true,
    },
    ...(value['redacted'] === true ? { redacted: true } : {}),
    ...(typeof value['recordedBy'] === 'string' ? { recordedBy: value['recordedBy'] } : {}),
    sources,
  };
}

/** Text when the bytes are valid UTF-8, base64 otherwise: the snapshot keeps bytes exact. */
export function encodeBytes(bytes: Buffer): { text: string } | { base64: string } {
  const text = bytes.toString('utf8');
  // A round trip that changes the bytes means they were not UTF-8 (a Windows OEM code page, say).
  return Buffer.from(text, 'utf8').equals(bytes) ? { text } : { base64: bytes.toString('base64') };
}

/** The bytes of a command's stdout or a file's content. */
export function sourceBytes(source: SnapshotSource): Buffer | null {
  if ('command' in source) return source.stdoutBase64 !== undefined ? Buffer.from(source.stdoutBase64, 'base64') : source.stdout !== undefined ? Buffer.from(source.stdout, 'utf8') : null;
  if ('file' in source) return source.contentBase64 !== undefined ? Buffer.from(source.contentBase64, 'base64') : source.content !== undefined ? Buffer.from(source.content, 'utf8') : null;
  return null;
}
