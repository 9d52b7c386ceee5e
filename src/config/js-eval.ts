import { plainExpansion as plain, withSource, type Expansion, type Piece, type Resolver } from './interpolate.js';
import { tokenizeJs, type JsToken } from './js-tokens.js';
import type { LineIndex } from './text.js';

/**
 * The value of a small JavaScript expression, as far as a configuration file states it: literals,
 * template literals, `env.PORT || '3000'` and `?? 3000` (the literal is the default of PORT),
 * `parseInt(…)`/`Number(…)`, `process.env.X`/`import.meta.env.X`/`env.X` (looked up in the
 * project's .env files), and constants of the same file (`const devPort = …`). Nothing is
 * executed.
 */
export type JsValue =
  | { readonly kind: 'value'; readonly exp: Expansion; readonly fromEnv: boolean }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'unknown'; readonly text: string; readonly envName: string | null };

interface Binding {
  readonly tokens: readonly JsToken[];
  readonly line: number;
  /** `const { PORT = 3000 } = env`: the binding reads this env variable (with `tokens` as default). */
  readonly envName?: string;
}

/** The constants of one file and how to read the environment. */
export class JsScope {
  private readonly bindings = new Map<string, Binding>();
  /** Identifiers that stand for the environment: `process.env`, `loadEnv(…)`, `wrapperEnv(env)`. */
  private readonly envObjects = new Set<string>();
  /** Names declared more than once. */
  private readonly ambiguous = new Set<string>();

  constructor(
    tokens: readonly JsToken[],
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly file: string,
    private readonly resolveEnv: Resolver,
  ) {
    this.collect(tokens);
  }

  /** Evaluates the tokens of an expression. */
  evaluate(tokens: readonly JsToken[], depth = 0): JsValue {
    return this.expression(trimCasts(tokens), depth);
  }

  private collect(tokens: readonly JsToken[]): void {
    for (let i = 0; i + 2 < tokens.length; i++) {
      const t = tokens[i] as JsToken;
      if (t.type !== 'ident' || !/^(const|let|var)$/.test(t.value)) continue;
      const target = tokens[i + 1] as JsToken;
      if (target.type === 'ident') {
        let k = i + 2;
        if (tokens[k]?.value === ':') k = skipType(tokens, k + 1);
        if (tokens[k]?.value !== '=' || tokens[k + 1]?.value === '=') continue;
        const init = expressionTokens(tokens, k + 1, this.text);
        // Declared twice (`case 'local': var target = …; case 'online': var target = …`): which
        // value applies depends on the run, so the name has no value of its own.
        if (this.bindings.has(target.value)) this.ambiguous.add(target.value);
        else this.bindings.set(target.value, { tokens: init, line: this.lines.lineOf(target.offset) });
        if (this.isEnvSource(init)) this.envObjects.add(target.value);
      } else if (target.value === '{') {
        this.collectDestructuring(tokens, i + 1);
      }
    }
  }

  /** `const { VITE_PORT, VITE_PROXY: proxy, PORT = 3000 } = viteEnv`: each name reads that env variable. */
  private collectDestructuring(tokens: readonly JsToken[], open: number): void {
    const close = matching(tokens, open);
    if (close === -1 || tokens[close + 1]?.value !== '=') return;
    const init = expressionTokens(tokens, close + 2, this.text);
    if (!this.isEnvSource(init)) return;
    for (const part of splitTop(tokens.slice(open + 1, close), ',')) {
      const key = part[0];
      if (key?.type !== 'ident') continue;
      const alias = part[1]?.value === ':' && part[2]?.type === 'ident' ? part[2] : key;
      const eq = part.findIndex((x) => x.value === '=');
      const fallback = eq === -1 ? [] : part.slice(eq + 1);
      if (!this.bindings.has(alias.value)) this.bindings.set(alias.value, { tokens: fallback, line: this.lines.lineOf(key.offset), envName: key.value });
    }
  }

