/**
 * socat relays between two addresses; as a port forwarder one of them listens
 * (`TCP-LISTEN:8080,fork,reuseaddr`) and the other connects (`TCP:db:5432`). Address grammar, from
 * socat(1) 1.7.4: `TYPE:param:param,option,option=value`, types case-insensitive, IPv6 hosts in
 * square brackets. Options before the two addresses are listed in socat(1) "OPTIONS".
 */
import { portNumber, unbracket } from './ports.js';
import type { ArgvForwards, ForwardTarget } from './types.js';
import type { Protocol } from '../types.js';

/** socat options that take a value, attached (`-b8192`) or as the next argument (`-b 8192`). */
const WITH_VALUE = new Set(['-b', '-t', '-T', '-L', '-W', '-lf', '-lp', '-r', '-R']);
/** Options that stand alone; `-ly` and `-lm` may carry an attached facility, `-d` repeats. */
const ALONE = /^-(V|h+|\?+|d+|D|ly.*|lm.*|ls|lu|lh|v|x|s|u|U|g|4|6)$/;

interface Listening {
  readonly protocol: Protocol;
  /** 4, 6, or null for the version-less type (TCP-LISTEN), which `-4`/`-6` or the environment decide. */
  readonly version: 4 | 6 | null;
}

const LISTEN_TYPES: Readonly<Record<string, Listening>> = {
  'tcp-listen': { protocol: 'tcp', version: null },
  'tcp-l': { protocol: 'tcp', version: null },
  'tcp4-listen': { protocol: 'tcp', version: 4 },
  'tcp4-l': { protocol: 'tcp', version: 4 },
  'tcp6-listen': { protocol: 'tcp', version: 6 },
  'tcp6-l': { protocol: 'tcp', version: 6 },
  'udp-listen': { protocol: 'udp', version: null },
  'udp-l': { protocol: 'udp', version: null },
  'udp4-listen': { protocol: 'udp', version: 4 },
  'udp4-l': { protocol: 'udp', version: 4 },
  'udp6-listen': { protocol: 'udp', version: 6 },
  'udp6-l': { protocol: 'udp', version: 6 },
};

const CONNECT_TYPES: Readonly<Record<string, Protocol>> = {
  tcp: 'tcp',
  'tcp-connect': 'tcp',
  tcp4: 'tcp',
  'tcp4-connect': 'tcp',
  tcp6: 'tcp',
  'tcp6-connect': 'tcp',
  openssl: 'tcp',
  'openssl-connect': 'tcp',
  ssl: 'tcp',
  udp: 'udp',
  'udp-connect': 'udp',
  udp4: 'udp',
  'udp4-connect': 'udp',
  udp6: 'udp',
  'udp6-connect': 'udp',
};

const UNIX_CONNECT_TYPES = new Set(['unix-connect', 'unix-client', 'unix']);

export interface SocatAddress {
  /** Lower-cased address type (`tcp-listen`); null for the short forms without a keyword. */
  readonly type: string;
  readonly params: readonly string[];
  readonly options: ReadonlyMap<string, string>;
}

