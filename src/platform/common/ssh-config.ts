/**
 * The OpenSSH client configuration (ssh_config(5)) as ssh reads it, line by line (readconf.c,
 * process_config_line_depth; misc.c, strdelim and argv_split):
 *
 * - trailing whitespace (and a form feed) is stripped; a line whose first word starts with `#`,
 *   or that is empty, is a comment;
 * - the keyword ends at whitespace or at one `=` (`Key Value`, `Key=Value`, `Key = Value`), and is
 *   matched without regard to case;
 * - the arguments are words separated by spaces or tabs; double or single quotes group a word (and
 *   are removed), a backslash escapes a quote, a backslash or (outside quotes) a space; a word that
 *   starts with `#` ends the line (a trailing comment). An unclosed quote is an error to ssh.
 *
 * Pure functions of text: the same code reads a live file, a snapshot and a test fixture.
 */
import type { SshConfigLine } from '../types.js';

export type { SshConfigLine } from '../types.js';

/** ssh's WHITESPACE for the keyword (" \t\r\n"); argv_split only splits on space and tab. */
const KEYWORD_END = /[ \t\r\n="']/;

/**
 * Splits the argument text of a line the way argv_split(…, terminate_on_comment=1) does.
 * Null when a quote is not closed (ssh: "invalid quotes").
 */
export function splitSshArguments(text: string): string[] | null {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '#') break;
    let quote: string | null = null;
    let word = '';
    for (; i < text.length; i++) {
      const ch = text[i] ?? '';
      const next = text[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === null && next === ' ')) {
          word += next;
          i++;
        } else word += ch; // an escape ssh does not know is kept as written
      } else if (quote === null && (ch === ' ' || ch === '\t')) break;
      else if (quote === null && (ch === '"' || ch === "'")) quote = ch;
      else if (quote !== null && ch === quote) quote = null;
      else word += ch;
    }
    if (quote !== null) return null;
    args.push(word);
  }
  return args;
}

/**
 * Reads one line. Null for a blank line or a comment; an `error` (with what ssh would say) for a
 * line ssh rejects, which makes ssh refuse the whole configuration.
 *
 * @example
 * parseSshConfigLine('  LocalForward=8080 db.internal:5432 # the db', 3)
 * // { line: 3, keyword: 'localforward', args: ['8080', 'db.internal:5432'] }
 */
export function parseSshConfigLine(text: string, line: number): SshConfigLine | null {
  const trimmed = text.replace(/[ \t\r\n\f]+$/, '').replace(/^[ \t\r\n]+/, '');
  if (trimmed === '' || trimmed.startsWith('#')) return null;
  const end = trimmed.search(KEYWORD_END);
  const keyword = end === -1 ? trimmed : trimmed.slice(0, end);
  if (keyword === '') return { line, error: 'no keyword before "="' };
  if (end !== -1 && (trimmed[end] === '"' || trimmed[end] === "'")) return { line, error: `a quote in the keyword "${trimmed.slice(0, end + 1)}": not read` };
  let rest = end === -1 ? '' : trimmed.slice(end);
  // One `=` may separate the keyword from its arguments, with whitespace on either side.
  rest = rest.replace(/^[ \t\r\n]*(?:=[ \t\r\n]*)?/, '');
  if (rest === '') return { line, error: `no argument after keyword "${keyword}"` };
  const args = splitSshArguments(rest);
  if (args === null) return { line, error: 'invalid quotes' };
  return { line, keyword: keyword.toLowerCase(), args };
}

/**
 * Every directive of a configuration file, in order, with 1-based line numbers.
 *
 * @example
 * parseSshConfig('Host db\n  LocalForward 8080 localhost:5432\n').map((l) => 'keyword' in l ? l.keyword : l.error)
 * // ['host', 'localforward']
 */
export function parseSshConfig(text: string): SshConfigLine[] {
  const lines: SshConfigLine[] = [];
  const raw = text.split('\n');
  for (let index = 0; index < raw.length; index++) {
    const parsed = parseSshConfigLine(raw[index] ?? '', index + 1);
    if (parsed !== null) lines.push(parsed);
  }
  return lines;
}

/**
 * ssh's match_pattern: `*` any run of characters, `?` one character, everything else literal,
 * case-sensitive (ssh lower-cases host names before matching, so callers pass them lower-cased).
 *
 * @example
 * matchSshPattern('db.internal', '*.internal') // true
 */
export function matchSshPattern(text: string, pattern: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
  return new RegExp(`^${source}$`, 's').test(text);
}

/**
 * ssh's match_pattern_list for a Host line's patterns (and Match's comma lists): true when some
 * pattern matches and no negated (`!`) one does.
 *
 * @example
 * matchSshPatternList('db', ['*', '!bastion']) // true
 */
export function matchSshPatternList(text: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (!matchSshPattern(text, negated ? pattern.slice(1) : pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}
