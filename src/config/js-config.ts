import { tokenizeJs, type JsToken } from './js-tokens.js';
import { declare, LineIndex, parseAddress, toPort } from './text.js';
import type { Declaration, DeclarationKind, ParsedFile, ParserInput } from './types.js';

/** Keys whose string value is an address something connects to. */
const CLIENT_KEYS = new Set(['target', 'destination', 'baseURL', 'baseUrl', 'apiUrl', 'apiURL']);

/**
 * Reads the ports of a JS/TS configuration file (vite.config.ts, next.config.js,
 * webpack.config.js, setupProxy.js) without running it. It follows object nesting to know which
 * property a value belongs to:
 * - `port: 5173` (also `port: Number(process.env.PORT) || 5173`: the literal fallback) → `server`,
 *   with the `host`/`hostname` of the same object (`host: true` means all addresses: 0.0.0.0);
 * - inside a `proxy` object, `'/api': 'http://localhost:8080'` and `target: '…'` → `client`;
 * - `target`/`destination` anywhere (http-proxy-middleware, Next.js rewrites) → `client`;
 * - `hmr: { port }`/`clientPort` → `server`.
 *
 * @example
 * parseJsConfig({ file: 'vite.config.ts', text: "export default { server: { port: 5174 } }", vars: new Map() }, 'vite')
 */
export function parseJsConfig(input: ParserInput, kind: DeclarationKind): ParsedFile {
  const lines = new LineIndex(input.text);
  const tokens = tokenizeJs(input.text);
  const declarations: Declaration[] = [];
  // One frame per open { or [: the property it is the value of, and what we saw inside it.
  interface Frame { key: string | null; brace: string; ports: { port: number; offset: number }[]; host: string | null }
  const stack: Frame[] = [{ key: null, brace: '', ports: [], host: null }];
  let pendingKey: string | null = null;
  const inProxy = (): boolean => stack.some((f) => f.key === 'proxy');
  const closeFrame = (frame: Frame): void => {
    for (const p of frame.ports) declarations.push(declare(lines, input.file, lines.lineOf(p.offset), kind, 'server', frame.host, p.port));
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as JsToken;
    const next = tokens[i + 1];
    const top = stack.at(-1) as Frame;
    if (t.type === 'punct' && (t.value === '{' || t.value === '[')) {
      stack.push({ key: pendingKey, brace: t.value, ports: [], host: null });
      pendingKey = null;
      continue;
    }
    if (t.type === 'punct' && (t.value === '}' || t.value === ']')) {
      if (stack.length > 1) closeFrame(stack.pop() as Frame);
      pendingKey = null;
      continue;
    }
    if (t.type === 'punct' && t.value === ',') {
      pendingKey = null;
      continue;
    }
    const isKey = (t.type === 'ident' || t.type === 'string') && next?.type === 'punct' && next.value === ':' && top.brace === '{';
    if (!isKey) continue;
    const key = t.value;
    pendingKey = key;
    const value = valueTokens(tokens, i + 2);
    const first = value[0];
    if (inProxy() && first?.type === 'string' && value.length === 1) {
      // `'/api': 'http://localhost:8080'` (Vite's shorthand) or `target: '…'` inside a proxy.
      const address = parseAddress(first.value);
      if (address !== null) declarations.push(declare(lines, input.file, lines.lineOf(first.offset), kind, 'client', address.host, address.port));
    } else if (CLIENT_KEYS.has(key) && first?.type === 'string') {
      const address = parseAddress(first.value);
      if (address !== null) declarations.push(declare(lines, input.file, lines.lineOf(first.offset), kind, 'client', address.host, address.port));
    } else if (key === 'port' || key === 'clientPort') {
      const port = literalPort(value);
      if (port !== null) top.ports.push({ port, offset: t.offset });
    } else if (key === 'host' || key === 'hostname') {
      if (first?.type === 'string' && value.length === 1) top.host = first.value;
      else if (first?.type === 'ident' && first.value === 'true' && value.length === 1) top.host = '0.0.0.0';
    }
  }
  while (stack.length > 0) closeFrame(stack.pop() as Frame);
  // Ports are declared when their object closes (its host may come after them): restore line order.
  declarations.sort((a, b) => a.line - b.line);
  return { declarations, warnings: [] };
}

/** The tokens of a property value: up to the `,` or closing bracket at the same depth. */
function valueTokens(tokens: readonly JsToken[], start: number): JsToken[] {
  const out: JsToken[] = [];
  let depth = 0;
  for (let i = start; i < tokens.length && out.length < 64; i++) {
    const t = tokens[i] as JsToken;
    if (t.type === 'punct') {
      if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') {
        if (depth === 0) break;
        depth--;
      } else if (t.value === ',' && depth === 0) break;
    }
    out.push(t);
    if (depth === 0 && (t.value === '{' || t.value === '[')) break;
  }
  return out;
}

/** `3000`, `'3000'`, or the last literal of `Number(process.env.PORT) || 3000` / `?? 3000`. */
function literalPort(value: readonly JsToken[]): number | null {
  for (let i = value.length - 1; i >= 0; i--) {
    const t = value[i] as JsToken;
    if (t.type === 'number' || t.type === 'string') {
      const port = toPort(t.value);
      if (port !== null) return port;
    }
  }
  return null;
}

export function isViteConfig(path: string): boolean {
  return /(^|\/)vite(st)?\.config\.(js|mjs|cjs|ts|mts|cts)$/.test(path);
}
export function isNextConfig(path: string): boolean {
  return /(^|\/)next\.config\.(js|mjs|cjs|ts)$/.test(path);
}
export function isWebpackConfig(path: string): boolean {
  return /(^|\/)webpack(\.[\w-]+)*\.config\.(js|mjs|cjs|ts)$/.test(path) || /(^|\/)webpack\.config(\.[\w-]+)*\.(js|mjs|cjs|ts)$/.test(path);
}
/** Create React App's proxy file. */
export function isSetupProxy(path: string): boolean {
  return /(^|\/)src\/setupProxy\.(js|ts|cjs|mjs)$/.test(path);
}
