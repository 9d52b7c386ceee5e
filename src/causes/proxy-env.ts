import { isIP } from 'node:net';
import type { ProcessEnvironment } from '../platform/causes-types.js';

/**
 * Would a client send a request for http(s)://HOST:PORT to a proxy, given its environment? Each
 * client reads the variables its own way, and the differences are exactly what bites people:
 *
 * - **curl** (libcurl-env(3); lib/noproxy.c): `http_proxy` in lower case only (the upper-case
 *   HTTP_PROXY is ignored for httpoxy reasons), `https_proxy`/`HTTPS_PROXY`, then
 *   `all_proxy`/`ALL_PROXY`; `no_proxy` then `NO_PROXY`. NO_PROXY entries are names matched
 *   exactly or as a domain suffix (a leading dot is ignored), IP addresses with an optional
 *   /bits; a `:port` in an entry makes it match nothing; `*` alone disables the proxy.
 * - **Node** (undici's EnvHttpProxyAgent; Node's own fetch/http use it only with
 *   NODE_USE_ENV_PROXY=1 or --use-env-proxy): `http_proxy ?? HTTP_PROXY`, `https_proxy ??
 *   HTTPS_PROXY` (falling back to the HTTP one), `no_proxy ?? NO_PROXY`; no ALL_PROXY. Entries
 *   lose a leading `.` or `*.`, match exactly or as a domain suffix, and may carry a port.
 * - **axios** (proxy-from-env): `<scheme>_proxy` lower then upper case, then `all_proxy`;
 *   `no_proxy` lower then upper case. An entry starting with `.` or `*` is a suffix (so `.localhost`
 *   does not match `localhost`), others must match exactly; ports are honoured; an IPv6 host is
 *   compared with its brackets (`[::1]`).
 * - **Go** (net/http ProxyFromEnvironment, golang.org/x/net/http/httpproxy): `HTTP_PROXY` then
 *   `http_proxy` for http, `HTTPS_PROXY`/`https_proxy` for https; never proxies `localhost` or a
 *   loopback address, whatever NO_PROXY says.
 */
export type ProxyClient = 'curl' | 'node' | 'axios' | 'go';

export const PROXY_CLIENTS: readonly ProxyClient[] = ['curl', 'node', 'axios', 'go'];

export const CLIENT_NAMES: Readonly<Record<ProxyClient, string>> = { curl: 'curl', node: 'Node (fetch with NODE_USE_ENV_PROXY, undici EnvHttpProxyAgent)', axios: 'axios', go: 'Go (net/http)' };

/** What one client does with one host name. */
export interface ProxyVerdict {
  readonly client: ProxyClient;
  /** The host as written in the URL, without brackets (`localhost`, `127.0.0.1`, `::1`). */
  readonly host: string;
  readonly proxied: boolean;
  /** The proxy it would use (credentials masked), null when none is configured for it. */
  readonly proxy: string | null;
  /** The variable the proxy came from. */
  readonly proxyVariable: string | null;
  /** The variable its NO_PROXY list came from, null when none is set. */
  readonly noProxyVariable: string | null;
  /** Why, for people. */
  readonly why: string;
  /** False when the client only reads the environment under a condition that does not hold (Node without NODE_USE_ENV_PROXY). */
  readonly active: boolean;
}

type Env = ProcessEnvironment;

/** First variable that is set and not empty, with its name. */
function firstNonEmpty(env: Env, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return null;
}

/** First variable that is set at all (`a ?? b`: an empty lower-case value hides the upper-case one). */
function firstDefined(env: Env, names: readonly string[]): { name: string; value: string } | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) return { name, value };
  }
  return null;
}

/**
 * A proxy URL without its credentials, for reports.
 *
 * @example
 * maskProxy('http://alice:s3cret@proxy.corp:3128'); // 'http://***@proxy.corp:3128'
 */
