import { readWords } from './command-line.js';
import { Emitter } from './emit.js';
import { plainExpansion as plain, resolverOf, sourceAt, withSource, type Expansion, type Piece, type Resolver } from './interpolate.js';
import { expressionTokens, matching, sourceText } from './js-eval.js';
import { tokenizeJs, type JsToken } from './js-tokens.js';
import { LineIndex, normalizeHost, toPort } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { addressOf, unknownReason } from './values.js';

/**
 * Python entry points that start servers, and gunicorn configuration files. Only these names:
 * scanning every .py file of a project would cost much and find mostly tests.
 */
export function isPythonFile(path: string): boolean {
  return /(^|\/)(gunicorn[\w.-]*\.py|(main|app|server|run|asgi|wsgi|manage|__main__|serve|start|debug|dev)\.py)$/.test(path);
}

/** A Python value as far as the file states it: text (with where it came from), or unknown. */
type PyValue = { readonly kind: 'value'; readonly exp: Expansion } | { readonly kind: 'unknown'; readonly text: string; readonly envName: string | null };

/**
 * Module-level assignments of one file (`port = int(os.environ.get('PORT', 5000))`) and how to
 * read the environment: `os.environ.get('X', d)`, `os.getenv('X', d)`, `os.environ['X']`,
 * `config('X', default=d)` (python-decouple, environs), `a or b`, `int(…)`/`str(…)`, `+`
 * concatenation and f-strings. Looked-up variables come from the project's .env files.
 */
interface Binding {
  readonly tokens: JsToken[];
  readonly line: number;
}

/** `if COND:` / `else:` around the two assignments of one name: which one runs depends on COND. */
interface Branches {
  readonly condition: string;
  readonly negated: boolean;
  readonly then: Binding;
  readonly otherwise: Binding;
}

class PyScope {
  private readonly bindings = new Map<string, Binding>();
  private readonly ambiguous = new Set<string>();
  private readonly branches = new Map<string, Branches>();

  constructor(
    tokens: readonly JsToken[],
    private readonly text: string,
    private readonly lines: LineIndex,
    private readonly file: string,
    private readonly resolveEnv: Resolver,
  ) {
    const all = new Map<string, Binding[]>();
    for (let i = 0; i + 2 < tokens.length; i++) {
      const t = tokens[i] as JsToken;
      const previous = tokens[i - 1];
      const startsLine = previous === undefined || text.slice(previous.offset, t.offset).includes('\n');
      if (t.type !== 'ident' || !startsLine || tokens[i + 1]?.value !== '=' || tokens[i + 2]?.value === '=') continue;
      const binding = { tokens: expressionTokens(tokens, i + 2, text), line: lines.lineOf(t.offset) };
      all.set(t.value, [...(all.get(t.value) ?? []), binding]);
      // Assigned again (in another branch, or later): which value applies depends on the run.
      if (this.bindings.has(t.value)) this.ambiguous.add(t.value);
      else this.bindings.set(t.value, binding);
    }
    for (const [name, assignments] of all) {
      const branches = assignments.length === 2 ? ifElse(text.split('\n'), assignments[0] as Binding, assignments[1] as Binding) : null;
      if (branches !== null) this.branches.set(name, branches);
    }
  }

