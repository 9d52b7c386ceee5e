import { Emitter } from './emit.js';
import { resolverOf } from './interpolate.js';
import { LineIndex } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { resolveAddress } from './values.js';

/** uWSGI's ini configuration: uwsgi.ini, uwsgi/*.ini, app.uwsgi.ini. */
export function isUwsgiIni(path: string): boolean {
  return /(^|\/)([\w.-]*uwsgi[\w.-]*\.ini|uwsgi\/[\w.-]+\.ini)$/.test(path);
}

/** Options whose value is an address uWSGI binds. */
const BIND_OPTIONS = new Set(['http', 'http-socket', 'https', 'https-socket', 'socket', 'uwsgi-socket', 'fastcgi-socket', 'stats', 'shared-socket']);

/**
 * uWSGI: `http = :8000`, `http-socket = 0.0.0.0:$(PORT)`, `socket = 127.0.0.1:3031`, `stats = :9191`
 * → `server`. uWSGI's `$(VAR)` reads the environment (the project's .env here); a Unix socket
 * path declares nothing.
 *
 * @example
 * parseUwsgiIni({ file: 'uwsgi.ini', text: '[uwsgi]\nhttp = :8000\n', vars: new Map() })
 */
export function parseUwsgiIni(input: ParserInput): ParsedFile {
  const out = new Emitter(new LineIndex(input.text), input.file, 'python');
  const resolve = resolverOf(input.vars, input.origins);
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const match = /^\s*([\w-]+)\s*=\s*(.*?)\s*$/.exec((rows[i] ?? '').replace(/\r$/, ''));
    if (!match || !BIND_OPTIONS.has(match[1] ?? '')) continue;
    // `$(PORT)` is uWSGI's spelling of an environment variable; `https` adds `,cert,key`.
    const value = (match[2] ?? '').split(',')[0]?.replace(/\$\((\w+)\)/g, '$${$1}') ?? '';
    if (value.startsWith('/') || value.startsWith('@')) continue;
    out.outcome(i + 1, 'server', resolveAddress(value, 'shell', resolve, { file: input.file, line: i + 1 }));
  }
  return out.result();
}
