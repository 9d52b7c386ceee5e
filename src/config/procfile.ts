import { readCommandLine } from './command-line.js';
import { Emitter } from './emit.js';
import { resolverOf } from './interpolate.js';
import { LineIndex } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';

export function isProcfile(path: string): boolean {
  return /(^|\/)Procfile(\.[\w-]+)?$/.test(path);
}

/**
 * Procfile (`web: gunicorn app:app --bind 0.0.0.0:${PORT:-5000}`): each process's command line.
 * `$PORT` comes from the .env next to the Procfile when it sets it (`heroku local` and foreman read
 * it); otherwise the platform assigns it at run time, so the port is unknown.
 *
 * @example
 * parseProcfile({ file: 'Procfile', text: 'web: PORT=5000 node server.js\n', vars: new Map() })
 */
export function parseProcfile(input: ParserInput): ParsedFile {
  const out = new Emitter(new LineIndex(input.text), input.file, 'procfile');
  const resolve = resolverOf(input.vars, input.origins);
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const raw = (rows[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const match = /^\s*([\w-]+)\s*:\s*(.*)$/.exec(raw);
    if (!match) {
      out.warn(i + 1, 'not a "name: command" line');
      continue;
    }
    const reading = readCommandLine(match[2] ?? '', { resolve, at: { file: input.file, line: i + 1 } });
    out.command(reading, () => i + 1);
  }
  return out.result();
}
