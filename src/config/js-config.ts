import { readCommandLine } from './command-line.js';
import { Emitter } from './emit.js';
import { resolverOf, sourceAt } from './interpolate.js';
import { expressionTokens, JsScope, matching, splitArguments, type JsValue } from './js-eval.js';
import { tokenizeJs, type JsToken } from './js-tokens.js';
import { explicitPort, LineIndex, normalizeHost, toPort } from './text.js';
import type { DeclarationKind, ParsedFile, ParserInput } from './types.js';
import { addressOf, unknownReason } from './values.js';

/** Keys whose string value is an address something connects to. */
const CLIENT_KEYS = new Set(['target', 'destination', 'baseURL', 'baseUrl', 'apiUrl', 'apiURL']);
/** Dev-server proxy tables: Vite/webpack `proxy`, vue-cli 2's `proxyTable`. */
const PROXY_KEYS = new Set(['proxy', 'proxyTable']);

/**
 * Reads the ports of a JS/TS configuration file (vite.config.ts, next.config.js,
 * webpack.config.js, setupProxy.js) without running it. It follows object nesting to know which
 * property a value belongs to:
 * - `port: 5173` (also `port: Number(process.env.PORT) || 5173`: the literal fallback) → `server`,
 *   with the `host`/`hostname` of the same object (`host: true` means all addresses: 0.0.0.0);
 * - inside a `proxy` object, `'/api': 'http://localhost:8080'` and `target: '…'` → `client`;
 * - `target`/`destination` anywhere (http-proxy-middleware, Next.js rewrites) → `client`;
 * - `hmr: { port }`/`clientPort` → `server`;
 * - in Playwright/Cypress configs, `url` → `client` and the `webServer` `command` as a command line.
 *
 * @example
 * parseJsConfig({ file: 'vite.config.ts', text: "export default { server: { port: 5174 } }", vars: new Map() }, 'vite')
 */
