import { Emitter } from './emit.js';
import { LineIndex, readAddress } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { unknownReason } from './values.js';

/**
 * nginx.conf (also `nginx.*.conf`, `*.nginx.conf`), *.conf and the official image's `*.conf.template`
 * under an nginx/ or conf.d/ directory, and files in sites-available|enabled.
 */
export function isNginxFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (/^nginx([.-][\w-]+)*\.conf(\.template)?$/.test(base) || /\.nginx(\.conf)?$/.test(base) || /^[\w.-]+\.nginx\.conf$/.test(base)) return true;
  // Also extension-less site files in an nginx/ folder (reverse-proxy/nginx/plausible).
  return /(^|\/)(nginx|conf\.d|templates)\/[^/]+\.conf(\.template)?$/.test(path) || /(^|\/)nginx\/[^/.]+$/.test(path) || (/(^|\/)sites-(available|enabled)\/[^/]+$/.test(path) && !base.startsWith('.'));
}

/**
 * A file whose name says nothing (`proxy/conf`, `site.conf` outside an nginx/ folder) but whose
 * content is nginx's: a `server {` block with `listen` or `proxy_pass`.
 */
export function looksLikeNginx(text: string): boolean {
  return /^\s*server\s*\{/m.test(text) && /^\s*(listen|proxy_pass|location)\b/m.test(text) && !/^\s*<VirtualHost/m.test(text);
}

interface Directive {
  readonly words: string[];
  readonly offset: number;
  /** Names of the enclosing blocks, outermost first (`http`, `server`, `upstream`…). */
  readonly context: string[];
}

/**
 * Splits nginx configuration into directives: words, quotes, `#` comments, `;` and `{ }` blocks.
 * Reports an unbalanced `}` or an unclosed block as a warning (with its line) and keeps going.
 */
export function readNginxDirectives(text: string): { directives: Directive[]; problems: { offset: number; message: string }[] } {
  const directives: Directive[] = [];
  const problems: { offset: number; message: string }[] = [];
  const context: { name: string; offset: number }[] = [];
  let words: string[] = [];
  let start = -1;
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === ';') {
      if (words.length > 0) directives.push({ words, offset: start, context: context.map((b) => b.name) });
      words = [];
      i++;
    } else if (c === '{') {
      if (words.length > 0) directives.push({ words, offset: start, context: context.map((b) => b.name) });
      context.push({ name: words[0] ?? '', offset: i });
      words = [];
      i++;
    } else if (c === '}') {
      if (context.pop() === undefined) problems.push({ offset: i, message: 'nginx: unexpected "}"' });
      words = [];
      i++;
    } else {
      if (words.length === 0) start = i;
      let word = '';
      if (c === '"' || c === "'") {
        const end = text.indexOf(c, i + 1);
        word = text.slice(i + 1, end === -1 ? text.length : end);
        i = end === -1 ? text.length : end + 1;
      } else {
        while (i < text.length && !/[\s;{}#]/.test(text[i] ?? '')) word += text[i++];
      }
      words.push(word);
    }
  }
  for (const open of context) problems.push({ offset: open.offset, message: `nginx: block "${open.name}" is not closed` });
  return { directives, problems };
}

/**
 * nginx: `listen` → `server` (`listen 80`, `listen 127.0.0.1:8080`, `listen [::]:443 ssl`,
 * `listen localhost`); `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `grpc_pass`, and the `server`
 * lines of an `upstream` block → `client`. A `proxy_pass` to an upstream name is covered by the
 * upstream's servers.
 *
 * @example
 * parseNginx({ file: 'nginx.conf', text: 'server { listen 8080; location / { proxy_pass http://127.0.0.1:3000; } }', vars: new Map() })
 */
export function parseNginx(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'nginx');
  const { directives, problems } = readNginxDirectives(input.text);
  const upstreams = new Set(directives.filter((d) => d.words[0] === 'upstream').map((d) => d.words[1] ?? ''));
  for (const d of directives) {
    const [name, arg] = d.words;
    if (arg === undefined) continue;
    const line = lines.lineOf(d.offset);
    if (name === 'listen') {
      if (arg.startsWith('unix:')) continue;
      // `listen 53 udp;` (stream), `listen 443 quic;` (HTTP/3): UDP.
      const protocol = d.words.slice(2).some((w) => w === 'udp' || w === 'quic') ? 'udp' : 'tcp';
      const read = readAddress(arg);
      if (read !== null) out.outcome(line, 'server', read.ok ? { ok: true, host: read.host, port: read.port, via: null } : { ok: false, host: read.host, value: read.value, reason: unknownReason(read.value) }, { protocol });
      else if (arg.includes('$')) out.unknown(line, 'server', null, arg, unknownReason(arg), { protocol });
      else if (/^[\w.-]+$/.test(arg)) out.port(line, 'server', arg, 80, { protocol }); // `listen localhost;`: nginx's default port
    } else if (name === 'proxy_pass' || name === 'grpc_pass' || name === 'fastcgi_pass' || name === 'uwsgi_pass') {
      const hostPart = arg.replace(/^[a-z]+:\/\//, '').split(/[/:]/)[0] ?? '';
      if (upstreams.has(hostPart) || arg.includes('$') || arg.startsWith('unix:')) continue;
      const address = readAddress(arg.replace(/^grpcs?:\/\//, 'http://'));
      if (address !== null && address.ok) out.port(line, 'client', address.host, address.port);
    } else if (name === 'server' && d.context.at(-1) === 'upstream') {
      if (arg.startsWith('unix:')) continue;
      const address = readAddress(arg);
      if (address !== null && address.ok) out.port(line, 'client', address.host, address.port);
      else if (address === null && /^[\w.-]+$/.test(arg)) out.port(line, 'client', arg, 80);
    }
  }
  for (const p of problems) out.warn(lines.lineOf(p.offset), p.message);
  return out.result();
}
