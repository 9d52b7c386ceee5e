import { Emitter } from './emit.js';
import { classifyEnvValue, hostFrom } from './env-keys.js';
import { expand } from './interpolate.js';
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
 * `portsAttributes: {"9000": …}` names a port the container serves; `containerEnv`/`remoteEnv`
 * are read like a Compose service's environment. JSON with comments.
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
  // `containerEnv`/`remoteEnv`: the container's variables, read as a Compose service's environment.
  for (const name of ['containerEnv', 'remoteEnv']) {
    const env = properties(property(root, name));
    const values = new Map(env.map(([key, node]) => [key, String(node.value ?? '')]));
    for (const [key, node] of env) {
      for (const found of classifyEnvValue(key, expand(values.get(key) ?? '', 'shell'), (prefix) => hostFrom(values, prefix), 'server')) {
        out.outcome(lines.lineOf(node.offset), found.role, found.outcome, { network: 'container' });
      }
    }
  }
  for (const [key, node] of properties(property(root, 'portsAttributes'))) {
    const port = toPort(key);
    const keyNode = node.parent?.children?.[0];
    if (port !== null) out.port(lines.lineOf(keyNode?.offset ?? node.offset), 'server', null, port, { network: 'container' });
  }
  return out.result();
}
