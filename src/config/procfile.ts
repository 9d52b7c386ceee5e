import { analyzeCommandLine } from './command-line.js';
import { declare, LineIndex } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

export function isProcfile(path: string): boolean {
  return /(^|\/)Procfile(\.[\w-]+)?$/.test(path);
}

/**
 * Procfile (`web: gunicorn app:app --bind 0.0.0.0:${PORT:-5000}`): each process's command line.
 * `$PORT` without a default is assigned by the platform at run time, so it declares nothing.
 *
 * @example
 * parseProcfile({ file: 'Procfile', text: 'web: PORT=5000 node server.js\n', vars: new Map() })
 */
export function parseProcfile(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const declarations: Declaration[] = [];
  const warnings = [];
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const raw = (rows[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const match = /^\s*([\w-]+)\s*:\s*(.*)$/.exec(raw);
    if (!match) {
      warnings.push({ file: input.file, line: i + 1, message: 'not a "name: command" line' });
      continue;
    }
    for (const found of analyzeCommandLine(match[2] ?? '', new Map())) {
      declarations.push(declare(lines, input.file, i + 1, 'procfile', found.role, found.host, found.port));
    }
  }
  return { declarations, warnings };
}
