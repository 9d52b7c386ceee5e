import { isIP } from 'node:net';
import { PortdoctorError } from './errors.js';
import { parsePort } from './port.js';
import type { Port, Protocol } from './types.js';

/**
 * What the user pointed at. `host` is null for a bare port ("every loopback spelling").
 * `scheme` is the URL scheme when a URL was given; it says which application protocol to expect.
 */
export interface Target {
  /** The argument as the user typed it. */
  readonly input: string;
  /** Hostname or IP literal without brackets, or null for a bare port. */
  readonly host: string | null;
  readonly port: Port;
  readonly protocol: Protocol;
  /** Lower-case URL scheme (`http`, `https`, `redis`, …) or null. */
  readonly scheme: string | null;
  /** The URL path (with query) for http(s) targets, else null. */
  readonly path: string | null;
}

/** Default ports of URL schemes people paste into the doctor. */
export const SCHEME_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  ftp: 21,
  ssh: 22,
  smtp: 25,
  redis: 6379,
  rediss: 6379,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  mariadb: 3306,
  mongodb: 27017,
  amqp: 5672,
  memcached: 11211,
};

const TARGET_HINT = 'Give a PORT (62893), HOST:PORT (localhost:3000, 127.0.0.1:62893, [::1]:8080) or a URL (http://localhost:3000/health).';

function badTarget(input: string, why: string): PortdoctorError {
  return new PortdoctorError('bad-target', `"${input}" ${why}.`, { hint: TARGET_HINT });
}

/**
 * Parses a target. Accepts `62893`, `host:port`, `[v6]:port`, a bare IPv6 literal with port in
 * brackets only, and URLs (the scheme's default port applies when the URL names none).
 */
export function parseTarget(input: string, options: { udp?: boolean } = {}): Target {
  const protocol: Protocol = options.udp === true ? 'udp' : 'tcp';
  const text = input.trim();
  if (text === '') throw badTarget(input, 'is empty');
  if (/^\d+$/.test(text) || /^-\d+$/.test(text)) {
    return { input, host: null, port: parsePort(text), protocol, scheme: null, path: null };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseUrlTarget(input, text, protocol);

  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) throw badTarget(input, 'has an unclosed [');
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (!rest.startsWith(':') || rest.length === 1) throw badTarget(input, 'names a host but no port');
    portText = rest.slice(1);
    if (isIP(host) !== 6) throw badTarget(input, 'has brackets around something that is not an IPv6 address');
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) throw badTarget(input, 'names a host but no port');
    if (text.indexOf(':') !== colon) {
      throw badTarget(input, 'looks like an IPv6 address without brackets; write [ADDRESS]:PORT');
    }
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (portText === '') throw badTarget(input, 'names a host but no port');
  }
  if (host === '') throw badTarget(input, 'has an empty host');
  if (isIP(host) === 0 && !/^[a-z0-9]([a-z0-9-_.]*[a-z0-9])?\.?$/i.test(host)) {
    throw badTarget(input, `has "${host}", which is not a host name or IP address`);
  }
  return { input, host: host.toLowerCase(), port: parsePort(portText), protocol, scheme: null, path: null };
}

/** `udp://` and `tcp://` name a transport, not an application protocol: they set `protocol`, not `scheme`. */
const TRANSPORT_SCHEMES: Readonly<Record<string, Protocol>> = { udp: 'udp', tcp: 'tcp' };

function parseUrlTarget(input: string, text: string, asked: Protocol): Target {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badTarget(input, 'is not a valid URL');
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  const transport = TRANSPORT_SCHEMES[scheme];
  if (transport === 'tcp' && asked === 'udp') throw badTarget(input, 'says tcp:// but UDP was asked for (--udp)');
  const protocol = transport ?? asked;
  let host = url.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') throw badTarget(input, 'has no host');
  let port: Port;
  if (url.port !== '') {
    port = parsePort(url.port);
  } else {
    const fallback = SCHEME_PORTS[scheme];
    if (fallback === undefined) throw badTarget(input, `has no port, and "${scheme}" has no default port`);
    port = fallback as Port;
  }
  const isHttp = scheme === 'http' || scheme === 'https' || scheme === 'ws' || scheme === 'wss';
  return {
    input,
    host: host.toLowerCase(),
    port,
    protocol,
    scheme: transport === undefined ? scheme : null,
    path: isHttp ? `${url.pathname}${url.search}` : null,
  };
}

/** How a target is written for people: `localhost:3000`, `[::1]:8080`, `port 62893`. */
export function formatTarget(target: Target): string {
  if (target.host === null) return `port ${target.port}`;
  return formatHostPort(target.host, target.port);
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
