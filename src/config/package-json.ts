import { analyzeCommandLine } from './command-line.js';
import { parseJsonc, properties, property, scalarText } from './jsonc.js';
import { declare, LineIndex, parseAddress } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

export function isPackageJson(path: string): boolean {
  return path === 'package.json' || path.endsWith('/package.json');
}

/**
 * package.json: the ports in `scripts` (`vite --port 5174`, `next dev -p 4000`,
 * `PORT=4001 node server.js`) as `server`, and Create React App's `"proxy"` as `client`.
 *
 * @example
 * parsePackageJson({ file: 'package.json', text: '{"scripts":{"dev":"next dev -p 4000"}}', vars: new Map() })
 */
export function parsePackageJson(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  const declarations: Declaration[] = [];
  for (const [, node] of properties(property(root, 'scripts'))) {
    const command = scalarText(node);
    if (command === null) continue;
    const line = lines.lineOf(node.offset);
    for (const found of analyzeCommandLine(command, new Map())) {
      declarations.push(declare(lines, input.file, line, 'package-json', found.role, found.host, found.port));
    }
  }
  const proxy = property(root, 'proxy');
  const target = proxy?.type === 'string' ? parseAddress(String(proxy.value)) : null;
  if (proxy !== undefined && target !== null) {
    declarations.push(declare(lines, input.file, lines.lineOf(proxy.offset), 'package-json', 'client', target.host, target.port));
  }
  return { declarations, warnings };
}
