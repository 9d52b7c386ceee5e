/**
 * ssh processes that are alive and ask for a local port on their command line (`-L`, `-D`, and
 * their `-o LocalForward=`/`-o DynamicForward=` forms) but hold no listener on it. ssh binds its
 * forwards after it has logged in; when a bind fails ("bind [127.0.0.1]:8080: Address already in
 * use", "channel_setup_fwd_listener_tcpip: cannot listen to port: 8080", "Could not request local
 * forwarding.") it stays connected without the forward, unless ExitOnForwardFailure is set (it is
 * off by default). The doctor's socket inventory cannot show such an ssh: it holds no socket on
 * the port.
 */
import { isIP } from 'node:net';
import { isListening } from '../inventory.js';
import type { NamedProcess, NamedProcesses } from '../platform/types.js';
import type { Socket } from '../types.js';
import { sshListenRequests } from './ssh.js';
import { parseForwardSpec } from './ssh-spec.js';

/** One forward an ssh command line asks for on the port, whose ssh holds no listener there, or not all it asked for. */
export interface SshUnboundForward {
  readonly pid: number;
  readonly option: '-L' | '-D';
  /** The spec as written (`127.0.0.1:8080:db:5432`). */
  readonly spec: string;
  /** Where ssh was asked to listen: null → loopback (GatewayPorts no), `*` → every interface. */
  readonly listen: { readonly address: string | null; readonly port: number };
  /** Where ssh connects from the SSH server; null for a SOCKS proxy. */
  readonly to: { readonly host: string; readonly port: number } | { readonly socketPath: string } | null;
  /** The ssh destination (`deploy@bastion`). */
  readonly via: string;
  readonly argv: readonly string[];
  /**
   * The addresses this ssh does listen on for the port: empty when its forward failed altogether;
   * `::1` alone when ssh's default (loopback: 127.0.0.1 and ::1) could bind only IPv6 because
   * another program holds 127.0.0.1.
   */
  readonly holds: readonly string[];
  /** False when the arguments were split from one string at spaces (macOS). */
  readonly argvExact: boolean;
}

/** What the look at the running ssh clients found for one port. */
export interface SshUnboundForwards {
  readonly forwards: readonly SshUnboundForward[];
  /** ssh processes looked at (in our network namespace, or whose namespace could not be read). */
  readonly examined: number;
  /** Why some processes may have been missed (hidepid, unreadable entries); null when none were. */
  readonly partial: string | null;
  /** What listing the processes took, ms (set by the doctor, which times it). */
  readonly elapsedMs?: number;
}

/** ssh's bind address as it binds it: `` and `*` are every interface; none is loopback unless GatewayPorts. */
function bindAddress(host: string | null, gatewayPorts: boolean): string | null {
  if (host === null) return gatewayPorts ? '*' : null;
  return host === '' || host === '0.0.0.0' || host === '::' ? '*' : host === 'localhost' ? null : host;
}

function requestsOf(process: NamedProcess, port: number, holds: readonly string[]): SshUnboundForward[] {
  const requests = sshListenRequests(process.argv);
  if (requests === null) return [];
  const found: SshUnboundForward[] = [];
  const base = { pid: process.pid, via: requests.destination, argv: process.argv, argvExact: process.argvExact, holds };
  for (const spec of requests.local) {
    const parsed = parseForwardSpec(spec, 'local');
    if (parsed === null || parsed.listen.kind !== 'tcp' || parsed.listen.port !== port || parsed.connect === null) continue;
    const to = parsed.connect.kind === 'tcp' ? { host: parsed.connect.host ?? 'localhost', port: parsed.connect.port } : { socketPath: parsed.connect.path };
    found.push({ ...base, option: '-L', spec, listen: { address: bindAddress(parsed.listen.host, requests.gatewayPorts), port }, to });
  }
  for (const spec of requests.dynamic) {
    const parsed = parseForwardSpec(spec, 'dynamic');
    if (parsed === null || parsed.listen.kind !== 'tcp' || parsed.listen.port !== port) continue;
    found.push({ ...base, option: '-D', spec, listen: { address: bindAddress(parsed.listen.host, requests.gatewayPorts), port }, to: null });
  }
  return found;
}

/**
 * The forwards on `port` that running ssh clients ask for and do not hold: each ssh of our network
 * namespace (or of an unknown one) whose command line asks for the port and which holds no TCP
 * listener on it in `sockets` (the port's inventory) — or holds some but not every loopback
 * address its default bind asks for (`holds` says which it has).
 *
 * @example
 * const found = await os.processesNamed(['ssh']);
 * if (found.ok) unboundSshForwards(found.value, 8080, inventory.sockets).forwards[0]?.pid; // 4242
 */
export function unboundSshForwards(found: NamedProcesses, port: number, sockets: readonly Socket[]): SshUnboundForwards {
  const candidates = found.processes.filter((p) => p.sameNetns !== false);
  const heldBy = (pid: number): string[] => sockets.filter((s) => isListening(s) && s.protocol === 'tcp' && s.port === port && s.processes.some((p) => p.pid === pid)).map((s) => s.address);
  const forwards = candidates.flatMap((p) => {
    const holds = heldBy(p.pid);
    // A default (loopback) bind holds both loopbacks when it succeeded; any other bind is one socket (or a name we do not resolve).
    return requestsOf(p, port, holds).filter((f) => holds.length === 0 || (f.listen.address === null && !(holds.includes('127.0.0.1') && holds.includes('::1'))));
  });
  return { forwards, examined: candidates.length, partial: found.partial };
}

const isWildcard = (address: string): boolean => address === '0.0.0.0' || address === '::' || address === '*';
const isLoopback = (address: string): boolean => address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));

/**
 * Would a listener on `holder` have made ssh's bind of `bind` fail? A wildcard on either side
 * covers the other (Linux refuses a specific bind under a listening wildcard of its family, and
 * `::` may hold IPv4 too); ssh's default (loopback) binds 127.0.0.1 and ::1. A host name as bind
 * address is not resolved: it may be either, and counts as overlapping.
 *
 * @example
 * bindsOverlap(null, '127.0.0.1'); // true
 * bindsOverlap('192.0.2.1', '127.0.0.1'); // false
 */
export function bindsOverlap(bind: string | null, holder: string): boolean {
  if (isWildcard(holder) || bind === '*') return holder !== '0.0.0.0' || bind === null || bind === '*' || isIP(bind) !== 6;
  if (bind === null) return isLoopback(holder);
  if (isIP(bind) === 0) return true;
  return bind === holder;
}
