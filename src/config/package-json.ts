import type { Node } from 'jsonc-parser';
import { parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { readCommandLine } from './command-line.js';
import { Emitter } from './emit.js';
import { resolverOf, type Resolved, type Resolver } from './interpolate.js';
import { parseJsonc, properties, property, scalarText } from './jsonc.js';
import { LineIndex } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { resolveAddress, resolvePort } from './values.js';

export function isPackageJson(path: string): boolean {
  return path === 'package.json' || path.endsWith('/package.json');
}

/**
 * package.json: the ports in `scripts` (`vite --port 5174`, `next dev -p 4000`,
 * `PORT=4001 node server.js`) as `server`, Create React App's `"proxy"` as `client`, and a
 * `config` port (`"config": {"port": 8080}`, which scripts read as `$npm_package_config_port`).
 * npm reads package.json with JSON.parse, so comments and trailing commas, which the scan
 * tolerates, get a warning: npm will refuse the file.
 *
 * @example
 * parsePackageJson({ file: 'package.json', text: '{"scripts":{"dev":"next dev -p 4000"}}', vars: new Map() })
 */
export function parsePackageJson(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'package-json');
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  out.warnings.push(...warnings);
  if (warnings.length === 0) {
    const strict = strictJsonProblem(input.text);
    if (strict !== null) out.warn(lines.lineOf(strict.offset), `${strict.what}: npm reads package.json as strict JSON and will reject it`);
  }
  const config = configVariables(property(root, 'config'), input.file, lines);
  const dirVars = resolverOf(input.vars, input.origins);
  const resolve: Resolver = (name) => config.get(name) ?? dirVars(name);
  for (const [key, node] of properties(property(root, 'config'))) {
    const value = scalarText(node);
    if (value === null || !/port/i.test(key)) continue;
    out.outcome(lines.lineOf(node.offset), 'unknown', resolvePort(value, 'shell', resolve, { file: input.file, line: lines.lineOf(node.offset) }));
  }
  for (const [, node] of properties(property(root, 'scripts'))) {
    const command = scalarText(node);
    if (command === null) continue;
    const line = lines.lineOf(node.offset);
    out.command(readCommandLine(command, { resolve, at: { file: input.file, line } }), () => line);
  }
  const proxy = property(root, 'proxy');
  if (proxy?.type === 'string') {
    const line = lines.lineOf(proxy.offset);
    out.outcome(line, 'client', resolveAddress(String(proxy.value), 'shell', resolve, { file: input.file, line }));
  }
  return out.result();
}

/** `$npm_package_config_<key>` for each scalar of package.json's `config`, as npm sets them. */
function configVariables(node: Node | undefined, file: string, lines: LineIndex): Map<string, Resolved> {
  const vars = new Map<string, Resolved>();
  for (const [key, value] of properties(node)) {
    const text = scalarText(value);
    const name = `npm_package_config_${key}`;
    if (text !== null) vars.set(name, { value: text, source: { variable: name, from: 'assignment', file, line: lines.lineOf(value.offset) } });
  }
  return vars;
}

/** The first comment or trailing comma, which JSON.parse (npm) rejects; null when there is none. */
function strictJsonProblem(text: string): { offset: number; what: string } | null {
  // What JSON.parse takes, npm takes: nearly every package.json, told without a second syntax tree.
  try {
    JSON.parse(text);
    return null;
  } catch {
    // Not strict JSON: the strict parse below says where and why.
  }
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  if (first === undefined) return null;
  const code = printParseErrorCode(first.error);
  const what = code === 'InvalidCommentToken' ? 'a comment' : code === 'PropertyNameExpected' || code === 'ValueExpected' ? 'a trailing comma' : `JSON that is not strict (${code})`;
  return { offset: first.offset, what };
}