  /** `process.env`, `import.meta.env`, `loadEnv(…)`, or a call given one of those (`wrapperEnv(env)`). */
  private isEnvSource(init: readonly JsToken[]): boolean {
    const values = init.map((x) => x.value);
    const chain = values.join('');
    if (chain === 'process.env' || chain === 'import.meta.env') return true;
    if (values[0] === 'loadEnv' || (values[0] === 'await' && values[1] === 'loadEnv')) return true;
    return init.length > 2 && init[0]?.type === 'ident' && init[1]?.value === '(' && init.some((x) => x.type === 'ident' && (this.envObjects.has(x.value) || x.value === 'loadEnv'));
  }

  private expression(tokens: readonly JsToken[], depth: number): JsValue {
    const text = sourceText(tokens, this.text);
    if (tokens.length === 0 || depth > 8) return { kind: 'unknown', text, envName: null };
    if (tokens.some((x, i) => x.value === '?' && tokens[i + 1]?.value !== '?' && tokens[i - 1]?.value !== '?' && tokens[i + 1]?.value !== '.')) {
      return { kind: 'unknown', text, envName: null }; // a ternary: which branch depends on the run
    }
    const alternatives = splitOperator(tokens, ['||', '??']);
    if (alternatives.length === 1) {
      const both = splitOperator(tokens, ['&&']);
      if (both.length > 1) {
        // `process.env.PORT && Number(process.env.PORT)`: known only when every operand is.
        const values = both.map((part) => this.expression(part, depth + 1));
        const last = values.at(-1);
        if (last !== undefined && values.every((v) => v.kind !== 'unknown')) return last;
        const named = values.find((v): v is Extract<JsValue, { kind: 'unknown' }> => v.kind === 'unknown' && v.envName !== null);
        return { kind: 'unknown', text, envName: named?.envName ?? null };
      }
      return this.term(tokens, depth);
    }
    let envName: string | null = null;
    for (const alternative of alternatives) {
      const value = this.expression(alternative, depth + 1);
      if (value.kind === 'unknown') {
        envName ??= value.envName;
        continue;
      }
      if (value.kind === 'value' && !value.fromEnv && envName !== null) {
        // `env.PORT || 3000`: the literal is PORT's default, written on this line.
        const line = this.lines.lineOf(alternative[0]?.offset ?? 0);
        return { kind: 'value', exp: withSource(value.exp, { variable: envName, from: 'default', file: this.file, line }), fromEnv: false };
      }
      return value;
    }
    return { kind: 'unknown', text, envName };
  }

