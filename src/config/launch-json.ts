import type { Node } from 'jsonc-parser';
import { analyzeWords } from './command-line.js';
import { classifyEnv } from './env-keys.js';
import { parseJsonc, properties, property, scalarText } from './jsonc.js';
import { declare, LineIndex, parseAddress, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

export function isLaunchJson(path: string): boolean {
  return path === '.vscode/launch.json' || path.endsWith('/.vscode/launch.json');
}

/**
 * VS Code launch configurations: `env.PORT` and `args`/`runtimeArgs` ports of the launched
 * program (`server`), the `port` an attach configuration connects to and a browser `url`
 * (`client`). launch.json allows comments and trailing commas.
 *
 * @example
 * parseLaunchJson({ file: '.vscode/launch.json', text: '{"configurations":[{"env":{"PORT":"3000"}}]}', vars: new Map() })
 */
export function parseLaunchJson(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  const declarations: Declaration[] = [];
  const add = (node: Node, role: Declaration['role'], host: string | null, port: number): void => {
    declarations.push(declare(lines, input.file, lines.lineOf(node.offset), 'launch-json', role, host, port));
  };
  for (const config of property(root, 'configurations')?.children ?? []) {
    const env = new Map<string, string>();
    for (const [key, node] of properties(property(config, 'env'))) {
      const value = scalarText(node);
      if (value !== null) env.set(key, value);
    }
    for (const [key, node] of properties(property(config, 'env'))) {
      const found = classifyEnv(key, env.get(key) ?? '', env, 'server');
      if (found !== null) add(node, found.role, found.host, found.port);
    }
    for (const argsName of ['args', 'runtimeArgs']) {
      const argsNode = property(config, argsName);
      const words = (argsNode?.children ?? []).map((n) => scalarText(n) ?? '');
      if (argsNode === undefined || words.length === 0) continue;
      // The program is launch.json's `program`; the args alone start with a flag.
      for (const found of analyzeWords(['program', ...words], new Map())) {
        const at = argsNode.children?.find((n) => String(n.value).includes(String(found.port))) ?? argsNode;
        add(at, found.role, found.host, found.port);
      }
    }
    const portNode = property(config, 'port');
    const port = toPort(scalarText(portNode));
    if (portNode !== undefined && port !== null) add(portNode, 'client', scalarText(property(config, 'address')), port);
    const urlNode = property(config, 'url');
    const url = urlNode?.type === 'string' ? parseAddress(String(urlNode.value)) : null;
    if (urlNode !== undefined && url !== null) add(urlNode, 'client', url.host, url.port);
  }
  return { declarations, warnings };
}
