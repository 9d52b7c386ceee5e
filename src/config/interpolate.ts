import type { ValueSource } from './types.js';

/**
 * One interpolation engine for the variable syntaxes configuration files use:
 * - shell, dotenv and Compose: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:=d}`,
 *   `${VAR:?message}`, `${VAR:+alt}`, with defaults that contain further expressions
 *   (`${A:-http://localhost:${B:-4000}}`); Compose also writes a literal `$` as `$$`;
 * - Spring: `${name:default}` (names with dots and dashes; nested defaults);
 * - Ruby string interpolation: `#{ENV.fetch('PORT', 3000)}`, `#{ENV.fetch("PORT") { 3000 }}`,
 *   `#{ENV['PORT'] || 3000}`.
 * An expression whose variable is unknown and that has no default is left as written and the
 * result is marked incomplete, so that a port behind it is "unknown", never a guess.
 */

/** A variable's value, and where it is written (null when that is not known). */
export interface Resolved {
  readonly value: string;
  readonly source: ValueSource | null;
}

/** Looks a variable up: undefined when the project does not set it. */
export type Resolver = (name: string) => Resolved | undefined;

/** Where the expression being expanded is written: the place an inline default is reported at. */
export interface Place {
  readonly file: string;
  readonly line: number;
}

/** One expanded expression, in the coordinates of the expanded text. */
export interface Piece {
  readonly start: number;
  readonly end: number;
  /** Where the value of this piece came from (null: a literal, or not known). */
  readonly source: ValueSource | null;
  /** False when the expression could not be resolved and stands as written. */
  readonly resolved: boolean;
}

export interface Expansion {
  /** The text with every resolvable expression replaced and the others left as written. */
  readonly text: string;
  /** True when every expression was resolved. */
  readonly complete: boolean;
  readonly pieces: readonly Piece[];
}

export type Dialect = 'shell' | 'compose' | 'spring' | 'ruby';

const NO_VARIABLES: Resolver = () => undefined;
const NO_PIECES: readonly Piece[] = [];

/** Expansion nests at most this deep (`${A:-${B:-${C:-…}}}`): real files use two or three levels. */
const MAX_DEPTH = 8;

/**
 * Expands the expressions of one dialect in `text`.
 *
 * @example
 * expand('${URL:-http://localhost:${PORT:-4000}}', 'compose', () => undefined, { file: 'compose.yaml', line: 3 }).text
 * // 'http://localhost:4000'
 */
export function expand(text: string, dialect: Dialect, resolve: Resolver = NO_VARIABLES, at: Place = { file: '', line: 0 }): Expansion {
  // Most values hold no expression at all: no builder, no pieces (a 1 MB Compose file has ~100k).
  if (dialect === 'ruby' ? !text.includes('#{') : !text.includes('$')) return { text, complete: true, pieces: NO_PIECES };
  if (dialect === 'ruby') return expandRuby(text, resolve, at);
  return expandDollar(text, dialect, resolve, at, 0);
}

/** The source of the expression that produced characters [start, end) of an expansion, if one did. */
export function sourceAt(expansion: Expansion, start: number, end: number): ValueSource | null {
  for (const piece of expansion.pieces) {
    if (piece.start < end && start < piece.end && piece.source !== null) return piece.source;
  }
  return null;
}

/** True when characters [start, end) of an expansion include an expression left as written. */
export function unresolvedAt(expansion: Expansion, start: number, end: number): boolean {
  return expansion.pieces.some((p) => !p.resolved && p.start < end && start <= p.end);
}

class Builder {
  text = '';
  complete = true;
  readonly pieces: Piece[] = [];

  literal(s: string): void {
    this.text += s;
  }

  piece(value: string, source: ValueSource | null, resolved: boolean, inner: readonly Piece[] = []): void {
    const start = this.text.length;
    this.text += value;
    // A default's own expressions (`${A:-${B:-x}}`) are more precise than the outer one: keep them.
    for (const p of inner) this.pieces.push({ start: start + p.start, end: start + p.end, source: p.source, resolved: p.resolved });
    const innerSource = inner.find((p) => p.source !== null)?.source ?? null;
    this.pieces.push({ start, end: this.text.length, source: innerSource ?? source, resolved });
    if (!resolved) this.complete = false;
  }

  done(): Expansion {
    return { text: this.text, complete: this.complete, pieces: this.pieces };
  }
}

