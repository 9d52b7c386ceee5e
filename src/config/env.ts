import { parseEnv } from 'node:util';
import { Emitter } from './emit.js';
import { classifyEnvValue, hostFrom } from './env-keys.js';
import { expand, resolverOf, type Expansion, type Resolved } from './interpolate.js';
import { LineIndex } from './text.js';
import type { ConfigWarning, ParsedFile, ParserInput, Variables } from './types.js';

/**
 * `.env`, `.env.local`, `.env.development`, … (also `.env.example`: it documents the ports), and
 * the other names projects give dotenv files: `.env_sample`, `.env-docker`, `docker.env`,
 * `env.example`.
 */
export function isEnvFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^\.env([._-][\w.-]+)?$/.test(base) || /^[\w-]+(\.[\w-]+)*\.env$/.test(base) || /^env\.(example|sample|template|dist)$/.test(base);
}

interface Assignment {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/;

/**
 * Reads a dotenv file's assignments with their line numbers. Values are decoded by Node's own
 * dotenv parser (`util.parseEnv`: quotes, inline comments, escapes); we only add what it does not
 * give: which line each key came from, and a warning for lines that are not assignments.
 */
export function readEnvAssignments(text: string, file: string): { assignments: Assignment[]; warnings: ConfigWarning[] } {
  const lines = text.split('\n');
  const assignments: Assignment[] = [];
  const warnings: ConfigWarning[] = [];
  const whole = parseEnv(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').replace(/\r$/, '');
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    const match = ASSIGNMENT.exec(raw);
    if (!match) {
      warnings.push({ file, line: i + 1, message: `not a KEY=value line: ${raw.trim().slice(0, 80)}` });
      continue;
    }
    const key = match[1] ?? '';
    const rest = raw.slice(match[0].length).trimStart();
    const quote = rest[0];
    // A quoted value may span lines; skip its continuation lines so they are not read as keys.
    if ((quote === '"' || quote === "'" || quote === '`') && !closesOnSameLine(rest, quote)) {
      let end = i + 1;
      while (end < lines.length && !(lines[end] ?? '').includes(quote)) end++;
      assignments.push({ key, value: whole[key] ?? '', line: i + 1 });
      i = end;
      continue;
    }
    const single = parseEnv(raw)[key];
    assignments.push({ key, value: single ?? '', line: i + 1 });
  }
  return { assignments, warnings };
}

function closesOnSameLine(rest: string, quote: string): boolean {
  for (let j = 1; j < rest.length; j++) {
    if (rest[j] === '\\') j++;
    else if (rest[j] === quote) return true;
  }
  return false;
}

/** Variables with the places they are written, as .env files give them. */
export interface EnvTable {
  readonly vars: Map<string, string>;
  readonly origins: Map<string, { readonly file: string; readonly line: number }>;
}

/**
 * The effective variables of a dotenv file: last assignment wins, `${VAR:-default}` expanded
 * against the variables before it (dotenv-expand's behaviour, which Vite and Next.js use).
 *
 * @example
 * envVariables('PORT=${PORT:-3000}\n', '.env', new Map()).get('PORT') // '3000'
 */
export function envVariables(text: string, file: string, inherited: Variables): Map<string, string> {
  return envTable(text, file, { vars: new Map(inherited), origins: new Map() }).vars;
}

/** {@link envVariables} plus, for each variable, the file and line of the assignment that won. */
export function envTable(text: string, file: string, inherited: EnvTable): EnvTable {
  const vars = new Map(inherited.vars);
  const origins = new Map(inherited.origins);
  for (const { key, value, line } of readEnvAssignments(text, file).assignments) {
    vars.set(key, expand(value, 'shell', resolverOf(vars)).text);
    origins.set(key, { file, line });
  }
  return { vars, origins };
}

/**
 * Declarations of a dotenv file. A key set twice is declared once, at the line that wins, with a
 * warning naming the line that lost. Each key's port is the file's own value; `${VAR}` inside it
 * is expanded with `input.vars` (the directory's merged .env files, where `.env.local` overrides
 * `.env`, as Vite and Next.js expand), falling back to this file's earlier values. A port behind a
 * variable that no file sets is an unresolved declaration.
 *
 * @example
 * parseEnvFile({ file: '.env', text: 'PORT=3000\n', vars: new Map() }).declarations[0]
 * // { file: '.env', line: 1, kind: 'env', role: 'unknown', host: null, port: 3000, text: 'PORT=3000', … }
 */
export function parseEnvFile(input: ParserInput): ParsedFile {
  const out = new Emitter(new LineIndex(input.text), input.file, 'env');
  const { assignments, warnings } = readEnvAssignments(input.text, input.file);
  out.warnings.push(...warnings);
  const values = new Map<string, string>();
  const expansions = new Map<string, Expansion>();
  const lastLine = new Map<string, number>();
  const inherited = resolverOf(input.vars, input.origins);
  const own = (name: string, line: number): Resolved | undefined => {
    const value = values.get(name);
    return value === undefined ? undefined : { value, source: { variable: name, from: 'assignment', file: input.file, line } };
  };
  for (const a of assignments) {
    const previous = lastLine.get(a.key);
    if (previous !== undefined) out.warn(previous, `${a.key} is set again on line ${a.line}, which wins`);
    // A self-reference (`PORT=${PORT:-3000}`) means this file's default, not another file's value.
    const lookup = (name: string): Resolved | undefined => (name === a.key ? own(name, lastLine.get(name) ?? a.line) : (inherited(name) ?? own(name, lastLine.get(name) ?? a.line)));
    lastLine.set(a.key, a.line);
    const expansion = expand(a.value, 'shell', lookup, { file: input.file, line: a.line });
    expansions.set(a.key, expansion);
    values.set(a.key, expansion.text);
  }
  // HOST for PORT may come from another file of the directory (HOST in .env, PORT in .env.local).
  const context = new Map([...input.vars, ...values]);
  for (const a of assignments) {
    const expansion = expansions.get(a.key);
    if (lastLine.get(a.key) !== a.line || expansion === undefined) continue;
    for (const found of classifyEnvValue(a.key, expansion, (prefix) => hostFrom(context, prefix), 'unknown')) out.outcome(a.line, found.role, found.outcome);
  }
  return out.result();
}
