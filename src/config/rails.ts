import { declare, LineIndex, parseAddress, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

/** Puma's configuration: config/puma.rb, config/puma/<env>.rb, a top-level puma.rb. */
export function isRailsFile(path: string): boolean {
  return /(^|\/)(config\/puma(\/[\w-]+)?\.rb|puma\.rb)$/.test(path);
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

/**
 * Puma: `port 3000`, `port ENV.fetch("PORT") { 3000 }`, `port ENV.fetch("PORT", 3000)`,
 * `port ENV["PORT"] || 3000` (the literal default), with `, "host"` as host; and
 * `bind "tcp://0.0.0.0:3000"` / `bind "ssl://…"`. Unix-socket binds declare nothing.
 *
 * @example
 * parseRails({ file: 'config/puma.rb', text: 'port ENV.fetch("PORT") { 3000 }\n', vars: new Map() })
 */
export function parseRails(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const declarations: Declaration[] = [];
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const code = stripRubyComment((rows[i] ?? '').replace(/\r$/, '')).trim();
    const port = /^port\s*\(?\s*(.*)$/.exec(code);
    if (port) {
      const numbers = [...(port[1] ?? '').matchAll(/(?<![\w.])(\d{1,5})(?![\w.])/g)].map((m) => toPort(m[1]));
      const value = numbers.find((n) => n !== null) ?? null;
      const host = /,\s*["']([^"']+)["']\s*\)?\s*$/.exec(port[1] ?? '')?.[1] ?? null;
      if (value !== null) declarations.push(declare(lines, input.file, i + 1, 'rails', 'server', host, value));
      continue;
    }
    const bind = /^(?:ssl_)?bind\s*\(?\s*["']([^"']+)["']/.exec(code);
    if (bind && !(bind[1] ?? '').startsWith('unix:')) {
      const address = parseAddress(bind[1] ?? '');
      if (address !== null) declarations.push(declare(lines, input.file, i + 1, 'rails', 'server', address.host, address.port));
    }
  }
  return { declarations, warnings: [] };
}
