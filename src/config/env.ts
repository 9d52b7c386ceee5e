import { parseEnv } from 'node:util';
import { classifyEnv } from './env-keys.js';
import { declare, LineIndex, substitute } from './text.js';
import type { ConfigWarning, ParsedFile, ParserInput, Variables } from './types.js';

/** `.env`, `.env.local`, `.env.development`, … (also `.env.example`: it documents the ports). */
export function isEnvFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === '.env' || base.startsWith('.env.');
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

/**
 * The effective variables of a dotenv file: last assignment wins, `${VAR:-default}` expanded
 * against the variables before it (dotenv-expand's behaviour, which Vite and Next.js use).
 *
 * @example
 * envVariables('PORT=${PORT:-3000}\n', '.env', new Map()).get('PORT') // '3000'
 */
export function envVariables(text: string, file: string, inherited: Variables): Map<string, string> {
  const vars = new Map(inherited);
  for (const { key, value } of readEnvAssignments(text, file).assignments) vars.set(key, substitute(value, vars));
  return vars;
}

/**
 * Declarations of a dotenv file. A key set twice is declared once, at the line that wins, with a
 * warning naming the line that lost. Each key's port is the file's own value; `${VAR}` inside it
 * is expanded with `input.vars` (the directory's merged .env files, where `.env.local` overrides
 * `.env`, as Vite and Next.js expand), falling back to this file's earlier values.
 *
 * @example
 * parseEnvFile({ file: '.env', text: 'PORT=3000\n', vars: new Map() }).declarations[0]
 * // { file: '.env', line: 1, kind: 'env', role: 'unknown', host: null, port: 3000, text: 'PORT=3000' }
 */
export function parseEnvFile(input: ParserInput): ParsedFile {
  const index = new LineIndex(input.text);
  const { assignments, warnings } = readEnvAssignments(input.text, input.file);
  const values = new Map<string, string>();
  const lastLine = new Map<string, number>();
  for (const a of assignments) {
    const previous = lastLine.get(a.key);
    if (previous !== undefined) {
      warnings.push({ file: input.file, line: previous, message: `${a.key} is set again on line ${a.line}, which wins` });
    }
    lastLine.set(a.key, a.line);
    // A self-reference (`PORT=${PORT:-3000}`) means this file's default, not another file's value.
    const lookup = { get: (name: string): string | undefined => (name === a.key ? values.get(name) : (input.vars.get(name) ?? values.get(name))) };
    values.set(a.key, substitute(a.value, lookup));
  }
  const declarations = [];
  // HOST for PORT may come from another file of the directory (HOST in .env, PORT in .env.local).
  const context = new Map([...input.vars, ...values]);
  for (const a of assignments) {
    if (lastLine.get(a.key) !== a.line) continue;
    const found = classifyEnv(a.key, values.get(a.key) ?? '', context, 'unknown');
    if (found !== null) declarations.push(declare(index, input.file, a.line, 'env', found.role, found.host, found.port));
  }
  return { declarations, warnings };
}
