import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { errnoCode } from '../../errors.js';
import { encodeBytes, sourceBytes, type CommandSource, type Snapshot, type SnapshotSource } from './format.js';

/** A command's result, from the live machine or from a snapshot. */
export interface CommandRun {
  /** True when the command ran and exited 0. */
  readonly ok: boolean;
  /** stdout decoded as UTF-8 (see `bytes` for other encodings). */
  readonly stdout: string;
  readonly bytes: Buffer;
  readonly stderr: string;
  readonly exitCode: number | null;
  /** Why it did not run to completion; `not-recorded` when a snapshot lacks the source. */
  readonly failure: 'missing' | 'timeout' | 'exit' | 'denied' | 'not-recorded' | null;
}

/** A file's content, or why it could not be read (an errno code, or `not-recorded`). */
export type FileRead = { readonly ok: true; readonly text: string; readonly bytes: Buffer } | { readonly ok: false; readonly code: string };

/** A directory's entry names (sorted), or why it could not be listed. */
export type DirRead = { readonly ok: true; readonly entries: readonly string[] } | { readonly ok: false; readonly code: string };

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly maxBuffer?: number;
  /** Extra environment (the live reader always sets LC_ALL=C so output is parseable). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The one door through which a back-end reads its raw sources: `run` a command, read a `file`.
 * Each read has a key (the snapshot's source key). The live reader asks the machine (and, when
 * recording, keeps what it saw); the replay reader answers from a snapshot and never touches
 * the machine. Parsers downstream are the same either way.
 */
export interface SourceReader {
  readonly replaying: boolean;
  run(key: string, command: string, args: readonly string[], options?: RunOptions): Promise<CommandRun>;
  file(key: string, path: string): Promise<FileRead>;
  /** Lists a directory (names only, sorted byte-wise). */
  dir(key: string, path: string): Promise<DirRead>;
}

function commandLine(command: string, args: readonly string[]): string {
  return [command, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part.replaceAll("'", "'\\''")}'`)).join(' ');
}

function runLive(command: string, args: readonly string[], options: RunOptions): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      {
        env: { ...process.env, LC_ALL: 'C', LANG: 'C', ...options.env },
        timeout: options.timeoutMs ?? 5000,
        maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
        encoding: 'buffer',
        windowsHide: true,
      },
      (error, stdoutBytes, stderrBytes) => {
        const bytes = Buffer.isBuffer(stdoutBytes) ? stdoutBytes : Buffer.alloc(0);
        const stdout = bytes.toString('utf8');
        const stderr = Buffer.isBuffer(stderrBytes) ? stderrBytes.toString('utf8') : '';
        if (error === null) {
          resolve({ ok: true, stdout, bytes, stderr, exitCode: 0, failure: null });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        const killed = (error as { killed?: boolean }).killed === true;
        const failure = code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'denied' : killed ? 'timeout' : 'exit';
        resolve({ ok: false, stdout, bytes, stderr, exitCode: typeof code === 'number' ? code : null, failure });
      },
    );
  });
}

async function readLive(path: string): Promise<FileRead> {
  try {
    const bytes = await readFile(path);
    return { ok: true, text: bytes.toString('utf8'), bytes };
  } catch (error) {
    return { ok: false, code: errnoCode(error) ?? 'EIO' };
  }
}

async function listLive(path: string): Promise<DirRead> {
  try {
    return { ok: true, entries: (await readdir(path)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
  } catch (error) {
    return { ok: false, code: errnoCode(error) ?? 'EIO' };
  }
}

function recordCommand(command: string, args: readonly string[], run: CommandRun): CommandSource {
  const encoded = encodeBytes(run.bytes);
  return {
    command: commandLine(command, args),
    exitCode: run.exitCode,
    ...('text' in encoded ? { stdout: encoded.text } : { stdoutBase64: encoded.base64 }),
    stderr: run.stderr,
    ...(run.failure !== null && run.failure !== 'exit' ? { error: run.failure } : {}),
  };
}

/**
 * Reads this machine. With `recording`, every source read is also kept there under its key,
 * exactly as read: that map is the `sources` of a snapshot.
 *
 * @example
 * const sources = new Map();
 * const reader = liveReader(sources);
 * await reader.run('netstat-tcp', 'netstat', ['-anvl', '-p', 'tcp']);
 * sources.get('netstat-tcp'); // { command: 'netstat -anvl -p tcp', exitCode: 0, stdout: '…', stderr: '' }
 */
export function liveReader(recording?: Map<string, SnapshotSource>): SourceReader {
  return {
    replaying: false,
    async run(key, command, args, options = {}) {
      const run = await runLive(command, args, options);
      recording?.set(key, recordCommand(command, args, run));
      return run;
    },
    async file(key, path) {
      const read = await readLive(path);
      if (recording !== undefined) {
        if (read.ok) {
          const encoded = encodeBytes(read.bytes);
          recording.set(key, { file: path, ...('text' in encoded ? { content: encoded.text } : { contentBase64: encoded.base64 }) });
        } else recording.set(key, { file: path, error: read.code });
      }
      return read;
    },
    async dir(key, path) {
      const read = await listLive(path);
      recording?.set(key, read.ok ? { dir: path, entries: read.entries } : { dir: path, error: read.code });
      return read;
    },
  };
}

const NOT_RECORDED: CommandRun = { ok: false, stdout: '', bytes: Buffer.alloc(0), stderr: '', exitCode: null, failure: 'not-recorded' };

/**
 * Answers from a snapshot: a command or file the snapshot does not hold is `not-recorded`, so
 * the back-end says what was missing instead of guessing.
 *
 * @example
 * const reader = replayReader(parseSnapshot(text));
 * (await reader.file('hosts', '/etc/hosts')).ok;
 */
export function replayReader(snapshot: Pick<Snapshot, 'sources'>): SourceReader {
  return {
    replaying: true,
    async run(key) {
      const source = snapshot.sources[key];
      if (source === undefined || !('command' in source)) return NOT_RECORDED;
      const failure = source.error === 'missing' || source.error === 'timeout' || source.error === 'denied' ? source.error : source.exitCode === 0 ? null : 'exit';
      const common: Omit<CommandRun, 'stdout' | 'bytes'> = { ok: failure === null, stderr: source.stderr, exitCode: source.exitCode, failure };
      if (source.stdoutBase64 === undefined) {
        // Text as recorded: the bytes are made only if asked for (a 2,000-socket table is ~700 kB).
        const stdout = source.stdout ?? '';
        let bytes: Buffer | undefined;
        return {
          ...common,
          stdout,
          get bytes() {
            bytes ??= Buffer.from(stdout, 'utf8');
            return bytes;
          },
        };
      }
      const bytes = sourceBytes(source) ?? Buffer.alloc(0);
      return { ...common, stdout: bytes.toString('utf8'), bytes };
    },
    async file(key) {
      const source = snapshot.sources[key];
      if (source === undefined || !('file' in source)) return { ok: false, code: 'not-recorded' };
      const bytes = sourceBytes(source);
      if (bytes === null) return { ok: false, code: source.error ?? 'EIO' };
      return { ok: true, text: bytes.toString('utf8'), bytes };
    },
    async dir(key) {
      const source = snapshot.sources[key];
      if (source === undefined || !('dir' in source)) return { ok: false, code: 'not-recorded' };
      return source.entries === undefined ? { ok: false, code: source.error ?? 'EIO' } : { ok: true, entries: source.entries };
    },
  };
}