export function parseJsConfig(input: ParserInput, kind: DeclarationKind): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, kind);
  const tokens = tokenizeJs(input.text);
  const testRunner = isTestRunnerConfig(input.file);
  const scope = new JsScope(tokens, input.text, lines, input.file, resolverOf(input.vars, input.origins));
  // One frame per open { or [: the property it is the value of, and what we saw inside it.
  interface Frame { key: string | null; brace: string; ports: { value: JsValue; offset: number }[]; host: string | null }
  const stack: Frame[] = [{ key: null, brace: '', ports: [], host: null }];
  let pendingKey: string | null = null;
  const inProxy = (): boolean => stack.some((f) => f.key !== null && PROXY_KEYS.has(f.key));
  const closeFrame = (frame: Frame): void => {
    for (const p of frame.ports) {
      const line = lines.lineOf(p.offset);
      if (p.value.kind === 'value') {
        const port = toPort(p.value.exp.text);
        if (port !== null) out.port(line, 'server', frame.host, port, { via: sourceAt(p.value.exp, 0, p.value.exp.text.length) });
        else if (!p.value.exp.complete) out.unknown(line, 'server', frame.host, p.value.exp.text, unknownReason(p.value.exp.text));
      } else if (p.value.kind === 'unknown') {
        out.unknown(line, 'server', frame.host, p.value.text, unknownJsReason(p.value));
      }
    }
  };
  const client = (value: JsValue, offset: number, reportUnknown: boolean): void => {
    const line = lines.lineOf(offset);
    if (value.kind === 'value') out.outcome(line, 'client', addressOf(value.exp));
    else if (value.kind === 'unknown' && reportUnknown) out.unknown(line, 'client', null, value.text, unknownJsReason(value));
  };
  const addressWithPort = (value: readonly JsToken[], first: JsToken): void => {
    const evaluated = scope.evaluate(value);
    if (evaluated.kind === 'value' && explicitPort(evaluated.exp.text) && /^[a-z][\w+.-]*:\/\//i.test(evaluated.exp.text)) client(evaluated, first.offset, false);
  };
  // `app.listen(3000)`, `server.listen(port, '0.0.0.0')`; `listen({ port })` is read as an object.
  const listenCall = (at: number): void => {
    const close = matching(tokens, at + 1);
    if (close === -1) return;
    const args = splitArguments(tokens.slice(at + 2, close));
    const portArg = args[0];
    if (portArg === undefined || portArg[0]?.value === '{' || portArg.some((x) => x.value === 'function' || (x.value === '=' && portArg[portArg.indexOf(x) + 1]?.value === '>'))) return;
    const value = scope.evaluate(portArg);
    const hostArg = args[1];
    const hostValue = hostArg === undefined ? null : scope.evaluate(hostArg);
    const host = hostValue?.kind === 'value' && hostValue.exp.complete && !/^\d+$/.test(hostValue.exp.text) ? normalizeHost(hostValue.exp.text) : null;
    const line = lines.lineOf(tokens[at]?.offset ?? 0);
    if (value.kind === 'value') {
      const port = toPort(value.exp.text);
      if (port !== null) out.port(line, 'server', host, port, { via: sourceAt(value.exp, 0, value.exp.text.length) });
      else if (!value.exp.complete) out.unknown(line, 'server', host, value.exp.text, unknownReason(value.exp.text));
    } else if (value.kind === 'unknown') {
      out.unknown(line, 'server', host, value.text, unknownJsReason(value));
    }
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
    const previous = tokens[i - 1];
    if (t.type === 'ident' && t.value === 'listen' && previous?.value === '.' && next?.value === '(') {
      listenCall(i);
      continue;
    }
    if (t.type === 'ident' && /^(const|let|var)$/.test(t.value) && tokens[i + 2]?.value === '=' && tokens[i + 3]?.type === 'string' ) {
      // `const API = 'http://localhost:3000'`: a service address written in the file.
      const value = expressionTokens(tokens, i + 3, input.text);
      if (value.length === 1) addressWithPort(value, tokens[i + 3] as JsToken);
      continue;
    }
    // `{ port, host }`: shorthand properties name a constant of the file.
    const shorthand = t.type === 'ident' && top.brace === '{' && (previous?.value === '{' || previous?.value === ',') && (next?.value === ',' || next?.value === '}');
    const isKey = shorthand || ((t.type === 'ident' || t.type === 'string') && next?.type === 'punct' && next.value === ':' && top.brace === '{');
    if (!isKey) continue;
    const key = t.value;
    pendingKey = key;
    const value = shorthand ? [t] : valueTokens(tokens, i + 2, input.text);
    const first = value[0];
    if (first === undefined || first.value === '{' || first.value === '[') continue;
    const handled = inProxy() || CLIENT_KEYS.has(key) || key === 'port' || key === 'clientPort' || key === 'host' || key === 'hostname' || (testRunner && (key === 'url' || key === 'command'));
    if (!handled && value.length === 1 && first.type === 'string') {
      // `proxypath: 'http://cangdu.org:8001'`: any other address with its own port.
      addressWithPort(value, first);
      continue;
    }
    const isFunction = value.some((x, k) => x.value === '=' && value[k + 1]?.value === '>') || first.value === 'function' || first.value === 'async';
    if (isFunction) continue;
    if (inProxy() && (key === 'target' || PROXY_KEYS.has(top.key ?? ''))) {
      // `'/api': 'http://localhost:8080'` (Vite's shorthand) or `target: '…'` inside a proxy.
      client(scope.evaluate(value), first.offset, true);
    } else if (CLIENT_KEYS.has(key) || (testRunner && key === 'url')) {
      client(scope.evaluate(value), first.offset, key !== 'target');
    } else if (testRunner && key === 'command') {
      // Playwright's `webServer: { command: 'npm run dev -- --port 5173' }`: the server it starts.
      const evaluated = scope.evaluate(value);
      const line = lines.lineOf(first.offset);
      if (evaluated.kind === 'value') out.command(readCommandLine(evaluated.exp.text, { resolve: resolverOf(input.vars, input.origins), at: { file: input.file, line } }), () => line);
    } else if (key === 'port' || key === 'clientPort') {
      const evaluated = scope.evaluate(value);
      if (evaluated.kind !== 'bool') top.ports.push({ value: evaluated, offset: t.offset });
    } else if (key === 'host' || key === 'hostname') {
      const evaluated = scope.evaluate(value);
      if (evaluated.kind === 'bool') top.host = evaluated.value ? '0.0.0.0' : null;
      else if (evaluated.kind === 'value' && evaluated.exp.complete) top.host = normalizeHost(evaluated.exp.text);
    }
  }
  while (stack.length > 0) closeFrame(stack.pop() as Frame);
  // Ports are declared when their object closes (its host may come after them): restore line order.
  out.declarations.sort((a, b) => a.line - b.line);
  out.unresolved.sort((a, b) => a.line - b.line);
  return out.result();
}