  private term(tokens: readonly JsToken[], depth: number): JsValue {
    const text = sourceText(tokens, this.text);
    const first = tokens[0] as JsToken;
    if (first.value === '(' && matching(tokens, 0) === tokens.length - 1) return this.expression(tokens.slice(1, -1), depth + 1);
    if (first.value === '+' && tokens.length > 1) return this.term(tokens.slice(1), depth + 1);
    // `parseInt(x, 10)`, `Number(x)`, `Number.parseInt(x)`, `String(x)`: the value of x.
    const call = /^(?:Number\.)?(parseInt|parseFloat|Number|String)\($/.exec(tokens.slice(0, tokens.findIndex((x) => x.value === '(') + 1).map((x) => x.value).join(''));
    if (call && matching(tokens, tokens.findIndex((x) => x.value === '(')) === tokens.length - 1) {
      const open = tokens.findIndex((x) => x.value === '(');
      const args = splitTop(tokens.slice(open + 1, -1), ',');
      return args[0] === undefined ? { kind: 'unknown', text, envName: null } : this.expression(args[0], depth + 1);
    }
    if (tokens.length === 1) {
      if (first.type === 'number') return literal(first.value);
      if (first.type === 'string') return this.text[first.offset] === '`' ? this.template(first, depth) : literal(first.value);
      if (first.type === 'ident') {
        if (first.value === 'true' || first.value === 'false') return { kind: 'bool', value: first.value === 'true' };
        return this.variable(first, depth);
      }
    }
    const member = memberChain(tokens);
    if (member !== null && member.length >= 2) {
      const base = member.slice(0, -1).join('.');
      const name = member.at(-1) as string;
      if (base === 'process.env' || base === 'import.meta.env' || this.envObjects.has(base)) return this.env(name, text);
    }
    return { kind: 'unknown', text, envName: null };
  }

  private env(name: string, text: string): JsValue {
    const known = this.resolveEnv(name);
    if (known === undefined) return { kind: 'unknown', text, envName: name };
    return { kind: 'value', exp: withSource(plain(known.value), known.source), fromEnv: true };
  }

  private variable(ident: JsToken, depth: number): JsValue {
    const binding = this.bindings.get(ident.value);
    if (binding === undefined || this.ambiguous.has(ident.value)) return { kind: 'unknown', text: ident.value, envName: null };
    if (binding.envName !== undefined) {
      const fromEnv = this.env(binding.envName, ident.value);
      if (fromEnv.kind !== 'unknown' || binding.tokens.length === 0) return fromEnv;
      const fallback = this.expression(binding.tokens, depth + 1);
      if (fallback.kind !== 'value') return fallback;
      return { kind: 'value', exp: withSource(fallback.exp, { variable: binding.envName, from: 'default', file: this.file, line: binding.line }), fromEnv: false };
    }
    const value = this.expression(binding.tokens, depth + 1);
    if (value.kind !== 'value' || value.exp.pieces.some((p) => p.source !== null)) return value;
    return { kind: 'value', exp: withSource(value.exp, { variable: ident.value, from: 'assignment', file: this.file, line: binding.line }), fromEnv: value.fromEnv };
  }

  /** A template literal: each `${expr}` evaluated; one that cannot be stays as written. */
  private template(token: JsToken, depth: number): JsValue {
    const raw = token.value;
    let text = '';
    const pieces: Piece[] = [];
    let complete = true;
    let fromEnv = false;
    let i = 0;
    while (i < raw.length) {
      const open = raw.indexOf('${', i);
      if (open === -1) {
        text += raw.slice(i);
        break;
      }
      text += raw.slice(i, open);
      let close = open + 2;
      for (let level = 1; close < raw.length; close++) {
        if (raw[close] === '{') level++;
        else if (raw[close] === '}' && --level === 0) break;
      }
      const inner = raw.slice(open + 2, close);
      const value = this.expression(tokenizeJs(inner), depth + 1);
      const start = text.length;
      if (value.kind === 'value') {
        text += value.exp.text;
        fromEnv ||= value.fromEnv;
        const source = value.exp.pieces.find((p) => p.source !== null)?.source ?? null;
        pieces.push({ start, end: text.length, source, resolved: true });
      } else {
        text += raw.slice(open, close + 1);
        pieces.push({ start, end: text.length, source: null, resolved: false });
        complete = false;
      }
      i = close + 1;
    }
    return { kind: 'value', exp: { text, complete, pieces }, fromEnv };
  }
}

function literal(value: string): JsValue {
  return { kind: 'value', exp: plain(value), fromEnv: false };
}


/** `a.b.c` or `a['b']` as names, or null when the tokens are something else. */
function memberChain(tokens: readonly JsToken[]): string[] | null {
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    if (i === 0 && t.type === 'ident') names.push(t.value);
    else if (t.value === '.' && tokens[i + 1]?.type === 'ident') names.push((tokens[++i] as JsToken).value);
    else if (t.value === '[' && tokens[i + 1]?.type === 'string' && tokens[i + 2]?.value === ']') {
      names.push((tokens[i + 1] as JsToken).value);
      i += 2;
    } else return null;
  }
  return names;
}

/** Drops TypeScript's `as T`, `!` and `satisfies T` at the end of an expression. */
function trimCasts(tokens: readonly JsToken[]): readonly JsToken[] {
  let end = tokens.length;
  for (let i = 0; i < end; i++) {
    const t = tokens[i] as JsToken;
    if (t.type === 'ident' && (t.value === 'as' || t.value === 'satisfies') && depthAt(tokens, i) === 0) end = i;
  }
  while (end > 0 && tokens[end - 1]?.value === '!') end--;
  return tokens.slice(0, end);
}

