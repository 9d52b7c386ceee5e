import type { Node } from 'jsonc-parser';
import { parseJsonc, properties, property, scalarText } from './jsonc.js';
import { declare, LineIndex, parseAddress, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';

/** angular.json, and the dev-server proxy files it points at (proxy.conf.json and friends). */
export function isAngularFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'angular.json' || /^proxy(\.conf)?(\.[\w-]+)?\.json$/.test(base);
}

/**
 * angular.json: each project's `serve` target options/configurations `port` (+ `host`) as
 * `server`. A proxy config (`{"/api": {"target": "http://localhost:3000"}}`, or the array form)
 * gives each `target` as `client`.
 *
 * @example
 * parseAngular({ file: 'proxy.conf.json', text: '{"/api":{"target":"http://localhost:3000"}}', vars: new Map() })
 */
export function parseAngular(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  const declarations: Declaration[] = [];
  const base = input.file.slice(input.file.lastIndexOf('/') + 1);
  if (base !== 'angular.json') {
    const entries = root?.type === 'array' ? (root.children ?? []) : properties(root).map(([, node]) => node);
    for (const entry of entries) {
      const targetNode = property(entry, 'target');
      const target = targetNode?.type === 'string' ? parseAddress(String(targetNode.value)) : null;
      if (targetNode !== undefined && target !== null) {
        declarations.push(declare(lines, input.file, lines.lineOf(targetNode.offset), 'angular', 'client', target.host, target.port));
      }
    }
    return { declarations, warnings };
  }
  for (const [, project] of properties(property(root, 'projects'))) {
    const architect = property(project, 'architect') ?? property(project, 'targets');
    const serve = property(architect, 'serve');
    const optionSets: Node[] = [];
    const options = property(serve, 'options');
    if (options !== undefined) optionSets.push(options);
    for (const [, config] of properties(property(serve, 'configurations'))) optionSets.push(config);
    for (const set of optionSets) {
      const portNode = property(set, 'port');
      const port = toPort(scalarText(portNode));
      if (portNode !== undefined && port !== null) {
        declarations.push(declare(lines, input.file, lines.lineOf(portNode.offset), 'angular', 'server', scalarText(property(set, 'host')), port));
      }
    }
  }
  return { declarations, warnings };
}
