import { analyzeCommandLine, analyzeWords, kindOfProgram } from './command-line.js';
import { declare, LineIndex, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

/** Dockerfiles, shell scripts and Makefiles: where server command lines are often written. */
export function isScriptFile(path: string): boolean {
  return /(^|\/)(Dockerfile(\.[\w-]+)?|[\w.-]+\.Dockerfile|Makefile|[\w.-]+\.sh)$/.test(path);
}

/**
 * Command lines in generic scripts. Their kind is the tool the command runs (`python` for
 * uvicorn/gunicorn/manage.py runserver, `rails` for rails/puma, `vite`, `next`, …, else `other`),
 * since the file format says nothing. Dockerfile `EXPOSE 8080` → `server`; `CMD`/`ENTRYPOINT`/
 * `RUN` in shell or exec (JSON array) form are command lines.
 *
 * @example
 * parseScript({ file: 'start.sh', text: 'exec gunicorn -b 0.0.0.0:8000 app:app\n', vars: new Map() })
 */
export function parseScript(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const declarations: Declaration[] = [];
  const rows = input.text.split('\n');
  const dockerfile = /Dockerfile/.test(input.file);
  for (let i = 0; i < rows.length; i++) {
    let raw = (rows[i] ?? '').replace(/\r$/, '');
    const first = i;
    // Backslash continuations join into one command; the declaration is at its first line.
    while (raw.endsWith('\\') && i + 1 < rows.length) raw = raw.slice(0, -1) + ' ' + (rows[++i] ?? '').replace(/\r$/, '');
    let text = raw.trim();
    if (text.startsWith('#')) continue;
    if (dockerfile) {
      const expose = /^EXPOSE\s+(.*)$/i.exec(text);
      if (expose) {
        for (const word of (expose[1] ?? '').split(/\s+/)) {
          const port = toPort(word.replace(/\/(tcp|udp)$/i, ''));
          if (port !== null) declarations.push(declare(lines, input.file, first + 1, 'other', 'server', null, port));
        }
        continue;
      }
      const instruction = /^(CMD|ENTRYPOINT|RUN)\s+(.*)$/i.exec(text);
      if (!instruction) continue;
      text = instruction[2] ?? '';
      if (text.startsWith('[')) {
        let words: unknown;
        try {
          words = JSON.parse(text);
        } catch {
          words = null;
        }
        if (Array.isArray(words)) {
          for (const found of analyzeWords(words.map(String), new Map())) {
            declarations.push(declare(lines, input.file, first + 1, kindOfProgram(found.program), found.role, found.host, found.port));
          }
          continue;
        }
      }
    }
    for (const found of analyzeCommandLine(text, new Map())) {
      declarations.push(declare(lines, input.file, first + 1, kindOfProgram(found.program), found.role, found.host, found.port));
    }
  }
  return { declarations, warnings: [] };
}
