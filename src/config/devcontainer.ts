import { Emitter } from './emit.js';
import { parseJsonc, properties, property } from './jsonc.js';
import { LineIndex, readAddress, toPort } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';

/** Dev Containers: .devcontainer/devcontainer.json, .devcontainer.json, .devcontainer/<name>/devcontainer.json. */
export function isDevcontainerJson(path: string): boolean {
  return /(^|\/)(\.devcontainer\/([\w.-]+\/)?devcontainer\.json|\.devcontainer\.json)$/.test(path);
}

/**
 * Dev Containers: `forwardPorts: [3000, "db:5432"]` and `appPort` make a container's port
 * reachable on this machine (`publish`, with the container side as `server`);
 * `portsAttributes: {"9000": …}` names a port the container serves. JSON with comments.
 *
 * @example
 * parseDevcontainer({ file: '.devcontainer/devcontainer.json', text: '{"forwardPorts": [3000]}', vars: new Map() })
 */
export function parseDevcontainer(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'other');
  const { root, warnings } = parseJsonc(input.text, input.file, lines);
  out.warnings.push(...warnings);
  for (const name of ['forwardPorts', 'appPort']) {
    const node = property(root, name);
    const items = node?.type === 'array' ? (node.children ?? []) : node === undefined ? [] : [node];
    for (const item of items) {
      const line = lines.lineOf(item.offset);
      const address = readAddress(String(item.value ?? ''));
      if (address?.ok !== true) continue;
      // `"db:5432"` forwards another service's port; a bare port is the container's own.
      if (address.host === null) out.port(line, 'publish', 'localhost', address.port);
      out.port(line, 'server', address.host, address.port, { network: 'container' });
    }
  }
  for (const [key, node] of properties(property(root, 'portsAttributes'))) {
    const port = toPort(key);
    const keyNode = node.parent?.children?.[0];
    if (port !== null) out.port(lines.lineOf(keyNode?.offset ?? node.offset), 'server', null, port, { network: 'container' });
  }
  return out.result();
}