/** Index of the `}` that closes the `${` or `#{` whose `{` is at `open`, or -1. */
export function closingBrace(text: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === "'" && depth > 0 && text[open - 1] === '#') {
      quote = c; // Ruby code inside #{…} has its own quotes; shell defaults keep ' as text.
    } else if (c === '"' && depth > 0 && text[open - 1] === '#') {
      quote = c;
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const SHELL_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** Spring property names: `server.port`, `my-app.items[0].url`, `PORT`. */
const SPRING_NAME = /^[A-Za-z0-9_.\-[\]]+/;
const SHELL_OPERATOR = /^(:-|:=|:\?|:\+|-|=|\?|\+)/;

function expandDollar(text: string, dialect: Exclude<Dialect, 'ruby'>, resolve: Resolver, at: Place, depth: number): Expansion {
  const out = new Builder();
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) {
      out.literal(text.slice(i));
      break;
    }
    out.literal(text.slice(i, dollar));
    const next = text[dollar + 1];
    if (dialect === 'compose' && next === '$') {
      out.literal('$'); // Compose's escape for a literal $ (the container's shell expands it later).
      i = dollar + 2;
    } else if (next === '{') {
      const close = closingBrace(text, dollar + 1);
      if (close === -1) {
        // An unclosed ${: nothing after it can be trusted.
        out.piece(text.slice(dollar), null, false);
        break;
      }
      const body = text.slice(dollar + 2, close);
      const whole = text.slice(dollar, close + 1);
      if (dialect === 'spring') expandSpringBody(out, body, whole, resolve, at, depth);
      else expandShellBody(out, body, whole, dialect, resolve, at, depth);
      i = close + 1;
    } else if (dialect !== 'spring' && next !== undefined && /[A-Za-z_]/.test(next)) {
      const name = SHELL_NAME.exec(text.slice(dollar + 1))?.[0] ?? '';
      const known = resolve(name);
      if (known === undefined) out.piece(`$${name}`, null, false);
      else out.piece(known.value, known.source, true);
      i = dollar + 1 + name.length;
    } else if (dialect !== 'spring' && next !== undefined && /[0-9@*#?$!-]/.test(next)) {
      out.piece(`$${next}`, null, false); // positional and special parameters: set at run time
      i = dollar + 2;
    } else {
      out.literal('$');
      i = dollar + 1;
    }
  }
  return out.done();
}

function expandShellBody(out: Builder, body: string, whole: string, dialect: 'shell' | 'compose', resolve: Resolver, at: Place, depth: number): void {
  const name = SHELL_NAME.exec(body)?.[0];
  if (name === undefined) {
    out.piece(whole, null, false); // ${#A}, ${!A}…: not a value we can know
    return;
  }
  const rest = body.slice(name.length);
  const known = resolve(name);
  if (rest === '') {
    if (known === undefined) out.piece(whole, null, false);
    else out.piece(known.value, known.source, true);
    return;
  }
  const op = SHELL_OPERATOR.exec(rest)?.[0];
  if (op === undefined) {
    out.piece(whole, null, false); // ${A%x}, ${A/x/y}, ${A:1:2}: transformations
    return;
  }
  const word = rest.slice(op.length);
  const emptyIsUnset = op.startsWith(':');
  const isSet = known !== undefined && !(emptyIsUnset && known.value === '');
  const kind = op.replace(':', '');
  const useWord = (): void => {
    if (depth >= MAX_DEPTH) {
      out.piece(whole, null, false);
      return;
    }
    const inner = expandDollar(word, dialect, resolve, at, depth + 1);
    out.piece(inner.text, { variable: name, from: 'default', file: at.file, line: at.line }, inner.complete, inner.pieces);
  };
  if (kind === '-' || kind === '=') {
    if (isSet) out.piece(known.value, known.source, true);
    else useWord();
  } else if (kind === '?') {
    if (isSet) out.piece(known.value, known.source, true);
    else out.piece(whole, null, false);
  } else if (isSet) {
    useWord(); // ${A:+alt}: the alternative when A is set
  } else if (known !== undefined) {
    out.piece('', known.source, true);
  } else {
    out.piece(whole, null, false);
  }
}

function expandSpringBody(out: Builder, body: string, whole: string, resolve: Resolver, at: Place, depth: number): void {
  const name = SPRING_NAME.exec(body)?.[0];
  if (name === undefined) {
    out.piece(whole, null, false);
    return;
  }
  const rest = body.slice(name.length);
  const known = resolve(name);
  if (known !== undefined) {
    out.piece(known.value, known.source, true);
  } else if (rest.startsWith(':') && depth < MAX_DEPTH) {
    const inner = expandDollar(rest.slice(1), 'spring', resolve, at, depth + 1);
    out.piece(inner.text, { variable: name, from: 'default', file: at.file, line: at.line }, inner.complete, inner.pieces);
  } else {
    out.piece(whole, null, false);
  }
}

