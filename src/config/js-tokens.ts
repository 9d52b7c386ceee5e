/**
 * A small JavaScript/TypeScript tokenizer, enough to read configuration object literals without
 * executing them: identifiers, strings (quotes and templates), numbers, punctuation, with comments
 * skipped and offsets kept. It does not parse: regular expressions are recognised by the usual
 * "what came before" rule so that a `'` inside a regex cannot start a runaway string.
 */
export type JsTokenType = 'ident' | 'string' | 'number' | 'punct';

export interface JsToken {
  readonly type: JsTokenType;
  /** Strings: the decoded value (templates: the raw text between backticks). Others: the source. */
  readonly value: string;
  readonly offset: number;
}

const PUNCT_BEFORE_REGEX = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const KEYWORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw']);

/**
 * @example
 * tokenizeJs("port: 3000 // dev").map((t) => t.value) // ['port', ':', '3000']
 */
export function tokenizeJs(text: string): JsToken[] {
  const tokens: JsToken[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? n : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? n : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const start = i;
      let value = '';
      i++;
      while (i < n && text[i] !== c) {
        if (text[i] === '\\') {
          value += text[i + 1] ?? '';
          i += 2;
        } else if (c !== '`' && text[i] === '\n') {
          break; // An unterminated string ends at the line: keep the damage local.
        } else {
          value += text[i];
          i++;
        }
      }
      i++;
      tokens.push({ type: 'string', value, offset: start });
    } else if (/[A-Za-z_$]/.test(c)) {
      const start = i;
      while (i < n && /[\w$]/.test(text[i] ?? '')) i++;
      tokens.push({ type: 'ident', value: text.slice(start, i), offset: start });
    } else if (/\d/.test(c)) {
      const start = i;
      while (i < n && /[\w.]/.test(text[i] ?? '')) i++;
      tokens.push({ type: 'number', value: text.slice(start, i).replace(/_/g, ''), offset: start });
    } else if (c === '/' && regexAllowed(tokens.at(-1))) {
      i = skipRegex(text, i);
    } else {
      tokens.push({ type: 'punct', value: c, offset: i });
      i++;
    }
  }
  return tokens;
}

function regexAllowed(previous: JsToken | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.type === 'punct') return PUNCT_BEFORE_REGEX.has(previous.value);
  return previous.type === 'ident' && KEYWORDS_BEFORE_REGEX.has(previous.value);
}

function skipRegex(text: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < text.length && text[i] !== '\n') {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) break;
    i++;
  }
  i++;
  while (i < text.length && /[a-z]/i.test(text[i] ?? '')) i++;
  return i;
}
