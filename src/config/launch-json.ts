import type { Node } from 'jsonc-parser';
import { readWords } from './command-line.js';
import { Emitter } from './emit.js';
import { classifyEnvValue, hostFrom } from './env-keys.js';
import { expand, resolverOf } from './interpolate.js';
import { parseJsonc, properties, property, scalarText } from './jsonc.js';
import { LineIndex } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { resolveAddress, resolvePort } from './values.js';

export function isLaunchJson(path: string): boolean {
  return path === '.vscode/launch.json' || path.endsWith('/.vscode/launch.json');
}

/**
 * VS Code launch configurations: `env.PORT` and `args`/`runtimeArgs` ports of the launched
 * program (`server`), the `port` an attach configuration connects to, debugpy's
 * `connect: {host, port}` (`client`) and `listen: {host, port}` (VS Code listens: `server`), and a
 * browser `url` (`client`). launch.json allows comments and trailing commas.
 *
 * @example
 * parseLaunchJson({ file: '.vscode/launch.json', text: '{"configurations":[{"env":{"PORT":"3000"}}]}', vars: new Map() })
 */
export function parseLaunchJson(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'launch-json');
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  out.warnings.push(...warnings);
  const resolve = resolverOf(input.vars, input.origins);
  const at = (node: Node): { file: string; line: number } => ({ file: input.file, line: lines.lineOf(node.offset) });
  for (const config of property(root, 'configurations')?.children ?? []) {
    const envNode = property(config, 'env');
    const env = new Map<string, string>();
    for (const [key, node] of properties(envNode)) {
      const value = scalarText(node);
      if (value !== null) env.set(key, value);
    }
    for (const [key, node] of properties(envNode)) {
      for (const found of classifyEnvValue(key, expand(env.get(key) ?? '', 'shell', resolve, at(node)), (prefix) => hostFrom(env, prefix), 'server')) out.outcome(lines.lineOf(node.offset), found.role, found.outcome);
    }
    for (const argsName of ['args', 'runtimeArgs']) {
      const argsNode = property(config, argsName);
      const items = argsNode?.children ?? [];
      const words = items.map((n) => scalarText(n) ?? '');
      if (argsNode === undefined || words.length === 0) continue;
      // The program is launch.json's `program`; the args alone start with a flag.
      const reading = readWords(['program', ...words], { resolve, at: at(argsNode) });
      out.command(reading, (word) => lines.lineOf((items.find((n) => String(n.value).includes(word)) ?? argsNode).offset));
    }
    const portNode = property(config, 'port');
    const port = scalarText(portNode);
    if (portNode !== undefined && port !== null) out.outcome(lines.lineOf(portNode.offset), 'client', resolvePort(port, 'shell', resolve, at(portNode)), {}, 'launch-json', scalarText(property(config, 'address')) ?? scalarText(property(config, 'host')));
    // debugpy: `connect` attaches to a listening debugger, `listen` makes VS Code wait for one.
    for (const [name, role] of [['connect', 'client'], ['listen', 'server']] as const) {
      const endpoint = property(config, name);
      const endpointPort = property(endpoint, 'port');
      const value = scalarText(endpointPort);
      if (endpointPort === undefined || value === null) continue;
      out.outcome(lines.lineOf(endpointPort.offset), role, resolvePort(value, 'shell', resolve, at(endpointPort)), {}, 'launch-json', scalarText(property(endpoint, 'host')));
    }
    const urlNode = property(config, 'url');
    if (urlNode?.type === 'string') out.outcome(lines.lineOf(urlNode.offset), 'client', resolveAddress(String(urlNode.value), 'shell', resolve, at(urlNode)));
  }
  return out.result();
}