/** Splits `text` on `separator` outside square brackets. */
function splitOutsideBrackets(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/**
 * Reads one socat address; null for forms this reader does not take apart (dual `!!` addresses,
 * quoting and nesting), so that nothing is guessed from them.
 *
 * @example
 * parseSocatAddress('TCP-LISTEN:8080,fork,bind=127.0.0.1')
 * // { type: 'tcp-listen', params: ['8080'], options: Map { 'fork' => '', 'bind' => '127.0.0.1' } }
 */
export function parseSocatAddress(text: string): SocatAddress | null {
  // `-` is socat's short form of STDIO.
  if (text === '-') return { type: 'stdio', params: [], options: new Map() };
  if (/!!|["'{}()\\]/.test(text)) return null;
  const [head = '', ...optionTexts] = splitOutsideBrackets(text, ',');
  const [type = '', ...params] = splitOutsideBrackets(head, ':');
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(type)) return null;
  const options = new Map<string, string>();
  for (const option of optionTexts) {
    const eq = option.indexOf('=');
    options.set((eq === -1 ? option : option.slice(0, eq)).toLowerCase(), eq === -1 ? '' : option.slice(eq + 1));
  }
  return { type: type.toLowerCase(), params, options };
}

/** The two addresses after socat's options; null with a reason when the command line is not socat's. */
function addressesOf(args: readonly string[]): { ok: true; addresses: [string, string]; ipVersion: 4 | 6 | null } | { ok: false; reason: string } {
  let ipVersion: 4 | 6 | null = null;
  let i = 0;
  while (i < args.length) {
    const arg = args[i] ?? '';
    if (!arg.startsWith('-') || arg === '-') break;
    const valued = [...WITH_VALUE].find((o) => arg.startsWith(o) && !ALONE.test(arg));
    if (valued !== undefined) {
      i += arg === valued ? 2 : 1;
      continue;
    }
    if (!ALONE.test(arg)) return { ok: false, reason: `socat has no option ${arg}` };
    if (arg === '-4') ipVersion = 4;
    if (arg === '-6') ipVersion = 6;
    i++;
  }
  const rest = args.slice(i);
  const [first, second] = rest;
  if (rest.length !== 2 || first === undefined || second === undefined) return { ok: false, reason: `socat needs two addresses, the command line has ${rest.length}` };
  return { ok: true, addresses: [first, second], ipVersion };
}

function listenAddress(address: SocatAddress, listening: Listening, ipVersion: 4 | 6 | null): string | null {
  const bind = address.options.get('bind');
  if (bind !== undefined && bind !== '') return unbracket(bind);
  const version = listening.version ?? ipVersion;
  // Without a version the environment (SOCAT_DEFAULT_LISTEN_IP) decides: leave it to the socket table.
  return version === 4 ? '0.0.0.0' : version === 6 ? '::' : null;
}

function connectTarget(address: SocatAddress): ForwardTarget | null {
  if (UNIX_CONNECT_TYPES.has(address.type)) {
    const path = address.params[0];
    return path === undefined || path === '' ? null : { host: path, port: null, socketPath: path };
  }
  // TCP:host:port; a lone parameter `host:port` was already split on the colon.
  const [host, portText] = address.params;
  if (host === undefined || portText === undefined || address.params.length !== 2) return null;
  const port = portNumber(portText);
  return port === null || host === '' ? null : { host: unbracket(host), port };
}

/**
 * The forward of a socat process (argv with the program name first): which address listens and
 * where each connection goes. Nothing when neither address listens or the other is not a network
 * or Unix socket connect (EXEC, STDIO, …).
 *
 * @example
 * parseSocatArgv(['socat', 'TCP-LISTEN:8080,fork,reuseaddr', 'TCP:127.0.0.1:80'], 77)
 * // { ok: true, forwards: [{ kind: 'socat', listensOn: 'this-host', from: { address: null, port: 8080, protocol: 'tcp' },
 * //   to: { host: '127.0.0.1', port: 80 }, stop: 'kill 77' }] }
 */
export function parseSocatArgv(argv: readonly string[], pid: number | null = null): ArgvForwards {
  const read = addressesOf(argv.slice(1));
  if (!read.ok) return read;
  const [a, b] = read.addresses.map(parseSocatAddress);
  if (a === null || b === null || a === undefined || b === undefined) return { ok: false, reason: `socat address not understood: ${read.addresses.join(' ')}` };
  const aListens = LISTEN_TYPES[a.type];
  const bListens = LISTEN_TYPES[b.type];
  const [listenAddr, listening, other] = aListens !== undefined ? [a, aListens, b] : bListens !== undefined ? [b, bListens, a] : [null, null, null];
  if (listenAddr === null || listening === null || other === null) return { ok: true, forwards: [], notes: ['neither socat address listens on a port'] };
  const port = portNumber(listenAddr.params[0] ?? '');
  if (port === null || listenAddr.params.length !== 1) return { ok: false, reason: `socat listening address without a numeric port: ${listenAddr.type}:${listenAddr.params.join(':')}` };
  const to = connectTarget(other);
  const otherProtocol = CONNECT_TYPES[other.type];
  if (to === null || (otherProtocol === undefined && to.socketPath === undefined)) {
    return { ok: true, forwards: [], notes: [`socat listens on port ${port} and passes each connection to ${other.type.toUpperCase()}, not to a network address`] };
  }
  return {
    ok: true,
    forwards: [
      {
        kind: 'socat',
        listensOn: 'this-host',
        from: { address: listenAddress(listenAddr, listening, read.ipVersion), port, protocol: listening.protocol },
        to,
        stop: pid === null ? 'stop this socat process (kill its pid)' : `kill ${pid}`,
      },
    ],
  };
}
