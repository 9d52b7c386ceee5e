import { open, type FileHandle } from 'node:fs/promises';
import type { Collected } from '../../types.js';
import { errnoCode } from '../../errors.js';
import type { RawLogLine } from '../../logs/types.js';

export interface TailOptions {
  /** Read at most this many bytes from the end (default 256 KiB). */
  readonly maxBytes?: number;
  /** Count the lines before the tail (for line numbers) only in files up to this size (default 32 MiB). */
  readonly maxCountBytes?: number;
  /** What to call the file in `source` (default: the path). */
  readonly source?: string;
}

/**
 * The last lines of a log file, with their line numbers when the file is small enough to count
 * the lines before the tail. A first partial line is dropped. Only regular files are read: a
 * pipe or terminal would block or consume someone else's output.
 *
 * @example
 * const tail = await readFileTail('/var/log/app.log');
 */
export async function readFileTail(path: string, options: TailOptions = {}): Promise<Collected<RawLogLine[]>> {
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const source = options.source ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = errnoCode(error);
    return { ok: false, reason: code === 'ENOENT' ? `${source} does not exist` : `${source} cannot be opened (${code ?? 'error'})`, hint: code === 'EACCES' ? 'Run as root or as the owner of the log.' : 'Check the path.' };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, reason: `${source} is not a regular file`, hint: 'Only files can be read; follow a pipe or terminal yourself.' };
    const start = Math.max(0, info.size - maxBytes);
    const buffer = Buffer.alloc(info.size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    let text = buffer.subarray(0, bytesRead).toString('utf8');
    let firstLine: number | null = 1;
    if (start > 0) {
      const cut = text.indexOf('\n');
      text = cut === -1 ? '' : text.slice(cut + 1);
      const before = info.size <= (options.maxCountBytes ?? 32 * 1024 * 1024) ? await countNewlines(handle, start + (cut === -1 ? bytesRead : cut + 1)) : null;
      firstLine = before === null ? null : before + 1;
    }
    const rows = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    return { ok: true, value: rows.map((t, i) => ({ text: t.replace(/\r$/, ''), source, line: firstLine === null ? null : firstLine + i })) };
  } catch (error) {
    return { ok: false, reason: `${source} could not be read (${errnoCode(error) ?? String(error)})`, hint: 'Check the file.' };
  } finally {
    await handle.close();
  }
}

/** Newlines in the first `end` bytes, read in 1 MiB chunks. */
async function countNewlines(handle: FileHandle, end: number): Promise<number> {
  const chunk = Buffer.alloc(1024 * 1024);
  let count = 0;
  for (let pos = 0; pos < end; ) {
    const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, end - pos), pos);
    if (bytesRead === 0) break;
    for (let i = chunk.indexOf(10, 0); i !== -1 && i < bytesRead; i = chunk.indexOf(10, i + 1)) count++;
    pos += bytesRead;
  }
  return count;
}
