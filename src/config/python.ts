import { analyzeWords } from './command-line.js';
import { tokenizeJs, type JsToken } from './js-tokens.js';
import { declare, LineIndex, parseAddress, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

/**
 * Python entry points that start servers, and gunicorn configuration files. Only these names:
 * scanning every .py file of a project would cost much and find mostly tests.
 */
export function isPythonFile(path: string): boolean {
  return /(^|\/)(gunicorn[\w.-]*\.py|(main|app|server|run|asgi|wsgi|manage)\.py)$/.test(path);
}

/**
 * Python servers: `uvicorn.run(app, host="0.0.0.0", port=8000)`, `app.run(port=5000)`,
 * `web.run_app(app, port=8080)`, `execute_from_command_line([..., "runserver", "0.0.0.0:8000"])`;
 * gunicorn config `bind = "0.0.0.0:8000"` (or a list). Python's tokens are close enough to
 * JavaScript's for keyword arguments and strings, so the JS tokenizer is reused; `#` comments
 * are removed first.
 *
 * @example
 * parsePython({ file: 'main.py', text: 'uvicorn.run(app, host="0.0.0.0", port=8000)\n', vars: new Map() })
 */
export function parsePython(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const tokens = tokenizeJs(stripPythonComments(input.text));
  const declarations: Declaration[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    if (t.type !== 'ident' || tokens[i + 1]?.value !== '(') continue;
    if (t.value === 'run' || t.value === 'run_app' || t.value === 'serve') {
      const args = callArguments(tokens, i + 2);
      const port = toPort(args.get('port')?.value);
      if (port !== null) {
        declarations.push(declare(lines, input.file, lines.lineOf(args.get('port')?.offset ?? t.offset), 'python', 'server', args.get('host')?.value ?? null, port));
      }
    }
  }
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [t, eq, value] = [tokens[i], tokens[i + 1], tokens[i + 2]] as [JsToken, JsToken, JsToken];
    if (t.type === 'ident' && t.value === 'bind' && eq.value === '=') {
      const values: JsToken[] = [value];
      if (value.value === '[') {
        for (let k = i + 3; k < tokens.length && k < i + 64 && tokens[k]?.value !== ']'; k++) values.push(tokens[k] as JsToken);
      }
      for (const v of values.filter((x) => x.type === 'string')) {
        const address = parseAddress(v.value);
        if (address !== null) declarations.push(declare(lines, input.file, lines.lineOf(v.offset), 'python', 'server', address.host, address.port));
      }
    }
  }
  // Django's manage.py rarely names a port, but `runserver` in an argv list does.
  const strings = tokens.filter((x) => x.type === 'string');
  const runserver = strings.findIndex((x) => x.value === 'runserver');
  const addr = strings[runserver + 1];
  if (runserver !== -1 && addr !== undefined) {
    for (const found of analyzeWords(['manage.py', 'runserver', addr.value], new Map())) {
      declarations.push(declare(lines, input.file, lines.lineOf(addr.offset), 'python', found.role, found.host, found.port));
    }
  }
  return { declarations, warnings: [] };
}

/** Keyword arguments of a call: `name=literal`, up to the matching `)`. */
function callArguments(tokens: readonly JsToken[], start: number): Map<string, JsToken> {
  const args = new Map<string, JsToken>();
  let depth = 0;
  for (let i = start; i < tokens.length && i < start + 200; i++) {
    const t = tokens[i] as JsToken;
    if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
    else if (t.value === ')' || t.value === ']' || t.value === '}') {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && t.type === 'ident' && tokens[i + 1]?.value === '=' && tokens[i + 2] !== undefined) {
      const value = tokens[i + 2] as JsToken;
      // `port=int(os.environ.get("PORT", 8000))`: take the literal default inside.
      let literal = value;
      if (value.type === 'ident') {
        let inner = 0;
        for (let k = i + 2; k < tokens.length && k < i + 24; k++) {
          const candidate = tokens[k] as JsToken;
          if (candidate.value === '(') inner++;
          else if (candidate.value === ')' && --inner < 0) break;
          else if (candidate.value === ',' && inner === 0) break;
          if (candidate.type === 'number' || (candidate.type === 'string' && toPort(candidate.value) !== null)) literal = candidate;
        }
      }
      args.set(t.value, literal);
    }
  }
  return args;
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
