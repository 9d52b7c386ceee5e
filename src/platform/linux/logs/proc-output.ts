import { readlink, stat } from 'node:fs/promises';
import { errnoCode } from '../../../errors.js';
import type { Collected } from '../../../types.js';
import type { RawLogLine } from '../../../logs/types.js';
import { readFileTail, type TailOptions } from '../../common/file-tail.js';

export interface ProcOutput {
  /** `stdout`/`stderr` and where it points, e.g. the file path or `pipe:[123]`. */
  readonly source: string;
  readonly read: Collected<RawLogLine[]>;
}

/**
 * A process's stdout and stderr, when they point at regular files (`node app.js > app.log 2>&1`).
 * The file is opened through /proc/<pid>/fd/N, which also works when it was deleted or lives in
 * another mount namespace; stdout and stderr sharing one file are read once.
 *
 * @example
 * for (const out of await readProcessOutput(4242)) if (out.read.ok) console.log(out.source, out.read.value.length);
 */
export async function readProcessOutput(pid: number, options: TailOptions = {}): Promise<ProcOutput[]> {
  const outputs: ProcOutput[] = [];
  const seen = new Set<string>();
  for (const fd of [1, 2]) {
    const fdPath = `/proc/${pid}/fd/${fd}`;
    const name = fd === 1 ? 'stdout' : 'stderr';
    let target: string;
    try {
      target = await readlink(fdPath);
    } catch (error) {
      const code = errnoCode(error);
      const reason = code === 'ENOENT' ? `process ${pid} has no ${name} (or has exited)` : code === 'EACCES' ? `no permission to read process ${pid}'s ${name}` : `${name} of ${pid} cannot be read (${code ?? 'error'})`;
      outputs.push({ source: `${name} of pid ${pid}`, read: { ok: false, reason, hint: code === 'EACCES' ? 'Run as root or as the process owner.' : 'Check that the process is running.' } });
      continue;
    }
    const info = await stat(fdPath).catch(() => null);
    if (info === null || !info.isFile()) {
      const what = target.startsWith('pipe:') ? 'a pipe' : target.startsWith('socket:') ? 'a socket' : target.startsWith('/dev/') ? `a device (${target})` : target;
      outputs.push({ source: target, read: { ok: false, reason: `${name} of pid ${pid} is ${what}, not a file`, hint: 'Its output goes to whoever started it (a terminal, a supervisor, the journal).' } });
      continue;
    }
    const key = `${info.dev}:${info.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const source = target.replace(/ \(deleted\)$/, '');
    outputs.push({ source, read: await readFileTail(fdPath, { ...options, source }) });
  }
  return outputs;
}
