import type { Node } from 'jsonc-parser';
import { Emitter } from './emit.js';
import { parseJsonc, properties, property } from './jsonc.js';
import { LineIndex, readAddress } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';

/** NGINX Unit's configuration: a JSON file whose name says unit, with a `listeners` object. */
export function looksLikeNginxUnit(path: string, text: string): boolean {
  return /(^|\/)[\w.-]*unit[\w.-]*\.json$/i.test(path) && /"listeners"\s*:\s*\{/.test(text);
}

/**
 * NGINX Unit: each key of `listeners` is an address it binds (`"0.0.0.0:8080"`, `"[::]:8080"`,
 * `"*:80"`); `"proxy": "http://host:port"` actions are clients (`http://unix:/…` sockets are not).
 *
 * @example
 * parseNginxUnit({ file: 'unit.json', text: '{"listeners": {"*:8080": {"pass": "applications/app"}}}', vars: new Map() })
 */
export function parseNginxUnit(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'nginx');
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  out.warnings.push(...warnings);
  for (const child of property(root, 'listeners')?.children ?? []) {
    const key = child.children?.[0];
    const address = typeof key?.value === 'string' ? readAddress(key.value) : null;
    if (key !== undefined && address?.ok === true) out.port(lines.lineOf(key.offset), 'server', address.host, address.port);
  }
  const visit = (node: Node | undefined, depth: number): void => {
    if (node === undefined || depth > 12) return;
    for (const [name, value] of properties(node)) {
      if (name === 'proxy' && value.type === 'string' && !String(value.value).startsWith('http://unix:')) {
        const address = readAddress(String(value.value));
        if (address?.ok === true) out.port(lines.lineOf(value.offset), 'client', address.host, address.port);
      }
    }
    for (const child of node.children ?? []) visit(child.type === 'property' ? child.children?.[1] : child, depth + 1);
  };
  visit(root, 0);
  return out.result();
}
