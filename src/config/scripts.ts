import { kindOfProgram, readCommandLine, readWords, type CommandContext } from './command-line.js';
import { Emitter } from './emit.js';
import { classifyEnvValue, hostFrom } from './env-keys.js';
import { expand, resolverOf, type Expansion, type Resolved, type Resolver } from './interpolate.js';
import { LineIndex } from './text.js';
import type { DeclarationProtocol, ParsedFile, ParserInput } from './types.js';
import { resolvePort } from './values.js';

/** Dockerfiles, shell scripts, direnv's .envrc and Makefiles: where server command lines are often written. */
export function isScriptFile(path: string): boolean {
  return /(^|\/)(Dockerfile([.-][\w.-]+)?|[\w.-]+\.Dockerfile|Containerfile|Makefile|[\w.-]+\.(sh|bash)|\.envrc)$/.test(path);
}

function isDockerfile(path: string): boolean {
  return /(^|\/)(Dockerfile([.-][\w.-]+)?|[\w.-]+\.Dockerfile|Containerfile)$/.test(path);
}

/** The variables a script assigns as it goes, in front of the directory's .env files. */
class ScriptVariables {
  private readonly own = new Map<string, Resolved>();

  constructor(private readonly outer: Resolver) {}

  readonly resolve: Resolver = (name) => this.own.get(name) ?? this.outer(name);

  /** `NAME=value` at `line`: later `$NAME` is this value, and says which default or line gave it. */
  assign(name: string, value: string, file: string, line: number, inner: Resolved['source']): void {
    this.own.set(name, { value, source: inner ?? { variable: name, from: 'assignment', file, line } });
  }

  /** Plain values, for pairing `HOST` with `PORT`. */
  get(name: string): string | undefined {
    return this.resolve(name)?.value;
  }
}

