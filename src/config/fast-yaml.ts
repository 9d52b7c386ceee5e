import type { YamlAlias, YamlDocument, YamlMap, YamlNode, YamlScalar, YamlSeq } from './yaml-doc.js';

/**
 * A fast reader for the block-style YAML that Compose and Spring files are written in: block
 * mappings and sequences, plain, quoted and block scalars (over several lines too), flow collections, comments,
 * anchors, aliases and merge keys, `---` between documents, into the {@link YamlNode}s the readers
 * use, so they do not know which parser ran.
 *
 * Why: `yaml` tokenizes character by character and a 1 MB Compose file took seconds, most of it in
 * the lexer and the garbage it leaves. This reader works line by line.
 *
 * It declines (returns null) on anything outside that subset or that it cannot read with certainty
 * (tags, complex keys, directives, a continuation line that could be read as something else, tabs in
 * indentation, lines it could not place): the caller then uses `yaml` itself, which
 * also reports syntax errors. Plain scalars stay text (`8080` is "8080"); `~`, `null` and nothing
 * are null.
 */
export function parseYamlFast(text: string): YamlDocument[] | null {
  const lines = splitLines(text);
  if (lines === null) return null;
  const docs: YamlDocument[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    const line = lines[i];
    const separator = line !== undefined && line.indent === 0 && /^---(\s+#.*|\s*)$/.test(line.content);
    if (line !== undefined && !separator) continue;
    const body = lines.slice(start, i);
    // Every `---` starts a document; what comes before the first one is one only if it has content.
    const isDocument = start > 0 || body.some((l) => !l.skip);
    if (isDocument) {
      const doc = readDocument(text, body);
      if (doc === null) return null;
      docs.push(doc);
    }
    start = i + 1;
  }
  return docs;
}

interface Line {
  /** Offset of the line's first character. */
  readonly start: number;
  /** Offset just past the line's last character (before the line break). */
  readonly end: number;
  indent: number;
  /** The text after the indentation (a sequence item's content shifts this forward). */
  content: string;
  /** Offset of `content`. */
  contentStart: number;
  /** Blank or comment-only: no structure. */
  readonly skip: boolean;
  /** A mapping that starts on a sequence item's line (`- key: value`). */
  compact?: boolean;
}

function splitLines(text: string): Line[] | null {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineEnd = end > start && text[end - 1] === '\r' ? end - 1 : end;
    const raw = text.slice(start, lineEnd);
    const indent = raw.length - raw.trimStart().length;
    const content = raw.slice(indent);
    // Tabs in indentation are YAML errors, and directives and document ends are rare: let yaml handle them.
    if (/^ *\t/.test(raw) && content !== '') return null;
    if (indent === 0 && (content.startsWith('%') || /^\.\.\.\s*(#.*)?$/.test(content))) return null;
    lines.push({ start, end: lineEnd, indent, content, contentStart: start + indent, skip: content === '' || content.startsWith('#') });
    if (end === text.length) break;
    start = end + 1;
  }
  return lines;
}

function readDocument(text: string, lines: Line[]): YamlDocument | null {
  const reader = new Reader(text, lines);
  const contents = reader.block(0);
  if (contents === undefined || !reader.done()) return null;
  return { contents };
}

/** Characters a plain scalar may not start with (YAML's indicators). */
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

class Reader {
  private i = 0;
  /** Anchors defined so far: an alias refers to the latest one before it. */
  private readonly anchors = new Map<string, YamlNode>();

  constructor(
    private readonly text: string,
    private readonly lines: Line[],
  ) {}

  /** True when every line with structure has been read (nothing was silently left out). */
  done(): boolean {
    this.skipBlank();
    return this.i >= this.lines.length;
  }

  private skipBlank(): void {
    while (this.i < this.lines.length && this.lines[this.i]?.skip === true) this.i++;
  }

  private peek(): Line | undefined {
    this.skipBlank();
    return this.lines[this.i];
  }

  /**
   * The block that starts at the next line if it is indented at least `minIndent`: a mapping or
   * a sequence. Null: there is none (an empty value). Undefined: declined.
   */
  block(minIndent: number): YamlNode | null | undefined {
    const line = this.peek();
    if (line === undefined || line.indent < minIndent) return null;
    if (/^-(\s|$)/.test(line.content)) return this.sequence(line.indent);
    if (line.content.startsWith('[') || line.content.startsWith('{')) {
      // `command:\n  [\n "sh", …\n]`: a flow collection as the value below the key.
      this.i++;
      return this.inline(line, line.contentStart, line.content, minIndent - 1);
    }
    if (keyLength(line.content) === null) {
      // `tmpfs:\n  /tmp/pids/`: a scalar below its key. (yaml rejects one after a comment that is
      // less indented than the scalar.)
      for (let j = this.i - 1; j >= 0 && this.lines[j]?.skip === true; j--) if ((this.lines[j]?.content ?? '') !== '' && (this.lines[j]?.indent ?? 0) < minIndent) return undefined;
      this.i++;
      return this.inline(line, line.contentStart, line.content, minIndent - 1);
    }
    return this.mapping(line.indent);
  }

  private sequence(indent: number): YamlSeq | undefined {
    const items: YamlNode[] = [];
    const first = this.peek() as Line;
    let last = first.end;
    for (let line = this.peek(); line !== undefined && line.indent === indent && /^-(\s|$)/.test(line.content); line = this.peek()) {
      const rest = line.content.slice(1);
      const gap = rest.length - rest.trimStart().length;
      const itemText = rest.trimStart();
      let item: YamlNode | null | undefined;
      if (itemText === '' || itemText.startsWith('#')) {
        this.i++;
        item = this.block(indent + 1);
      } else if (keyLength(itemText) !== null) {
        // `- target: 80`: a mapping whose first key is on the item's line.
        line.indent = indent + 1 + gap;
        line.contentStart += 1 + gap;
        line.content = itemText;
        line.compact = true;
        item = this.mapping(line.indent);
      } else {
        this.i++;
        item = this.inline(line, line.contentStart + 1 + gap, itemText, indent);
      }
      if (item === undefined) return undefined;
      items.push(item ?? emptyScalar(line.end));
      last = this.lines[this.i - 1]?.end ?? last;
    }
    const next = this.peek();
    if (next !== undefined && next.indent > indent) return undefined;
    return { kind: 'seq', items, start: first.contentStart, end: last };
  }

  private mapping(indent: number): YamlMap | undefined {
    const items: YamlMap['items'] = [];
    const first = this.peek() as Line;
    let last = first.end;
    for (let line = this.peek(); line !== undefined && line.indent === indent; line = this.peek()) {
      const length = keyLength(line.content);
      if (length === null) return undefined;
      const keyText = line.content.slice(0, length.key).trimEnd();
      const key = keyScalar(keyText, line.contentStart);
      if (key === undefined) return undefined;
      const valueText = line.content.slice(length.value);
      this.i++;
      let value: YamlNode | null | undefined;
      if (valueText === '' || valueText.startsWith('#')) {
        // The value is the block below: more indented, or a sequence at the key's own indent.
        const next = this.peek();
        value = next !== undefined && next.indent === indent && /^-(\s|$)/.test(next.content) ? this.sequence(indent) : this.block(indent + 1);
      } else {
        value = this.inline(line, line.contentStart + length.value, valueText, indent);
      }
      if (value === undefined) return undefined;
      items.push({ key, value: value ?? emptyScalar(line.end) });
      last = this.lines[this.i - 1]?.end ?? last;
    }
    const next = this.peek();
    if (next !== undefined && next.indent > indent) return undefined;
    return { kind: 'map', items, start: first.contentStart, end: last, entries: undefined };
  }

  /** A value written after `key: ` or `- ` (its line already consumed), at `offset`. */
  private inline(line: Line, offset: number, written: string, parentIndent: number): YamlNode | null | undefined {
    let valueText = written;
    let at = offset;
    let anchor: string | undefined;
    const anchored = /^&([^\s,[\]{}]+)(\s+|$)/.exec(valueText);
    if (anchored) {
      anchor = anchored[1] ?? '';
      at += anchored[0].length;
      valueText = valueText.slice(anchored[0].length);
      if (valueText === '' || valueText.startsWith('#')) {
        const next = this.peek();
        const nested = next !== undefined && next.indent === parentIndent && /^-(\s|$)/.test(next.content) ? this.sequence(parentIndent) : this.block(parentIndent + 1);
        // (A node has at most one anchor.)
        if (nested === undefined || nested === null || nested.anchor !== undefined) return undefined;
        return this.anchored(nested, anchored[1] ?? '');
      }
    }
    let node: YamlNode | undefined;
    const first = valueText[0];
    if (first === '*') {
      const alias = /^\*([^\s,[\]{}]+)\s*(#.*)?$/.exec(valueText);
      if (!alias) return undefined;
      const name = alias[1] ?? '';
      const target = this.anchors.get(name);
      if (target === undefined) return undefined; // an alias before its anchor: an error yaml reports
      node = { kind: 'alias', source: name, target, start: at, end: at + name.length + 1 } satisfies YamlAlias;
    } else if (first === '|' || first === '>') {
      node = this.blockScalar(valueText, at, parentIndent);
    } else if (first === '[' || first === '{') {
      // A flow collection may go on over the next lines (`test: [\n  "CMD", …\n]`): each of them
      // indented more than the block it belongs to.
      const flow = new Flow(this.text, at, this.text.length, this.anchors);
      node = flow.value();
      if (node === undefined) return undefined;
      while (this.i < this.lines.length && (this.lines[this.i]?.start ?? Infinity) < flow.offset) {
        const next = this.lines[this.i] as Line;
        // (yaml accepts a lone closing bracket at a plain mapping's own indentation; nothing else.)
        const closing = next.indent === parentIndent && line.compact !== true && /^[\]}]\s*(#.*)?$/.test(next.content);
        if (!next.skip && next.indent <= parentIndent && !closing) return undefined;
        this.i++;
      }
      const endLine = this.lines[this.i - 1] ?? line;
      if (!/^(\s+#.*|\s*)$/.test(this.text.slice(flow.offset, endLine.end))) return undefined;
    } else if (first === '"' || first === "'") {
      node = this.quoted(line, at, parentIndent);
    } else {
      const plain = readPlain(valueText);
      if (plain === null) return undefined;
      node = plain.length === valueText.trimEnd().length ? this.plainLines(plain, at, parentIndent) : scalar(plainValue(plain), at, at + plain.length);
    }
    if (node === undefined) return undefined;
    // A more indented line after a one-line value continues it (a plain scalar over several
    // lines) or is an error: either way, for yaml.
    const next = this.peek();
    if (first !== '|' && first !== '>' && next !== undefined && next.indent > parentIndent) return undefined;
    return anchor === undefined ? node : this.anchored(node, anchor);
  }

  /**
   * A quoted scalar, on its line or over the next ones (each indented more than `parentIndent`),
   * folded as YAML folds them: a line break is a space, an empty line a line break, and in double
   * quotes a `\\` at the end of a line joins the lines.
   */
  private quoted(line: Line, at: number, parentIndent: number): YamlScalar | undefined {
    const double = this.text[at] === '"';
    const close = double ? closingDouble(this.text, at) : closingSingle(this.text, at);
    if (close === -1) return undefined;
    let closingLine = line;
    while (close >= closingLine.end) {
      const next = this.lines[this.i];
      if (next === undefined || (next.content !== '' && next.indent <= parentIndent) || (next.indent === 0 && /^(---|\.\.\.)(\s|$)/.test(next.content))) return undefined;
      closingLine = next;
      this.i++;
    }
    if (!/^(\s+#.*|\s*)$/.test(this.text.slice(close + 1, closingLine.end))) return undefined;
    const value = foldQuoted(this.text.slice(at + 1, close), double);
    return value === null ? undefined : scalar(value, at, close + 1);
  }

  /**
   * A plain scalar and the lines that continue it (indented more than `parentIndent`): lines are
   * joined with a space, an empty line is a line break. A continuation that could be read as
   * anything else (a key, a comment, an indicator) is left to yaml.
   */
  private plainLines(first: string, at: number, parentIndent: number): YamlScalar | undefined {
    let value = first;
    let end = at + first.length;
    let breaks = 0;
    let continued = false;
    for (let j = this.i; j < this.lines.length; j++) {
      const next = this.lines[j] as Line;
      if (next.content === '') {
        breaks++;
        continue;
      }
      if (next.indent <= parentIndent || next.content.startsWith('#')) break;
      const text = next.content.trimEnd();
      if ((INDICATOR.test(text) && !/^-[^\s]/.test(text)) || /:(\s|$)|\s#/.test(text)) return undefined;
      value += breaks > 0 ? '\n'.repeat(breaks) + text : ` ${text}`;
      end = next.contentStart + text.length;
      breaks = 0;
      continued = true;
      this.i = j + 1;
    }
    return scalar(continued ? value : plainValue(value), at, end);
  }

  private anchored(node: YamlNode, anchor: string): YamlNode {
    node.anchor = anchor;
    this.anchors.set(anchor, node);
    return node;
  }

  /** `|`, `>`, with `-`/`+` chomping and an optional indentation digit. */
  private blockScalar(header: string, at: number, parentIndent: number): YamlScalar | undefined {
    const match = /^([|>])([+-]?)([1-9]?)([+-]?)(\s+#.*|\s*)$/.exec(header);
    if (!match || (match[2] !== '' && match[4] !== '')) return undefined;
    const literal = match[1] === '|';
    const chomp = match[2] || match[4];
    let contentIndent = match[3] === '' ? -1 : parentIndent + Number(match[3]);
    const body: string[] = [];
    let end = this.lines[this.i - 1]?.end ?? at;
    // The widest all-space line before the first text line: it may not be wider than the text's indentation.
    let leadingSpaces = 0;
    while (this.i < this.lines.length) {
      const line = this.lines[this.i] as Line;
      const blank = line.content === '';
      if (blank && contentIndent === -1) leadingSpaces = Math.max(leadingSpaces, line.end - line.start);
      if (!blank) {
        if (contentIndent === -1) {
          if (line.indent <= parentIndent) break;
          if (leadingSpaces > line.indent) return undefined;
          contentIndent = line.indent;
        }
        if (line.indent < contentIndent) break;
      }
      body.push(blank ? this.text.slice(line.start, line.end).slice(contentIndent === -1 ? Infinity : contentIndent) : this.text.slice(line.start + contentIndent, line.end));
      if (!blank) end = line.end;
      this.i++;
    }
    // A line of spaces beyond the indentation after the last text: whether it is text depends on
    // details yaml decides (an indentation indicator, chomping).
    const lastText = body.findLastIndex((row) => row.trim() !== '');
    if (body.some((row, k) => k > lastText && row !== '')) return undefined;
    // Trailing empty lines belong to the scalar (for + chomping) but not to its range. (A line of
    // spaces beyond the indentation is text.)
    let trailing = 0;
    while (body.length > 0 && body.at(-1) === '') {
      body.pop();
      trailing++;
    }
    let value = literal ? body.join('\n') : fold(body);
    if (body.length > 0) value += chomp === '-' ? '' : chomp === '+' ? '\n'.repeat(trailing + 1) : '\n';
    else value = chomp === '+' ? '\n'.repeat(trailing) : '';
    return { kind: 'scalar', value, start: at, end };
  }
}

/**
 * Folding of `>` scalars: a line break between two text lines is a space, and each empty line
 * between them a line break; around a more-indented line (one that starts with a space) breaks
 * are kept. Leading empty lines are line breaks.
 */
function fold(body: readonly string[]): string {
  let out = '';
  let i = 0;
  for (; i < body.length && body[i] === ''; i++) out += '\n';
  if (i === body.length) return out;
  let previous = body[i] ?? '';
  out += previous;
  let empty = 0;
  for (i++; i < body.length; i++) {
    const line = body[i] ?? '';
    if (line === '') {
      empty++;
      continue;
    }
    const moreIndented = line.startsWith(' ') || previous.startsWith(' ');
    out += moreIndented ? '\n'.repeat(empty + 1) : empty > 0 ? '\n'.repeat(empty) : ' ';
    out += line;
    previous = line;
    empty = 0;
  }
  return out;
}

/** Where a mapping key ends (`key:` then space or end of line) and its value starts, or null. */
function keyLength(content: string): { key: number; value: number } | null {
  let i = 0;
  if (content[0] === '"' || content[0] === "'") {
    const close = content[0] === '"' ? closingDouble(content, 0) : closingSingle(content, 0);
    if (close === -1) return null;
    i = close + 1;
    while (content[i] === ' ') i++;
    if (content[i] !== ':' || (i + 1 < content.length && content[i + 1] !== ' ')) return null;
  } else {
    if (content === '' || INDICATOR.test(content) && !content.startsWith('<<')) return null;
    for (; i < content.length; i++) {
      const c = content[i];
      if (c === '#' && content[i - 1] === ' ') return null;
      if (c === ':' && (i + 1 === content.length || content[i + 1] === ' ')) break;
    }
    if (i >= content.length) return null;
  }
  let value = i + 1;
  while (content[value] === ' ') value++;
  return { key: i, value };
}

function keyScalar(text: string, at: number): YamlScalar | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const quoted = readQuoted(text, 0, text.length);
    if (quoted === null || quoted.end !== text.length) return undefined;
    return scalar(quoted.value, at, at + text.length);
  }
  return scalar(text, at, at + text.length);
}

function scalar(value: string | null, start: number, end: number): YamlScalar {
  return { kind: 'scalar', value, start, end };
}

function emptyScalar(at: number): YamlScalar {
  return scalar(null, at, at);
}

/** `null`, `~` and nothing are YAML's null; every other plain scalar is kept as written. */
function plainValue(text: string): string | null {
  return text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL' ? null : text;
}

/** A plain scalar: up to a ` #` comment. Null for what is not one (`key: value: x`, a tag). */
function readPlain(written: string): string | null {
  const comment = written.search(/\s#/);
  const text = (comment === -1 ? written : written.slice(0, comment)).trimEnd();
  if (INDICATOR.test(text) && !/^-[^\s]/.test(text) && !/^:[^\s]/.test(text) && !/^\?[^\s]/.test(text)) return null;
  if (/:(\s|$)/.test(text)) return null;
  return text;
}

function closingDouble(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function closingSingle(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "'") {
      if (text[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}

const ESCAPES: Readonly<Record<string, string>> = { '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029' };

/** A quoted scalar that closes before `limit` (on its line), with its value; null otherwise. */
function readQuoted(text: string, at: number, limit: number): { value: string; end: number } | null {
  const double = text[at] === '"';
  const close = double ? closingDouble(text, at) : closingSingle(text, at);
  if (close === -1 || close >= limit) return null;
  const inner = text.slice(at + 1, close);
  const value = double ? unescapeDouble(inner) : inner.replace(/''/g, "'");
  return value === null ? null : { value, end: close + 1 };
}

/**
 * The text between the quotes of a quoted scalar that may span lines: each line break with the
 * spaces around it is one space, empty lines are line breaks, and in double quotes an odd `\\`
 * at the end of a line removes the break. Null for what is better left to yaml (an escaped space
 * at the end of a line, empty lines after an escaped break).
 */
function foldQuoted(inner: string, double: boolean): string | null {
  const rows = inner.split(/\r?\n/);
  let out = '';
  let empty = 0;
  let escapedBreak = false;
  for (let k = 0; k < rows.length; k++) {
    const last = k === rows.length - 1;
    let row = rows[k] ?? '';
    if (k > 0) row = row.replace(/^[ \t]+/, '');
    if (!last) {
      if (double && /\\[ \t]+$/.test(row)) return null;
      row = row.replace(/[ \t]+$/, '');
      if (k > 0 && row === '') {
        empty++;
        continue;
      }
    }
    if (k > 0) {
      if (escapedBreak && empty > 0) return null;
      out += escapedBreak ? '' : empty > 0 ? '\n'.repeat(empty) : ' ';
    }
    empty = 0;
    escapedBreak = double && !last && /(^|[^\\])(\\\\)*\\$/.test(row);
    out += escapedBreak ? row.slice(0, -1) : row;
  }
  return double ? unescapeDouble(out) : out.replace(/''/g, "'");
}

/** The value of a double-quoted scalar's text (its escapes read); null for an unknown escape. */
function unescapeDouble(inner: string): string | null {
  let value = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] ?? '';
    if (c !== '\\') {
      value += c;
      continue;
    }
    const e = inner[++i] ?? '';
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex > 0) {
      const code = inner.slice(i + 1, i + 1 + hex);
      if (!/^[0-9a-fA-F]+$/.test(code) || code.length !== hex) return null;
      value += String.fromCodePoint(parseInt(code, 16));
      i += hex;
    } else if (e in ESCAPES) value += ESCAPES[e];
    else return null;
  }
  return value;
}

/** A flow collection (`[a, "b"]`, `{k: v}`) that opens and closes on one line. */
class Flow {
  private i: number;

  constructor(
    private readonly text: string,
    start: number,
    private readonly limit: number,
    private readonly anchors: ReadonlyMap<string, YamlNode>,
  ) {
    this.i = start;
  }

  /** Where reading stopped. */
  get offset(): number {
    return this.i;
  }

  /** Spaces, line breaks and comments between flow items. */
  private spaces(): void {
    while (this.i < this.limit) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\n' || c === '\r') this.i++;
      else if (c === '#' && /\s/.test(this.text[this.i - 1] ?? ' ')) {
        const end = this.text.indexOf('\n', this.i);
        this.i = end === -1 ? this.limit : end;
      } else break;
    }
  }

  value(depth = 0): YamlNode | undefined {
    this.spaces();
    const c = this.text[this.i];
    if (depth > 16 || this.i >= this.limit) return undefined;
    if (c === '[') return this.collection(']', depth);
    if (c === '{') return this.collection('}', depth);
    if (c === '"' || c === "'") {
      const start = this.i;
      const lineEnd = this.text.indexOf('\n', start);
      const quoted = readQuoted(this.text, start, lineEnd === -1 ? this.limit : lineEnd);
      if (quoted === null) return undefined;
      this.i = quoted.end;
      return scalar(quoted.value, start, quoted.end);
    }
    if (c === '*') {
      // `<<: [*restart_policy, *pull_policy]`
      const alias = /^\*([^\s,[\]{}]+)/.exec(this.text.slice(this.i, Math.min(this.limit, this.i + 256)));
      const target = alias === null ? undefined : this.anchors.get(alias[1] ?? '');
      if (alias === null || target === undefined) return undefined;
      const start = this.i;
      this.i += alias[0].length;
      return { kind: 'alias', source: alias[1] ?? '', target, start, end: this.i };
    }
    if (c === '&' || c === '!' || c === '?') return undefined;
    // A plain scalar cannot start with an indicator, but for `-`, `:` and `?` before a character it may hold (`-a`).
    if (INDICATOR.test(c ?? '') && !(/[-:?]/.test(c ?? '') && /[^\s,[\]{}]/.test(this.text[this.i + 1] ?? ' '))) return undefined;
    const start = this.i;
    while (this.i < this.limit && !/[,[\]{}\r\n]/.test(this.text[this.i] ?? '') && !(this.text[this.i] === ':' && /[\s,[\]{}]/.test(this.text[this.i + 1] ?? ' ')) && !(this.text[this.i] === '#' && this.text[this.i - 1] === ' ')) this.i++;
    const written = this.text.slice(start, this.i).trimEnd();
    // An empty item or key (`[a, , b]`, `{: x}`): rare, and yaml's to judge.
    if (written === '') return undefined;
    if (this.text[this.i] === '\n' || this.text[this.i] === '\r') {
      // A plain scalar goes on over the line break unless what follows ends it: left to yaml.
      const after = /^\s*(.)(.?)/.exec(this.text.slice(this.i, this.i + 256));
      const next = after?.[1] ?? '';
      if (!/[,\]}#]/.test(next) && !(next === ':' && /^[\s,[\]{}]?$/.test(after?.[2] ?? ''))) return undefined;
    }
    return scalar(plainValue(written), start, start + written.length);
  }

  private collection(close: ']' | '}', depth: number): YamlNode | undefined {
    const start = this.i;
    const seqItems: YamlNode[] = [];
    const mapItems: YamlMap['items'] = [];
    this.i++;
    for (;;) {
      this.spaces();
      if (this.text[this.i] === close) {
        this.i++;
        return close === ']' ? { kind: 'seq', items: seqItems, start, end: this.i } : { kind: 'map', items: mapItems, start, end: this.i, entries: undefined };
      }
      if (this.i >= this.limit) return undefined;
      const item = this.value(depth + 1);
      if (item === undefined) return undefined;
      this.spaces();
      if (close === '}') {
        // A collection as a key (`{[a]: 1}`) is valid YAML and no config's way: left to yaml.
        const key = item.kind === 'alias' ? item.target : item;
        if (key !== null && (key.kind === 'seq' || key.kind === 'map')) return undefined;
        if (this.text[this.i] !== ':') return undefined;
        this.i++;
        this.spaces();
        const value = this.text[this.i] === ',' || this.text[this.i] === '}' ? scalar(null, this.i, this.i) : this.value(depth + 1);
        if (value === undefined) return undefined;
        mapItems.push({ key: item, value });
      } else {
        if (this.text[this.i] === ':') return undefined; // `[a: b]`: a pair in a sequence; rare
        seqItems.push(item);
      }
      this.spaces();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== close) return undefined;
    }
  }
}
