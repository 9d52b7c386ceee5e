import { Emitter } from './emit.js';
import { expand, resolverOf, rubyValue } from './interpolate.js';
import { LineIndex, normalizeHost, toPort } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { addressOf } from './values.js';

/** Puma's and Unicorn's configuration: config/puma.rb, config/puma/<env>.rb, puma.rb, config/unicorn.rb. */
export function isRailsFile(path: string): boolean {
  return /(^|\/)(config\/(puma|unicorn)(\/[\w-]+)?\.rb|(puma|unicorn)(\.conf)?\.rb)$/.test(path);
}

/** Removes a Ruby `#` comment, leaving `#` inside quotes alone (`"#{x}"`). */
function stripRubyComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** Splits Ruby arguments on commas outside quotes and brackets. */
function rubyArguments(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  args.push(text.slice(start).trim());
  return args.filter((a) => a !== '');
}

/**
 * Puma and Unicorn: `port 3000`, `port ENV.fetch("PORT") { 3000 }`, `port ENV.fetch("PORT", 3000)`,
 * `port ENV["PORT"] || 3000` (the literal default, or the project's .env), with `, "host"` as
 * host; `bind "tcp://0.0.0.0:3000"`, `bind "tcp://#{ENV.fetch('BIND', '127.0.0.1')}:#{ENV.fetch('PORT', 3000)}"`
 * (Ruby interpolation), `ssl_bind '0.0.0.0', 9292`; Unicorn's `listen 8080` / `listen "127.0.0.1:8080"`.
 * Unix-socket binds declare nothing; a port set nowhere is unknown.
 *
 * @example
 * parseRails({ file: 'config/puma.rb', text: 'port ENV.fetch("PORT") { 3000 }\n', vars: new Map() })
 */
export function parseRails(input: ParserInput): ParsedFile {
  const out = new Emitter(new LineIndex(input.text), input.file, 'rails');
  const resolve = resolverOf(input.vars, input.origins);
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const code = stripRubyComment((rows[i] ?? '').replace(/\r$/, '')).trim();
    const at = { file: input.file, line: i + 1 };
    const directive = /^(port|bind|ssl_bind|listen)\b\s*(.*)$/.exec(code);
    if (!directive || /^[=.]/.test(directive[2] ?? '')) continue;
    const name = directive[1];
    const written = (directive[2] ?? '').trim();
    const rest = written.startsWith('(') && written.endsWith(')') ? written.slice(1, -1) : written;
    const args = rubyArguments(rest);
    const first = args[0] ?? '';
    const string = /^(["'])(.*)\1$/.exec(first);
    const sslPair = name === 'ssl_bind' && args.length >= 2;
    if (name === 'port' || sslPair || (name === 'listen' && string === null)) {
      const portText = sslPair ? (args[1] ?? '') : first;
      const hostText = sslPair ? first : (args[1] ?? '');
      const host = /^(["'])(.*)\1$/.exec(hostText)?.[2] ?? null;
      const value = rubyValue(portText, resolve, at);
      const port = toPort(value?.value);
      if (value !== null && port !== null) out.port(i + 1, 'server', host === null ? null : normalizeHost(host), port, { via: value.source });
      else if (value === null && portText !== '') out.unknown(i + 1, 'server', host, portText, `${portText} is not set in the project's files and has no default`);
      continue;
    }
    if (string === null || (string[2] ?? '').startsWith('unix:')) continue;
    // Double-quoted Ruby strings interpolate #{…}; single-quoted ones do not.
    const expansion = string[1] === '"' ? expand(string[2] ?? '', 'ruby', resolve, at) : { text: string[2] ?? '', complete: true, pieces: [] };
    out.outcome(i + 1, 'server', addressOf(expansion));
  }
  return out.result();
}