/** `export A=1 B=2`, `readonly A=1`, `A=1`: a line that only assigns variables. */
const ASSIGNMENTS = /^(?:(?:export|readonly|local|declare(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|\S*)(?:\s+[A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|\S*))*)\s*$/;
/** Makefile variables: `PORT ?= 3000`, `PORT := 3000`, `PORT = 3000`. */
const MAKE_ASSIGNMENT = /^(?:export\s+)?([A-Za-z_]\w*)\s*[:?+]?=\s*(.*)$/;

/**
 * Command lines in generic scripts. Their kind is the tool the command runs (`python` for
 * uvicorn/gunicorn/manage.py runserver, `rails` for rails/puma, `vite`, `next`, …, else `other`),
 * since the file format says nothing. Variables assigned in the script (`PORT=${PORT:-5000}`,
 * `export PORT=3000`) are declarations as in a .env file and are followed into later lines
 * (`--bind 0.0.0.0:$PORT` → 5000, via that default); the directory's .env fills in the rest.
 * Dockerfile: `EXPOSE 8080` and `ENV PORT=8080` → `server`, `CMD`/`ENTRYPOINT` in shell or exec
 * (JSON array) form are command lines, `HEALTHCHECK CMD curl …` a client; all of it is the
 * container's network. Makefiles: `PORT ?= 3000` and `$(PORT)`.
 *
 * @example
 * parseScript({ file: 'start.sh', text: 'PORT=${PORT:-5000}\nexec gunicorn -b 0.0.0.0:$PORT app:app\n', vars: new Map() })
 */
export function parseScript(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'other');
  const rows = input.text.split('\n');
  const dockerfile = isDockerfile(input.file);
  const makefile = /(^|\/)Makefile$/.test(input.file);
  const network = dockerfile ? ('container' as const) : ('host' as const);
  const vars = new ScriptVariables(resolverOf(input.vars, input.origins));
  const escape = dockerfile && /^#\s*escape\s*=\s*`/m.test(rows.slice(0, 5).join('\n')) ? '`' : '\\';
  const assigned: { name: string; expansion: Expansion; plainRole: 'server' | 'unknown'; line: number }[] = [];
  for (let i = 0; i < rows.length; i++) {
    let raw = (rows[i] ?? '').replace(/\r$/, '');
    const first = i;
    // Continuations join into one command; the declaration is at its first line. A Dockerfile
    // may choose another escape character (`# escape=\``, for Windows paths).
    while (raw.trimEnd().endsWith(escape) && i + 1 < rows.length) raw = raw.trimEnd().slice(0, -1) + ' ' + (rows[++i] ?? '').replace(/\r$/, '');
    let text = raw.trim();
    if (text.startsWith('#') || text === '') continue;
    const line = first + 1;
    const context: CommandContext = { resolve: vars.resolve, at: { file: input.file, line } };
    const assignEnv = (name: string, value: string, plainRole: 'server' | 'unknown', literal = false): void => {
      const expansion = literal ? { text: value, complete: true, pieces: [] } : expand(value, 'shell', vars.resolve, { file: input.file, line });
      vars.assign(name, expansion.text, input.file, line, expansion.pieces.find((p) => p.source !== null)?.source ?? null);
      // Classified at the end: `ENV PORT 8000` pairs with an `ENV HOST 0.0.0.0` written after it.
      assigned.push({ name, expansion, plainRole, line });
    };
    if (makefile) {
      text = text.replace(/\$\(([A-Za-z_]\w*)\)/g, '$${$1}').replace(/\$\$/g, '$');
      const make = MAKE_ASSIGNMENT.exec(text);
      if (make && !/^\s/.test(raw)) {
        assignEnv(make[1] ?? '', make[2] ?? '', 'unknown');
        continue;
      }
    }
    if (dockerfile) {
      const instruction = /^([A-Za-z]+)\s+(.*)$/.exec(text);
      const name = instruction?.[1]?.toUpperCase();
      const args = instruction?.[2] ?? '';
      if (name === 'EXPOSE') {
        for (const word of args.split(/\s+/)) {
          const protocol = (/\/(tcp|udp|sctp)$/i.exec(word)?.[1]?.toLowerCase() ?? 'tcp') as DeclarationProtocol;
          out.outcome(line, 'server', resolvePort(word.replace(/\/(tcp|udp|sctp)$/i, ''), 'shell', vars.resolve, { file: input.file, line }), { network, protocol });
        }
        continue;
      }
      if (name === 'ENV' || name === 'ARG') {
        // `ENV A=1 B=2` or the old `ENV A 1`; ARG only sets a variable for later lines.
        const pairs = /^[A-Za-z_]\w*\s+[^=\s]/.test(args) && !args.includes('=') ? [[args.split(/\s+/)[0] ?? '', args.slice(args.search(/\s/)).trim()]] : [...args.matchAll(/([A-Za-z_]\w*)=("[^"]*"|'[^']*'|\S*)/g)].map((m) => [m[1] ?? '', (m[2] ?? '').replace(/^(["'])(.*)\1$/, '$2')]);
        for (const [key, value] of pairs) {
          if (name === 'ENV') assignEnv(key ?? '', value ?? '', 'server');
          else vars.assign(key ?? '', expand(value ?? '', 'shell', vars.resolve).text, input.file, line, { variable: key ?? '', from: 'default', file: input.file, line });
        }
        continue;
      }
      const healthcheck = name === 'HEALTHCHECK' ? /\bCMD\s+(.*)$/i.exec(args)?.[1] : undefined;
      if (name !== 'CMD' && name !== 'ENTRYPOINT' && healthcheck === undefined) continue;
      text = healthcheck ?? args;
      if (text.startsWith('[')) {
        let words: unknown;
        try {
          words = JSON.parse(text);
        } catch {
          words = null;
        }
        if (Array.isArray(words)) {
          out.command(readWords(words.map(String), context), () => line, { network }, kindOfProgram);
          continue;
        }
      }
    } else {
      const assignments = ASSIGNMENTS.exec(text);
      if (assignments) {
        for (const m of (assignments[1] ?? '').matchAll(/([A-Za-z_]\w*)=("[^"]*"|'[^']*'|\S*)/g)) {
          const quoted = /^(["'])(.*)\1$/.exec(m[2] ?? '');
          // Single quotes keep `$` literal in a shell.
          assignEnv(m[1] ?? '', quoted?.[2] ?? m[2] ?? '', 'unknown', quoted?.[1] === "'");
        }
        continue;
      }
    }
    out.command(readCommandLine(text, context), () => line, { network }, kindOfProgram);
  }
  for (const a of assigned) {
    for (const found of classifyEnvValue(a.name, a.expansion, (prefix) => hostFrom(vars, prefix), a.plainRole)) out.outcome(a.line, found.role, found.outcome, { network });
  }
  out.declarations.sort((a, b) => a.line - b.line);
  out.unresolved.sort((a, b) => a.line - b.line);
  return out.result();
}