  /**
   * Whether `name` is true when the project's environment is as its files state it: an
   * environment variable set nowhere with no default (or a None/empty one) is false; a known
   * non-empty text is true. Null: cannot tell.
   */
  private truthy(name: string, depth: number): boolean | null {
    const binding = this.bindings.get(name);
    if (binding === undefined || this.ambiguous.has(name)) return null;
    const value = this.evaluate(binding.tokens, depth + 1);
    if (value.kind === 'value') return value.exp.complete ? value.exp.text !== '' : null;
    // `os.getenv("BIND", None)`, `os.getenv("BIND")` with BIND set nowhere: None.
    const call = /^(?:os\.)?(?:environ\.get|getenv)\(\s*["']\w+["']\s*(?:,\s*(None|""|''|False)\s*)?\)$/.exec(sourceText(binding.tokens, this.text));
    return value.envName !== null && call !== null ? false : null;
  }

  evaluate(tokens: readonly JsToken[], depth = 0): PyValue {
    const text = sourceText(tokens, this.text);
    if (tokens.length === 0 || depth > 8) return { kind: 'unknown', text, envName: null };
    const alternatives = splitWord(tokens, 'or');
    if (alternatives.length > 1) {
      let envName: string | null = null;
      for (const alternative of alternatives) {
        const value = this.evaluate(alternative, depth + 1);
        if (value.kind === 'value') return envName === null ? value : { kind: 'value', exp: withSource(value.exp, { variable: envName, from: 'default', file: this.file, line: this.lineOf(alternative) }) };
        envName ??= value.envName;
      }
      return { kind: 'unknown', text, envName };
    }
    const parts = splitPunct(tokens, '+');
    if (parts.length > 1) return this.concatenate(parts, depth);
    return this.term(tokens, depth);
  }

  private lineOf(tokens: readonly JsToken[]): number {
    return this.lines.lineOf(tokens[0]?.offset ?? 0);
  }

  private concatenate(parts: JsToken[][], depth: number): PyValue {
    let text = '';
    const pieces: Piece[] = [];
    let complete = true;
    for (const part of parts) {
      const value = this.evaluate(part, depth + 1);
      const start = text.length;
      if (value.kind === 'value') {
        text += value.exp.text;
        for (const p of value.exp.pieces) pieces.push({ ...p, start: start + p.start, end: start + p.end });
      } else {
        text += value.envName === null ? value.text : `\${${value.envName}}`;
        pieces.push({ start, end: text.length, source: null, resolved: false });
        complete = false;
      }
    }
    return { kind: 'value', exp: { text, complete, pieces } };
  }

  private term(tokens: readonly JsToken[], depth: number): PyValue {
    const text = sourceText(tokens, this.text);
    const first = tokens[0] as JsToken;
    if (tokens.length === 1 && first.type === 'number') return { kind: 'value', exp: plain(first.value) };
    if (tokens.length === 1 && first.type === 'string') return { kind: 'value', exp: plain(first.value) };
    if (tokens.length === 2 && first.type === 'ident' && /^[fF]$/.test(first.value) && tokens[1]?.type === 'string') return this.fString(tokens[1], depth);
    if (tokens.length === 1 && first.type === 'ident') return this.variable(first, depth);
    const formatted = this.formatted(tokens, depth);
    if (formatted !== null) return formatted;
    const open = tokens.findIndex((x) => x.value === '(' || x.value === '[');
    const callee = tokens.slice(0, open).map((x) => x.value).join('');
    if (open > 0 && matching(tokens, open) === tokens.length - 1) {
      const args = splitPunct(tokens.slice(open + 1, -1), ',');
      if (tokens[open]?.value === '[' && /^(os\.)?environ$/.test(callee)) return this.env(stringOf(args[0]), null, text);
      if (/^(int|str|float)$/.test(callee) && args[0] !== undefined) return this.evaluate(args[0], depth + 1);
      const name = stringOf(args[0]);
      if (name !== null && /^((os\.)?environ\.get|(os\.)?getenv|config|env(\.(int|str))?|get_env|env_var)$/.test(callee)) {
        const keyword = args.find((a) => a[0]?.value === 'default' && a[1]?.value === '=');
        const fallback = keyword !== undefined ? keyword.slice(2) : args[1] !== undefined && args[1][1]?.value !== '=' ? args[1] : undefined;
        return this.env(name, fallback === undefined ? null : { tokens: fallback, depth }, text);
      }
    }
    return { kind: 'unknown', text, envName: null };
  }

  private env(name: string | null, fallback: { tokens: JsToken[]; depth: number } | null, text: string): PyValue {
    if (name === null) return { kind: 'unknown', text, envName: null };
    const known = this.resolveEnv(name);
    if (known !== undefined) return { kind: 'value', exp: withSource(plain(known.value), known.source) };
    if (fallback === null) return { kind: 'unknown', text, envName: name };
    const value = this.evaluate(fallback.tokens, fallback.depth + 1);
    if (value.kind !== 'value') return { kind: 'unknown', text, envName: name };
    return { kind: 'value', exp: withSource(value.exp, { variable: name, from: 'default', file: this.file, line: this.lineOf(fallback.tokens) }) };
  }

  private variable(ident: JsToken, depth: number): PyValue {
    const branches = this.branches.get(ident.value);
    const condition = branches === undefined || depth > 8 ? null : this.truthy(branches.condition, depth);
    let binding = this.bindings.get(ident.value);
    if (branches !== undefined && condition !== null) binding = condition !== branches.negated ? branches.then : branches.otherwise;
    else if (this.ambiguous.has(ident.value)) binding = undefined;
    if (binding === undefined) return { kind: 'unknown', text: ident.value, envName: null };
    const value = this.evaluate(binding.tokens, depth + 1);
    if (value.kind !== 'value') return value;
    return { kind: 'value', exp: withSource(value.exp, { variable: ident.value, from: 'assignment', file: this.file, line: binding.line }) };
  }

  /** `f"0.0.0.0:{port}"`: each `{expr}` evaluated, the others left as written. */
  private fString(token: JsToken, depth: number): PyValue {
    return fill(token.value, /\{[^{}]*\}/g, (part) => this.evaluate(tokenizeJs(part.slice(1, -1).replace(/[!:].*$/, '')), depth + 1));
  }

  /** `"[::]:{}".format(port)`, `"0.0.0.0:%s" % port`: placeholders filled with the arguments in order. */
  private formatted(tokens: readonly JsToken[], depth: number): PyValue | null {
    const template = tokens[0];
    if (template?.type !== 'string') return null;
    if (tokens[1]?.value === '.' && tokens[2]?.value === 'format' && tokens[3]?.value === '(' && matching(tokens, 3) === tokens.length - 1) {
      const args = splitPunct(tokens.slice(4, -1), ',');
      let next = 0;
      return fill(template.value, /\{(\d*)[^{}]*\}/g, (part) => {
        const index = /^\{(\d+)/.exec(part)?.[1];
        const arg = args[index === undefined ? next++ : Number(index)];
        return arg === undefined ? { kind: 'unknown', text: part, envName: null } : this.evaluate(arg, depth + 1);
      });
    }
    if (tokens[1]?.value === '%' && tokens.length > 2) {
      const rest = tokens.slice(2);
      const args = rest[0]?.value === '(' && matching(rest, 0) === rest.length - 1 ? splitPunct(rest.slice(1, -1), ',') : [rest];
      let next = 0;
      return fill(template.value, /%[sdr]/g, () => {
        const arg = args[next++];
        return arg === undefined ? { kind: 'unknown', text: '%s', envName: null } : this.evaluate(arg, depth + 1);
      });
    }
    return null;
  }
}

/**
 * The two assignments as the branches of `if NAME:` / `if not NAME:` and `else:`, each alone in
 * its block (tiangolo's gunicorn_conf.py: `if bind_env: use_bind = bind_env` / `else: use_bind =
 * f"{host}:{port}"`); null for any other shape.
 */
function ifElse(rows: readonly string[], first: Binding, second: Binding): Branches | null {
  const indent = (row: string): number => row.length - row.trimStart().length;
  const previousRow = (line: number): number => {
    let k = line - 2;
    while (k >= 0 && (rows[k] ?? '').trim() === '') k--;
    return k;
  };
  const ifRow = previousRow(first.line);
  const elseRow = previousRow(second.line);
  const condition = /^(\s*)if\s+(not\s+)?([A-Za-z_]\w*)\s*:\s*(#.*)?$/.exec(rows[ifRow] ?? '');
  // Each branch is that one assignment: nothing between it and `else:`.
  if (condition === null || previousRow(elseRow + 1) !== first.line - 1) return null;
  const level = condition[1]?.length ?? 0;
  if (!/^\s*else\s*:\s*(#.*)?$/.test(rows[elseRow] ?? '') || indent(rows[elseRow] ?? '') !== level) return null;
  if (indent(rows[first.line - 1] ?? '') <= level || indent(rows[second.line - 1] ?? '') <= level) return null;
  return { condition: condition[3] ?? '', negated: condition[2] !== undefined, then: first, otherwise: second };
}

/** A template's text with each placeholder replaced by its value; one without a value stays as written. */
function fill(template: string, placeholder: RegExp, valueOf: (part: string) => PyValue): PyValue {
  let text = '';
  const pieces: Piece[] = [];
  let complete = true;
  let last = 0;
  for (const match of template.matchAll(placeholder)) {
    text += template.slice(last, match.index);
    last = match.index + match[0].length;
    const value = valueOf(match[0]);
    const start = text.length;
    if (value.kind === 'value') {
      text += value.exp.text;
      pieces.push({ start, end: text.length, source: value.exp.pieces.find((p) => p.source !== null)?.source ?? null, resolved: true });
    } else {
      text += value.envName === null ? match[0] : `\${${value.envName}}`;
      pieces.push({ start, end: text.length, source: null, resolved: false });
      complete = false;
    }
  }
  text += template.slice(last);
  return { kind: 'value', exp: { text, complete, pieces } };
}

function stringOf(tokens: readonly JsToken[] | undefined): string | null {
  return tokens?.length === 1 && tokens[0]?.type === 'string' ? tokens[0].value : null;
}

function splitPunct(tokens: readonly JsToken[], separator: string): JsToken[][] {
  return splitWhere(tokens, (t) => t.type === 'punct' && t.value === separator);
}

function splitWord(tokens: readonly JsToken[], word: string): JsToken[][] {
  return splitWhere(tokens, (t) => t.type === 'ident' && t.value === word);
}

function splitWhere(tokens: readonly JsToken[], isSeparator: (t: JsToken) => boolean): JsToken[][] {
  const parts: JsToken[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.type === 'punct' && (t.value === '(' || t.value === '[' || t.value === '{')) depth++;
    else if (t.type === 'punct' && (t.value === ')' || t.value === ']' || t.value === '}')) depth--;
    else if (depth === 0 && isSeparator(t)) {
      parts.push([]);
      continue;
    }
    parts.at(-1)?.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** Calls that start a server, by their last name: `uvicorn.run`, `app.run`, `web.run_app`, `waitress.serve`. */
const SERVER_CALLS = new Set(['run', 'run_app', 'serve', 'run_simple', 'make_server', 'listen', 'enable_attach', 'start_server', 'launch']);

/**
 * Python servers: `uvicorn.run(app, host="0.0.0.0", port=8000)`, `app.run(port=5000)`,
 * `web.run_app(app, port=8080)`, `socketio.run(app, port=…)`, `demo.launch(server_port=7860)`,
 * `debugpy.listen(("0.0.0.0", 5678))` / `debugpy.listen(5678)`,
 * `execute_from_command_line([..., "runserver", "0.0.0.0:8000"])`; gunicorn config
 * `bind = "0.0.0.0:8000"` (or a list). A value that passes through a variable of the file
 * (`port = int(os.environ.get("PORT", 5000))` … `app.run(port=port)`) is followed to its literal
 * default, or to the project's .env; one that cannot be is an unknown port. Python's tokens are
 * close enough to JavaScript's for this, so the JS tokenizer is reused; `#` comments are removed
 * first.
 *
 * @example
 * parsePython({ file: 'main.py', text: 'uvicorn.run(app, host="0.0.0.0", port=8000)\n', vars: new Map() })
 */
export function parsePython(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'python');
  const text = stripPythonComments(input.text);
  const tokens = tokenizeJs(text);
  const scope = new PyScope(tokens, text, lines, input.file, resolverOf(input.vars, input.origins));
  const valueAt = (value: PyValue, line: number, host: string | null): void => {
    if (value.kind === 'unknown') {
      out.unknown(line, 'server', host, value.envName === null ? value.text : `\${${value.envName}}`, value.envName === null ? `${value.text} is computed at run time or comes from another file` : unknownReason(`\${${value.envName}}`));
      return;
    }
    const port = toPort(value.exp.text);
    if (port !== null) out.port(line, 'server', host, port, { via: sourceAt(value.exp, 0, value.exp.text.length) });
    else if (!value.exp.complete) out.unknown(line, 'server', host, value.exp.text, unknownReason(value.exp.text));
  };
  const hostOf = (value: PyValue | undefined): string | null => (value?.kind === 'value' && value.exp.complete ? normalizeHost(value.exp.text) : null);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    if (t.type !== 'ident' || tokens[i + 1]?.value !== '(' || !SERVER_CALLS.has(t.value)) continue;
    const isDebugger = tokens[i - 2]?.value === 'debugpy' || tokens[i - 2]?.value === 'ptvsd';
    if (t.value === 'listen' && !isDebugger) continue;
    const close = matching(tokens, i + 1);
    const args = splitPunct(tokens.slice(i + 2, close === -1 ? tokens.length : close), ',');
    const keywords = new Map<string, JsToken[]>();
    const positional: JsToken[][] = [];
    for (const arg of args) {
      if (arg[0]?.type === 'ident' && arg[1]?.value === '=' && arg[2]?.value !== '=') keywords.set(arg[0].value, arg.slice(2));
      else positional.push(arg);
    }
    // `debugpy.listen(("0.0.0.0", 5678))`, `HTTPServer(("", 8000), H)`, `enable_attach(address=(h, p))`.
    const tuple = keywords.get('address') ?? positional.find((a) => a[0]?.value === '(' && matching(a, 0) === a.length - 1);
    const portTokens = keywords.get('port') ?? keywords.get('server_port');
    const hostTokens = keywords.get('host') ?? keywords.get('server_name');
    if (portTokens !== undefined) {
      valueAt(scope.evaluate(portTokens), lines.lineOf(portTokens[0]?.offset ?? t.offset), hostOf(hostTokens === undefined ? undefined : scope.evaluate(hostTokens)));
    } else if (tuple !== undefined) {
      const [hostPart, portPart] = splitPunct(tuple.slice(1, -1), ',');
      if (portPart !== undefined) valueAt(scope.evaluate(portPart), lines.lineOf(portPart[0]?.offset ?? t.offset), hostOf(hostPart === undefined ? undefined : scope.evaluate(hostPart)));
    } else if (isDebugger && positional[0] !== undefined) {
      // `debugpy.listen(5678)` listens on 127.0.0.1 (debugpy's default).
      valueAt(scope.evaluate(positional[0]), lines.lineOf(positional[0][0]?.offset ?? t.offset), '127.0.0.1');
    } else if (t.value === 'run' && positional.length >= 2) {
      // Flask's `app.run("0.0.0.0", 5000)`: host and port by position.
      const [hostPart, portPart] = positional.at(-2)?.[0]?.type === 'string' ? [positional.at(-2), positional.at(-1)] : [undefined, undefined];
      if (portPart !== undefined) valueAt(scope.evaluate(portPart), lines.lineOf(portPart[0]?.offset ?? t.offset), hostOf(hostPart === undefined ? undefined : scope.evaluate(hostPart)));
    }
  }
  // gunicorn configuration: `bind = "0.0.0.0:8000"`, `bind = ["127.0.0.1:8000", …]`, f-strings.
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    if (t.type !== 'ident' || t.value !== 'bind' || tokens[i + 1]?.value !== '=' || tokens[i + 2]?.value === '=' || tokens[i - 1]?.value === '.') continue;
    const value = expressionTokens(tokens, i + 2, text);
    const items = value[0]?.value === '[' ? splitPunct(value.slice(1, -1), ',') : [value];
    for (const item of items) {
      const evaluated = scope.evaluate(item);
      const line = lines.lineOf(item[0]?.offset ?? t.offset);
      if (evaluated.kind === 'value') out.outcome(line, 'server', addressOf(evaluated.exp));
      else out.unknown(line, 'server', null, evaluated.text, `${evaluated.text} is computed at run time or comes from another file`);
    }
  }
  // Django's manage.py rarely names a port, but `runserver` in an argv list does.
  const strings = tokens.filter((x) => x.type === 'string');
  const runserver = strings.findIndex((x) => x.value === 'runserver');
  const addr = strings[runserver + 1];
  if (runserver !== -1 && addr !== undefined) {
    const line = lines.lineOf(addr.offset);
    out.command(readWords(['manage.py', 'runserver', addr.value], { resolve: () => undefined, at: { file: input.file, line } }), () => line);
  }
  return out.result();
}

/** Blanks `#` comments outside strings, keeping offsets (so line numbers stay right). */
function stripPythonComments(text: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote !== null) {
      if (c === '\\') {
        out += c + (text[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === quote || c === '\n') quote = null;
      out += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
      out += text[i] ?? '';
    } else out += c;
  }
  return out;
}
