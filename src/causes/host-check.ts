import { isIP } from 'node:net';
import { httpExchange } from './http-exchange.js';
import type { HostCheckFacts, HostProbe } from './types.js';

/** How a Host name is written in the header: IPv6 literals in brackets. */
export const hostHeaderName = (host: string): string => (isIP(host) === 6 ? `[${host}]` : host);

/**
 * The Host names worth asking with: the one the user gave (or `localhost` for a bare port, what
 * people type), and the address literal the server was reached at. Dev servers allow-list by
 * Host: webpack-dev-server and Vite let `localhost` and IP literals through by default, Django's
 * ALLOWED_HOSTS lets through only what it lists — so the two names can get different answers.
 *
 * @example
 * hostNamesToCheck('myapp.test', '127.0.0.1'); // ['myapp.test', '127.0.0.1']
 * hostNamesToCheck(null, '::1');               // ['localhost', '[::1]']
 */
export function hostNamesToCheck(targetHost: string | null, address: string): string[] {
  return [...new Set([hostHeaderName(targetHost ?? 'localhost'), hostHeaderName(address)])];
}

/**
 * GETs the path from one address of the server once per Host name, and keeps each answer's
 * status and the start of its body.
 *
 * @example
 * const facts = await checkHostNames('127.0.0.1', 5173, '/', ['myapp.test', '127.0.0.1'], 1000);
 * facts.probes; // [{ host: 'myapp.test', status: 403, body: 'Blocked request. This host …' }, { host: '127.0.0.1', status: 200, … }]
 */
export async function checkHostNames(address: string, port: number, path: string, names: readonly string[], timeoutMs: number): Promise<HostCheckFacts> {
  // Side by side: two or three GETs are no burst, and the doctor's run time is the user's wait.
  const probes = await Promise.all(
    names.map(async (host): Promise<HostProbe> => {
      const request = `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: portdoctor\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
      const exchange = await httpExchange(address, port, request, timeoutMs, 4096);
      return exchange.ok
        ? { host, status: exchange.answer.status, reason: exchange.answer.reason === '' ? null : exchange.answer.reason, body: exchange.answer.body, error: null }
        : { host, status: null, reason: null, body: null, error: exchange.error };
    }),
  );
  return { address, port, probes };
}
