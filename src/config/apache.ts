import { Emitter } from './emit.js';
import { LineIndex, readAddress } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';

/** Apache httpd: httpd.conf, apache2.conf, ports.conf, *.conf under apache/apache2/httpd folders. */
export function isApacheFile(path: string): boolean {
  return /(^|\/)(httpd|apache2?)\.conf$/.test(path) || /(^|\/)(apache2?|httpd)\/([\w.-]+\/)*[\w.-]+\.conf$/.test(path);
}

/** A .conf file elsewhere whose content is Apache's (`<VirtualHost *:80>`). */
export function looksLikeApache(path: string, text: string): boolean {
  return /\.conf$/.test(path) && /^\s*<VirtualHost\s/m.test(text);
}

/**
 * Apache httpd: `Listen 8080` / `Listen 127.0.0.1:8080` and `<VirtualHost *:80>` → `server`;
 * `ProxyPass /path http://localhost:8000/` and `BalancerMember` → `client`. (`ProxyPassReverse`
 * only rewrites response headers: no connection, no declaration.)
 *
 * @example
 * parseApache({ file: 'apache2/site.conf', text: '<VirtualHost *:80>\n ProxyPass / http://localhost:8000/\n</VirtualHost>\n', vars: new Map() })
 */
export function parseApache(input: ParserInput): ParsedFile {
  const out = new Emitter(new LineIndex(input.text), input.file, 'other');
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const code = (rows[i] ?? '').replace(/\r$/, '').trim();
    if (code.startsWith('#')) continue;
    const listen = /^Listen\s+(\S+)/i.exec(code);
    const virtualHost = /^<VirtualHost\s+([^>]+)>/i.exec(code);
    const proxy = /^(ProxyPass|BalancerMember)\s+(?:\S+\s+)?((?:https?|wss?|ajp|fcgi):\/\/\S+)/i.exec(code);
    for (const address of listen ? [listen[1] ?? ''] : virtualHost ? (virtualHost[1] ?? '').split(/\s+/) : []) {
      const read = readAddress(address);
      if (read?.ok === true) out.port(i + 1, 'server', read.host, read.port);
    }
    if (proxy) {
      const read = readAddress(proxy[2] ?? '');
      if (read?.ok === true) out.port(i + 1, 'client', read.host, read.port);
    }
  }
  return out.result();
}