function depthAt(tokens: readonly JsToken[], at: number): number {
  let depth = 0;
  for (let i = 0; i < at; i++) {
    const v = tokens[i]?.value;
    if (tokens[i]?.type !== 'punct') continue;
    if (v === '(' || v === '[' || v === '{') depth++;
    else if (v === ')' || v === ']' || v === '}') depth--;
  }
  return depth;
}

/** Index of the bracket closing the one at `open`, or -1. */
export function matching(tokens: readonly JsToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    if (t.type !== 'punct') continue;
    if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
    else if (t.value === ')' || t.value === ']' || t.value === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** A call's arguments: its tokens split on commas at depth 0. */
export function splitArguments(tokens: readonly JsToken[]): JsToken[][] {
  return splitTop(tokens, ',');
}

/** Splits tokens on a one-character separator at bracket depth 0. */
function splitTop(tokens: readonly JsToken[], separator: string): JsToken[][] {
  const parts: JsToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === 'punct') {
      if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') depth--;
      else if (t.value === separator && depth === 0) {
        parts.push([]);
        continue;
      }
    }
    parts.at(-1)?.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** Splits on two-character operators (`||`, `??`, `&&`) at depth 0; the tokenizer gives single characters. */
function splitOperator(tokens: readonly JsToken[], operators: readonly string[]): JsToken[][] {
  const parts: JsToken[][] = [[]];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    const pair = t.type === 'punct' && tokens[i + 1]?.type === 'punct' && tokens[i + 1]?.offset === t.offset + 1 ? t.value + (tokens[i + 1]?.value ?? '') : '';
    if (t.type === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) depth++;
    else if (t.type === 'punct' && (t.value === ')' || t.value === ']' || t.value === '}')) depth--;
    else if (depth === 0 && operators.includes(pair)) {
      parts.push([]);
      i++;
      continue;
    }
    parts.at(-1)?.push(t);
  }
  return parts;
}

/** Skips a type annotation (`: number`, `: Record<string, string>`) up to the `=` at depth 0. */
function skipType(tokens: readonly JsToken[], start: number): number {
  let depth = 0;
  for (let i = start; i < tokens.length && i < start + 64; i++) {
    const v = tokens[i]?.value;
    if (v === '<' || v === '(' || v === '[' || v === '{') depth++;
    else if (v === '>' || v === ')' || v === ']' || v === '}') depth--;
    else if (v === '=' && depth === 0 && tokens[i + 1]?.value !== '>') return i;
  }
  return start;
}

const CONTINUES = new Set(['|', '?', ':', '+', '-', '*', '/', '(', '[', '{', ',', '=', '&', '.', '!', '<', '>']);

/**
 * The tokens of an initializer, up to `;`, a `,` at depth 0, a closing bracket of the enclosing
 * block, or a line break where the expression is complete (files without semicolons).
 */
export function expressionTokens(tokens: readonly JsToken[], start: number, text: string): JsToken[] {
  const out: JsToken[] = [];
  let depth = 0;
  for (let i = start; i < tokens.length && out.length < 256; i++) {
    const t = tokens[i] as JsToken;
    if (t.type === 'punct') {
      if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (t.value === ';' || t.value === ',')) break;
    }
    const previous = out.at(-1);
    if (depth === 0 && previous !== undefined && text.slice(previous.offset, t.offset).includes('\n')) {
      const joins = (previous.type === 'punct' && CONTINUES.has(previous.value)) || (t.type === 'punct' && CONTINUES.has(t.value) && t.value !== '(' && t.value !== '[' && t.value !== '{');
      if (!joins) break;
    }
    out.push(t);
  }
  return out;
}

/** The source text the tokens span. */
export function sourceText(tokens: readonly JsToken[], text: string): string {
  const first = tokens[0];
  const last = tokens.at(-1);
  if (first === undefined || last === undefined) return '';
  const end = last.type === 'string' ? text.indexOf(text[last.offset] ?? '', last.offset + 1) + 1 || last.offset + 1 : last.offset + last.value.length;
  return text.slice(first.offset, Math.max(end, first.offset + 1));
}