const RUBY_LITERAL = String.raw`'[^']*'|"[^"]*"|-?\d+(?:\.\d+)?|nil`;
/** `ENV.fetch('X', d)`, `ENV.fetch('X') { d }`, `ENV['X'] || d`, `ENV.fetch('X', nil) || d`. */
const RUBY_LITERAL_WHOLE = new RegExp(String.raw`^(?:${RUBY_LITERAL})$`);
const RUBY_ENV = new RegExp(
  String.raw`ENV(?:\.fetch\(\s*(['"])(\w+)\1\s*(?:,\s*(${RUBY_LITERAL})\s*)?\)(?:\s*(?:\{\s*|do\s+)(${RUBY_LITERAL})\s*(?:\}|end))?|\[\s*(['"])(\w+)\5\s*\])(?:\s*(?:\|\||\bor\b)\s*(${RUBY_LITERAL}))?`,
);

function rubyLiteral(text: string | undefined): string | null {
  if (text === undefined || text === 'nil') return null;
  return /^['"]/.test(text) ? text.slice(1, -1) : text;
}

/**
 * The value of a Ruby expression that reads the environment with a default, or of a literal.
 * Unknown (null) for anything else.
 *
 * @example
 * rubyValue("ENV.fetch('PORT') { 3000 }", () => undefined, { file: 'config/puma.rb', line: 4 }) // { value: '3000', source: { variable: 'PORT', from: 'default', … } }
 */
export function rubyValue(expression: string, resolve: Resolver, at: Place): Resolved | null {
  const code = expression.trim();
  const literal = RUBY_LITERAL_WHOLE.exec(code);
  if (literal) {
    const value = rubyLiteral(literal[0]);
    return value === null ? null : { value, source: null };
  }
  const env = RUBY_ENV.exec(code);
  if (!env) return null;
  const name = env[2] ?? env[6] ?? '';
  const known = resolve(name);
  if (known !== undefined && known.value !== '') return known;
  const fallback = rubyLiteral(env[3]) ?? rubyLiteral(env[4]) ?? rubyLiteral(env[7]);
  return fallback === null ? null : { value: fallback, source: { variable: name, from: 'default', file: at.file, line: at.line } };
}

function expandRuby(text: string, resolve: Resolver, at: Place): Expansion {
  const out = new Builder();
  let i = 0;
  while (i < text.length) {
    const hash = text.indexOf('#{', i);
    if (hash === -1) {
      out.literal(text.slice(i));
      break;
    }
    out.literal(text.slice(i, hash));
    const close = closingBrace(text, hash + 1);
    if (close === -1) {
      out.piece(text.slice(hash), null, false);
      break;
    }
    const value = rubyValue(text.slice(hash + 2, close), resolve, at);
    if (value === null) out.piece(text.slice(hash, close + 1), null, false);
    else out.piece(value.value, value.source, true);
    i = close + 1;
  }
  return out.done();
}

/** A text with no expressions in it. */
export function plainExpansion(text: string): Expansion {
  return { text, complete: true, pieces: [] };
}

/** The expansion with `source` as the origin of all of it, unless a part already has one. */
export function withSource(exp: Expansion, source: ValueSource | null): Expansion {
  if (source === null || exp.pieces.some((p) => p.source !== null)) return exp;
  return { ...exp, pieces: [...exp.pieces, { start: 0, end: exp.text.length, source, resolved: true }] };
}

/** A resolver over plain variables and the places they are written (a .env file's lines). */
export function resolverOf(
  vars: Pick<ReadonlyMap<string, string>, 'get'>,
  origins?: Pick<ReadonlyMap<string, { readonly file: string; readonly line: number }>, 'get'>,
): Resolver {
  return (name) => {
    const value = vars.get(name);
    if (value === undefined) return undefined;
    const origin = origins?.get(name);
    return { value, source: origin === undefined ? null : { variable: name, from: 'env-file', file: origin.file, line: origin.line } };
  };
}

/** A comma-separated value's items, each an expansion of its own (pieces kept in place). */
export function splitList(value: Expansion): Expansion[] {
  const items: Expansion[] = [];
  let start = 0;
  for (const part of value.text.split(',')) {
    const from = start + (part.length - part.trimStart().length);
    const to = start + part.trimEnd().length;
    items.push({
      text: value.text.slice(from, to),
      complete: !value.pieces.some((p) => !p.resolved && p.start < to && p.end > from),
      pieces: value.pieces.filter((p) => p.start < to && p.end > from).map((p) => ({ ...p, start: Math.max(0, p.start - from), end: Math.min(to, p.end) - from })),
    });
    start += part.length + 1;
  }
  return items;
}
