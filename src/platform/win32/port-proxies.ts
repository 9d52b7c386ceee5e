import type { SocketForward } from '../../forwarders/types.js';
import type { ProcessInfo, Socket } from '../../types.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { UnreadSource } from '../types.js';
import { parsePortProxyRules, portProxyRuleFor, type PortProxyRule } from './portproxy.js';
import { consoleText, failureText, NETSH_PORTPROXY, runSource, type CodePageRead } from './sources.js';

/**
 * The sockets the IP Helper service (iphlpsvc, in a svchost) holds for `netsh interface
 * portproxy` rules, joined with the rules: a listener that a rule names gets a `forward` to the
 * rule's connect address, the way docker-proxy's does; one that no rule names is not a port proxy
 * (iphlpsvc shares its svchost with other services); and where the rules could not be read, the
 * listener keeps the port-proxy label with `to: null` and says it is unconfirmed.
 */

/** The `forwarder` of a port proxy's forward (SocketForward.forwarder). */
export const PORTPROXY_FORWARDER = 'netsh-portproxy';
/** The service that listens for every port proxy rule. */
const IP_HELPER = 'iphlpsvc';

/** The rules, or why they are unknown. */
export type PortProxyRead = { readonly ok: true; readonly rules: readonly PortProxyRule[] } | { readonly ok: false; readonly reason: string };

const hostsIpHelper = (proc: ProcessInfo): boolean => proc.details?.os === 'win32' && (proc.details.services ?? []).some((s) => s.toLowerCase() === IP_HELPER);

/** A listening TCP socket whose holder hosts the IP Helper service: the ones a rule may explain. */
function isIpHelperListener(socket: Socket): boolean {
  return socket.protocol === 'tcp' && socket.state === 'LISTEN' && socket.processes.some(hostsIpHelper);
}

/**
 * The command that removes a rule (elevated). A rule added without `listenaddress` shows `*`
 * and is deleted without one.
 *
 * @example
 * portProxyDeleteCommand({ kind: 'v4tov4', listenAddress: '0.0.0.0', listenPort: 5000, … });
 * // 'netsh interface portproxy delete v4tov4 listenport=5000 listenaddress=0.0.0.0'
 */
export function portProxyDeleteCommand(rule: Pick<PortProxyRule, 'kind' | 'listenAddress' | 'listenPort'>): string {
  return `netsh interface portproxy delete ${rule.kind} listenport=${rule.listenPort}${rule.listenAddress === '*' ? '' : ` listenaddress=${rule.listenAddress}`}`;
}

const DESCRIPTION = 'the IP Helper service (iphlpsvc), listening for a netsh interface portproxy rule and connecting each connection on to its connect address';

/**
 * The forward of one socket of the IP Helper service, from the rules as read; null when the
 * rules were read and none listens on it.
 *
 * @example
 * portProxyForward({ ok: true, rules }, socket)?.to; // { host: '172.22.123.246', port: 5000 }
 */
export function portProxyForward(read: PortProxyRead, socket: Pick<Socket, 'protocol' | 'family' | 'address' | 'port'>): SocketForward | null {
  const base = { forwarder: PORTPROXY_FORWARDER, source: [NETSH_PORTPROXY.key], killable: false } as const;
  const unconfirmed = (why: string): SocketForward => ({
    ...base,
    description: `${DESCRIPTION} (unconfirmed)`,
    to: null,
    stop: `list the rules with '${[NETSH_PORTPROXY.command, ...NETSH_PORTPROXY.args].join(' ')}' and delete the one on port ${socket.port} (elevated)`,
    unread: `unconfirmed port proxy: ${why}; the svchost that holds the port hosts the IP Helper service, which listens for port proxy rules, but no rule was read that names ${socket.address}:${socket.port}`,
  });
  if (!read.ok) return unconfirmed(read.reason);
  const match = portProxyRuleFor(read.rules, socket);
  if (match.kind === 'none') return null;
  if (match.kind === 'unsure') return unconfirmed(match.reason);
  const { rule } = match;
  return { ...base, description: `${DESCRIPTION} (${rule.kind})`, to: { host: rule.connectAddress, port: rule.connectPort }, stop: portProxyDeleteCommand(rule) };
}

/**
 * Reads the rules once (key `netsh-portproxy`), decoded with the console's code page.
 *
 * @example
 * const read = await readPortProxies(reader, codePage); // { ok: true, rules: [...] }
 */
export async function readPortProxies(reader: SourceReader, codePage: () => Promise<CodePageRead>): Promise<{ read: PortProxyRead; unread: UnreadSource[] }> {
  const run = await runSource(reader, NETSH_PORTPROXY.key, NETSH_PORTPROXY, { timeoutMs: 5000 });
  const effect = 'svchost listeners of the IP Helper service are labelled port proxies without their rule or destination (unconfirmed)';
  if (!run.ok) return { read: { ok: false, reason: `${NETSH_PORTPROXY.key}: ${failureText(run)}` }, unread: [{ source: NETSH_PORTPROXY.key, reason: failureText(run), effect }] };
  // The rules are read by their digits, dots, dashes and the word "ipv4"/"ipv6": a doubtful code page changes none of them.
  const parsed = parsePortProxyRules(consoleText(run, await codePage()).text);
  if (!parsed.ok) return { read: { ok: false, reason: `${NETSH_PORTPROXY.key} could not be read (${parsed.reason})` }, unread: [{ source: NETSH_PORTPROXY.key, reason: parsed.reason, effect }] };
  return { read: { ok: true, rules: parsed.value }, unread: [] };
}

/**
 * The sockets with `forward` set on the IP Helper service's listeners; the rules are read only
 * when such a listener is among them.
 *
 * @example
 * const { sockets } = await withPortProxies(sockets, () => readPortProxies(reader, codePage));
 */
export async function withPortProxies(sockets: readonly Socket[], read: () => Promise<{ read: PortProxyRead; unread: UnreadSource[] }>): Promise<{ sockets: Socket[]; unread: UnreadSource[] }> {
  if (!sockets.some(isIpHelperListener)) return { sockets: [...sockets], unread: [] };
  const rules = await read();
  const joined = sockets.map((socket) => {
    if (!isIpHelperListener(socket)) return socket;
    const forward = portProxyForward(rules.read, socket);
    return forward === null ? socket : { ...socket, forward };
  });
  return { sockets: joined, unread: rules.unread };
}