export function maskProxy(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_match, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

function ipv4ToNumber(address: string): number {
  return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** The 16 bytes of an IPv6 address (any valid textual form). */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = ipv4ToNumber(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => {
    const v = parseInt(g, 16);
    return [(v >> 8) & 0xff, v & 0xff];
  });
}

function cidrMatch(address: string, network: string, bits: number | null): boolean {
  const family = isIP(address);
  if (family === 0 || isIP(network) !== family) return false;
  if (family === 4) {
    const width = bits ?? 32;
    if (width > 32) return false;
    const mask = width === 0 ? 0 : (0xffffffff << (32 - width)) >>> 0;
    return ((ipv4ToNumber(address) ^ ipv4ToNumber(network)) & mask) === 0;
  }
  const a = ipv6Bytes(address);
  const b = ipv6Bytes(network);
  const width = bits === null || bits === 0 ? 128 : bits;
  if (a === null || b === null || width > 128) return false;
  for (let bit = 0; bit < width; bit++) {
    const byte = bit >> 3;
    const m = 0x80 >> (bit & 7);
    if (((a[byte] ?? 0) & m) !== ((b[byte] ?? 0) & m)) return false;
  }
  return true;
}

/** curl's Curl_check_noproxy (lib/noproxy.c, curl ≥ 7.86): true when the list exempts the host. */
export function curlBypasses(host: string, noProxy: string): boolean {
  if (noProxy === '') return false;
  if (noProxy === '*') return true;
  const family = isIP(host);
  const name = family === 0 && host.endsWith('.') ? host.slice(0, -1) : host;
  for (const raw of noProxy.split(/[\s,]+/)) {
    if (raw === '') continue;
    if (family === 0) {
      let token = raw.endsWith('.') ? raw.slice(0, -1) : raw;
      if (token.startsWith('.')) token = token.slice(1);
      const lower = token.toLowerCase();
      const hostLower = name.toLowerCase();
      if (lower === hostLower) return true;
      if (lower.length < hostLower.length && hostLower.endsWith(lower) && hostLower[hostLower.length - lower.length - 1] === '.') return true;
      continue;
    }
    const slash = raw.indexOf('/');
    const network = slash === -1 ? raw : raw.slice(0, slash);
    const bits = slash === -1 ? null : Number.parseInt(raw.slice(slash + 1), 10);
    if (cidrMatch(host, network, bits === null || Number.isNaN(bits) ? null : bits)) return true;
  }
  return false;
}

/** undici's EnvHttpProxyAgent #shouldProxy (negated): true when the list exempts host:port. */
export function undiciBypasses(host: string, port: number, noProxy: string): boolean {
  const entries = noProxy.split(/[,\s]/).filter((e) => e !== '');
  if (entries.length === 0) return false;
  if (noProxy === '*') return true;
  const hostname = host.toLowerCase().replace(/\.$/, '');
  for (const entry of entries) {
    let name: string;
    let entryPort = 0;
    const v6 = /^\[(.+)\]:(\d+)$/.exec(entry);
    if (v6?.[1] !== undefined && v6[2] !== undefined) {
      name = v6[1];
      entryPort = Number.parseInt(v6[2], 10);
    } else {
      const unbracketed = entry.replace(/^\[(.+)\]$/, '$1');
      const parsed = (unbracketed.match(/:/g) ?? []).length === 1 ? /^(.+):(\d+)$/.exec(unbracketed) : null;
      name = parsed?.[1] ?? unbracketed;
      entryPort = parsed?.[2] === undefined ? 0 : Number.parseInt(parsed[2], 10);
    }
    if (entryPort !== 0 && entryPort !== port) continue;
    const bare = name.replace(/^\*?\./, '').replace(/^(.+)\.$/, '$1').toLowerCase();
    if (hostname === bare || hostname.endsWith(`.${bare}`)) return true;
  }
  return false;
}

/** proxy-from-env's shouldProxy (negated), as axios uses it: IPv6 hosts keep their brackets. */
export function axiosBypasses(host: string, port: number, noProxy: string): boolean {
  const list = noProxy.toLowerCase();
  if (list === '') return false;
  if (list === '*') return true;
  const hostname = isIP(host) === 6 ? `[${host}]` : host.toLowerCase();
  return !list.split(/[,\s]/).every((entry) => {
    if (entry === '') return true;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    let name = parsed?.[1] ?? entry;
    const entryPort = parsed?.[2] === undefined ? 0 : Number.parseInt(parsed[2], 10);
    if (entryPort !== 0 && entryPort !== port) return true;
    if (!/^[.*]/.test(name)) return hostname !== name;
    if (name.startsWith('*')) name = name.slice(1);
    return !hostname.endsWith(name);
  });
}

/** httpproxy's domain and IP matchers (the loopback exemption is applied before). */
export function goBypasses(host: string, port: number, noProxy: string): boolean {
  for (const raw of noProxy.split(',')) {
    const entry = raw.toLowerCase().trim();
    if (entry === '') continue;
    if (entry === '*') return true;
    const slash = entry.indexOf('/');
    if (slash !== -1) {
      if (cidrMatch(host, entry.slice(0, slash), Number.parseInt(entry.slice(slash + 1), 10))) return true;
      continue;
    }
    let name = entry;
    let entryPort = '';
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort?.[1] !== undefined && withPort[2] !== undefined) {
      name = withPort[1].replace(/^\[|\]$/g, '');
      entryPort = withPort[2];
    } else name = entry.replace(/^\[|\]$/g, '');
    if (entryPort !== '' && entryPort !== String(port)) continue;
    if (isIP(name) !== 0) {
      if (isIP(host) !== 0 && cidrMatch(host, name, null)) return true;
      continue;
    }
    if (name.startsWith('*.')) name = name.slice(1);
    const subdomainsOnly = name.startsWith('.');
    const suffix = subdomainsOnly ? name : `.${name}`;
    if (host.toLowerCase().endsWith(suffix) || (!subdomainsOnly && host.toLowerCase() === name)) return true;
  }
  return false;
}

const isLoopback = (host: string): boolean => host.toLowerCase() === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || (isIP(host) === 6 && cidrMatch(host, '::1', 128));

interface Chosen {
  readonly proxy: { name: string; value: string } | null;
  readonly noProxy: { name: string; value: string } | null;
}