/** Why a JS value cannot give a port: a variable nobody sets, or an expression the scan does not follow. */
function unknownJsReason(value: Extract<JsValue, { kind: 'unknown' }>): string {
  if (value.envName !== null) return `${value.envName} is not set in the project's .env files and the expression has no default`;
  return `${value.text} is computed at run time or comes from another file`;
}

/** The tokens of a property value: up to the `,` or closing bracket at the same depth; an object or array is its opening bracket. */
function valueTokens(tokens: readonly JsToken[], start: number, text: string): JsToken[] {
  const first = tokens[start];
  if (first !== undefined && first.type === 'punct' && (first.value === '{' || first.value === '[')) return [first];
  return expressionTokens(tokens, start, text);
}

const JS = String.raw`\.(js|mjs|cjs|ts|mts|cts)$`;

// (Built once: these run on every file name of the project.)
const VITE_CONFIG = new RegExp(String.raw`(^|/)vite(st)?\.config${JS}`);
const NEXT_CONFIG = new RegExp(String.raw`(^|/)next\.config${JS}`);
const WEBPACK_BASE = new RegExp(String.raw`^(webpack([.-][\w-]+)*|[\w-]+\.webpack|vue\.config)${JS}`);
const WEBPACK_DIR = new RegExp(String.raw`(^|/)webpack/[\w.-]+${JS}`);
const SETUP_PROXY = new RegExp(String.raw`(^|/)src/setupProxy${JS}`);
const ANGULAR_PROXY = new RegExp(String.raw`(^|/)proxy\.conf(ig)?(\.[\w-]+)?${JS}`);
const TEST_RUNNER = new RegExp(String.raw`(^|/)(playwright|cypress|protractor|karma|wdio)(\.[\w-]+)?\.conf(ig)?${JS}`);
const OTHER_DEV_SERVER = new RegExp(String.raw`(^|/)(nuxt|astro)\.config${JS}`);
const NODE_ENTRY = new RegExp(String.raw`^([\w.-]+/){0,3}(server|app|index|main|dev-server|devServer|preview|start|www)${JS}`);

export function isViteConfig(path: string): boolean {
  return VITE_CONFIG.test(path);
}
export function isNextConfig(path: string): boolean {
  return NEXT_CONFIG.test(path);
}
/**
 * webpack configurations under the names projects give them: webpack.config.js, webpack.dev.js and
 * webpack.common.js (webpack-merge), webpack/*.js, vue-cli 2's build/webpack.dev.conf.js, and Vue
 * CLI's vue.config.js (its devServer is webpack's).
 */
export function isWebpackConfig(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return WEBPACK_BASE.test(base) || WEBPACK_DIR.test(path);
}
/** Create React App's proxy file. */
export function isSetupProxy(path: string): boolean {
  return SETUP_PROXY.test(path);
}
/** Angular's dev-server proxy written as code: proxy.conf.js, proxy.config.mjs. */
export function isAngularProxyScript(path: string): boolean {
  return ANGULAR_PROXY.test(path);
}
/** Test runners' configuration (Playwright, Cypress, Protractor, Karma, WebdriverIO): the app's `baseURL`, the `webServer` they start, their own `port`. */
export function isTestRunnerConfig(path: string): boolean {
  return TEST_RUNNER.test(path);
}
/** Nuxt's and Astro's configuration: `server`/`devServer` ports. */
export function isOtherDevServerConfig(path: string): boolean {
  return OTHER_DEV_SERVER.test(path);
}
/**
 * A Node program that listens (Express, Koa, http.createServer, vue-cli 2's build/dev-server.js):
 * a server/app/index/main/dev-server script near the top of the project whose text calls `.listen(`.
 */
export function looksLikeNodeServer(path: string, text: string): boolean {
  return isNodeEntryName(path) && /\.listen\(/.test(text);
}

/** Names Node programs that start servers go by, at most three folders deep. */
export function isNodeEntryName(path: string): boolean {
  return NODE_ENTRY.test(path) && !/(^|\/)(src\/(components|pages|views|assets)|test|tests|__tests__)\//.test(path);
}

/**
 * vue-cli 2's config/index.js (`dev: { port: 8080, proxyTable: {…} }`): a common name, so only
 * when its content says so.
 */
export function looksLikeVueCli2Config(path: string, text: string): boolean {
  return /(^|\/)config\/index\.js$/.test(path) && /\bproxyTable\b|\bautoOpenBrowser\b|\bassetsSubDirectory\b/.test(text);
}
