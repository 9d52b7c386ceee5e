import { isIP } from 'node:net';
import { httpExchange } from './http-exchange.js';
import { maskProxy } from './proxy-env.js';
import type { ProxyConfirmation } from './types.js';

const DEFAULT_PROXY_PORT = 1080;

/** The host and port of a proxy variable's value (`http://proxy:3128`, `proxy:3128`, `socks5://…`). */
export function proxyEndpoint(value: string): { scheme: string; host: string; port: number } | null {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === '') return null;
  const port = url.port === '' ? (scheme === 'https' ? 443 : scheme === 'http' ? 80 : DEFAULT_PROXY_PORT) : Number(url.port);
  return { scheme, host, port };
}

const authority = (host: string, port: number): string => `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;

/**
 * Asks the proxy for the target the way a proxied client does (an absolute-form GET for http, a
 * CONNECT for https) and says what came back: nothing at the proxy's address, the proxy's error
 * page, or a forwarded answer (with its Via header). No credentials are sent: a 407 answer is
 * itself the proof that a proxy took the request. Never throws; bounded by `timeoutMs`.
 *
 * @example
 * const c = await confirmProxy('http://127.0.0.1:8888', 'http', 'localhost', 3000, 1000);
 * c.outcome; // 'error-page' when the proxy cannot reach *its* localhost:3000
 */
export async function confirmProxy(value: string, scheme: 'http' | 'https', host: string, port: number, timeoutMs: number): Promise<ProxyConfirmation> {
  const proxy = maskProxy(value);
  const endpoint = proxyEndpoint(value);
  const target = authority(host, port);
  const request = scheme === 'http' ? `GET http://${target}/` : `CONNECT ${target}`;
  const none = { status: null, reason: null, via: null, server: null, body: null };
  if (endpoint === null) return { proxy, address: '', port: 0, request, outcome: 'not-checked', ...none, error: 'not a URL portdoctor can read' };
  if (endpoint.scheme !== 'http') {
    return { proxy, address: endpoint.host, port: endpoint.port, request, outcome: 'not-checked', ...none, error: `a ${endpoint.scheme} proxy (portdoctor only talks to plain HTTP proxies)` };
  }
  // A name (proxy.corp) is resolved by connect itself, as the client's would be.
  const text = `${request} HTTP/1.1\r\nHost: ${target}\r\nUser-Agent: portdoctor\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
  const exchange = await httpExchange(endpoint.host, endpoint.port, text, timeoutMs, 600);
  const base = { proxy, address: endpoint.host, port: endpoint.port, request };
  if (!exchange.ok) {
    return { ...base, outcome: exchange.stage === 'connect' ? 'unreachable' : 'no-answer', ...none, error: exchange.error };
  }
  const { answer } = exchange;
  return {
    ...base,
    outcome: answer.status >= 400 ? 'error-page' : 'forwarded',
    status: answer.status,
    reason: answer.reason === '' ? null : answer.reason,
    via: answer.headers.via ?? null,
    server: answer.headers.server ?? null,
    body: answer.body === '' ? null : answer.body.slice(0, 300),
    error: null,
  };
}