function curlReads(env: Env, scheme: 'http' | 'https'): Chosen {
  const specific = scheme === 'http' ? firstNonEmpty(env, ['http_proxy']) : firstNonEmpty(env, ['https_proxy', 'HTTPS_PROXY']);
  return { proxy: specific ?? firstNonEmpty(env, ['all_proxy', 'ALL_PROXY']), noProxy: firstNonEmpty(env, ['no_proxy', 'NO_PROXY']) };
}

function nodeReads(env: Env, scheme: 'http' | 'https'): Chosen {
  const http = firstDefined(env, ['http_proxy', 'HTTP_PROXY']);
  const https = firstDefined(env, ['https_proxy', 'HTTPS_PROXY']);
  const chosen = scheme === 'https' && https !== null && https.value !== '' ? https : http;
  return { proxy: chosen !== null && chosen.value !== '' ? chosen : null, noProxy: firstDefined(env, ['no_proxy', 'NO_PROXY']) };
}

function axiosReads(env: Env, scheme: 'http' | 'https'): Chosen {
  return { proxy: firstNonEmpty(env, [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY']), noProxy: firstNonEmpty(env, ['no_proxy', 'NO_PROXY']) };
}

function goReads(env: Env, scheme: 'http' | 'https'): Chosen {
  const proxy = scheme === 'http' ? firstNonEmpty(env, ['HTTP_PROXY', 'http_proxy']) : firstNonEmpty(env, ['HTTPS_PROXY', 'https_proxy']);
  return { proxy, noProxy: firstNonEmpty(env, ['NO_PROXY', 'no_proxy']) };
}

/** Node reads the environment only when told to (or when the app installs EnvHttpProxyAgent itself). */
export function nodeUsesEnvProxy(env: Env): boolean {
  return env.NODE_USE_ENV_PROXY === '1' || /(^|\s)--use-env-proxy(\s|$)/.test(env.NODE_OPTIONS ?? '');
}

/**
 * What each client would do with http(s)://host:port, given an environment.
 *
 * @example
 * proxyVerdicts({ http_proxy: 'http://proxy:3128', NO_PROXY: 'localhost:3000' }, 'http', 'localhost', 3000)
 *   .find((v) => v.client === 'curl')?.proxied; // true: curl ignores the port in the entry
 */
export function proxyVerdicts(env: Env, scheme: 'http' | 'https', host: string, port: number): ProxyVerdict[] {
  const reads: Readonly<Record<ProxyClient, Chosen>> = { curl: curlReads(env, scheme), node: nodeReads(env, scheme), axios: axiosReads(env, scheme), go: goReads(env, scheme) };
  return PROXY_CLIENTS.map((client) => {
    const { proxy, noProxy } = reads[client];
    const list = noProxy?.value ?? '';
    const active = client !== 'node' || nodeUsesEnvProxy(env);
    const base = { client, host, proxy: proxy === null ? null : maskProxy(proxy.value), proxyVariable: proxy?.name ?? null, noProxyVariable: noProxy?.name ?? null, active };
    if (proxy === null) return { ...base, proxied: false, why: 'no proxy variable it reads is set' };
    if (client === 'go' && isLoopback(host)) return { ...base, proxied: false, why: 'Go never proxies localhost or a loopback address' };
    const bypass =
      client === 'curl' ? curlBypasses(host, list) : client === 'node' ? undiciBypasses(host, port, list) : client === 'axios' ? axiosBypasses(host, port, list) : goBypasses(host, port, list);
    if (bypass) return { ...base, proxied: false, why: `${noProxy?.name ?? 'NO_PROXY'} exempts it` };
    const why = noProxy === null ? `${proxy.name} is set and no NO_PROXY is` : `${proxy.name} is set and ${noProxy.name}=${list} does not exempt ${host}${client === 'curl' && /:\d+(,|$)/.test(list) ? ' (curl ignores entries with a port)' : ''}`;
    return { ...base, proxied: true, why };
  });
}

/** The entries to add so that every client exempts `host` (an IPv6 literal needs both spellings: curl wants `::1`, axios `[::1]`). */
function entriesFor(host: string): string[] {
  return isIP(host) === 6 ? [host, `[${host}]`] : [host];
}

/**
 * The NO_PROXY value to set (in both cases) so that every client goes direct to every host:
 * the entries already there, plus what each host needs. Checked with the same client models.
 *
 * @example
 * noProxyValue({ NO_PROXY: '.corp.example' }, ['localhost', '127.0.0.1'], 3000);
 * // → '.corp.example,localhost,127.0.0.1'
 */
export function noProxyValue(env: Env, hosts: readonly string[], port: number): string {
  const current = firstNonEmpty(env, ['no_proxy', 'NO_PROXY'])?.value ?? '';
  const entries = current.split(/[\s,]+/).filter((e) => e !== '');
  for (const host of hosts) {
    for (const entry of entriesFor(host)) {
      const value = entries.join(',');
      const exempt = curlBypasses(host, value) && undiciBypasses(host, port, value) && axiosBypasses(host, port, value);
      if (!exempt && !entries.includes(entry)) entries.push(entry);
    }
  }
  return entries.join(',');
}
