import net from 'node:net';
import { formatTarget, parseTarget, type Target } from '../target.js';
import type { Family, Protocol } from '../types.js';
import { fingerprintSocket, type AppProtocol, type Fingerprint } from './fingerprint.js';
import { attemptUdp } from './probe-udp.js';
import { isAnswered, statusOfConnectError, type ProbeStatus } from './probe-status.js';
import { resolveHost, type Resolution } from './resolution.js';
import { connectTcp } from './tcp-connect.js';

export type { ProbeStatus } from './probe-status.js';

/** One address tried. `latencyMs` is the connect time (or time to the refusal), null on timeout. */
export interface ProbeAttempt {
  readonly address: string;
  readonly family: Family;
  readonly status: ProbeStatus;
  readonly latencyMs: number | null;
  /** Errno code (ECONNREFUSED, ETIMEDOUT, ECONNRESET, …), null when the attempt succeeded. */
  readonly error: string | null;
  /** What answered, for TCP attempts that connected (null otherwise, or when fingerprinting is off). */
  readonly fingerprint: Fingerprint | null;
  /** UDP only: the first bytes of a reply, printable. */
  readonly reply?: string;
  /** TCP attempts that connected: our side's address, i.e. the client address the server saw. */
  readonly localAddress?: string;
}

/**
 * The client's view of a target. The top-level fields describe the address a client would end up
 * using: the first (in the client's order) that answered — open, silent or reset — else the first
 * tried.
 */
export interface ProbeResult {
  /** The target as people write it (`localhost:3000`, `port 62893`). */
  readonly target: string;
  readonly host: string | null;
  readonly port: number;
  /** tcp or udp. */
  readonly transport: Protocol;
  readonly status: ProbeStatus;
  readonly latencyMs: number | null;
  /** The address the top-level status describes, null when there was nothing to try. */
  readonly address: string | null;
  /** The application protocol that answered there, null when nothing was accepted. */
  readonly protocol: AppProtocol | null;
  readonly fingerprint: Fingerprint | null;
  /** Every address tried, in the client's order. */
  readonly attempts: readonly ProbeAttempt[];
  /** How the host resolved (`localhost` for a bare port); null for an IP literal. */
  readonly resolution: Resolution | null;
  /** A caveat worth showing (UDP's ambiguity), else null. */
  readonly note: string | null;
}

export interface ProbeOptions {
  /** Per-attempt budget, used for connecting and again for fingerprinting. Default 1000 ms. */
  readonly timeoutMs?: number;
  /** Identify what answers on open TCP ports. Default true. */
  readonly fingerprint?: boolean;
  /** When the target is a string: probe UDP instead of TCP. */
  readonly udp?: boolean;
}

const DEFAULT_TIMEOUT_MS = 1000;
const LOOPBACKS = ['127.0.0.1', '::1'] as const;

const UDP_NOTE =
  'UDP has no handshake: "refused" is an ICMP port-unreachable, "silent" means no reply and no ICMP — ' +
  'a bound socket that ignored an empty datagram, or a firewall that dropped it.';

function familyOf(address: string): Family {
  return net.isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/**
 * The addresses to try, in the client's order. A bare port means "whatever localhost is":
 * localhost's addresses as Node would try them, then 127.0.0.1 and ::1 if not among them.
 */
async function addressesFor(target: Target): Promise<{ addresses: string[]; resolution: Resolution | null }> {
  if (target.host !== null && net.isIP(target.host) !== 0) return { addresses: [target.host], resolution: null };
  const resolution = await resolveHost(target.host ?? 'localhost');
  const candidates = [...resolution.nodeOrder, ...resolution.addresses.map((entry) => entry.address)];
  if (target.host === null) candidates.push(...LOOPBACKS);
  return { addresses: [...new Set(candidates)], resolution };
}

async function attemptTcp(address: string, target: Target, options: Required<Omit<ProbeOptions, 'udp'>>): Promise<ProbeAttempt> {
  const family = familyOf(address);
  const connection = await connectTcp(address, target.port, options.timeoutMs);
  if (!connection.ok) {
    const status = statusOfConnectError(connection.error);
    return { address, family, status, latencyMs: status === 'timeout' ? null : connection.latencyMs, error: connection.error, fingerprint: null };
  }
  const { socket, latencyMs } = connection;
  const local = socket.localAddress === undefined ? {} : { localAddress: socket.localAddress };
  if (!options.fingerprint) {
    socket.destroy();
    return { address, family, status: 'open', latencyMs, error: null, fingerprint: null, ...local };
  }
  const fp = await fingerprintSocket(socket, target.port, {
    scheme: target.scheme,
    path: target.path,
    host: target.host,
    timeoutMs: options.timeoutMs,
    connectLatencyMs: latencyMs,
  });
  const status: ProbeStatus = fp.answered ? 'open' : fp.reset ? 'reset' : 'silent';
  return { address, family, status, latencyMs, error: status === 'reset' ? (fp.error ?? 'ECONNRESET') : null, fingerprint: fp, ...local };
}

async function attemptUdpAt(address: string, target: Target, timeoutMs: number): Promise<ProbeAttempt> {
  const family = familyOf(address);
  const outcome = await attemptUdp(address, family, target.port, timeoutMs);
  return {
    address,
    family,
    status: outcome.status,
    latencyMs: outcome.latencyMs,
    error: outcome.error,
    fingerprint: null,
    ...(outcome.reply === null ? {} : { reply: outcome.reply }),
  };
}

/**
 * Connects to a target the way a client would — every address the name resolves to, concurrently,
 * each with a timeout — and says what happened: open, refused, timeout, unreachable, reset or
 * silent, with the connect latency and, on open TCP ports, what protocol answered. A bare port
 * probes localhost's addresses plus 127.0.0.1 and ::1. Throws only for a malformed target string.
 *
 * @example
 * const result = await probe('localhost:3000', { timeoutMs: 500 });
 * // → { status: 'open', address: '::1', latencyMs: 0.2, protocol: 'http', attempts: [...], … }
 * if (result.status === 'refused') console.log('nothing listens on', result.address);
 */
export async function probe(target: Target | string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const parsed = typeof target === 'string' ? parseTarget(target, options.udp === true ? { udp: true } : {}) : target;
  const settings = { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, fingerprint: options.fingerprint ?? true };
  const { addresses, resolution } = await addressesFor(parsed);
  const attempts = await Promise.all(
    addresses.map((address) => (parsed.protocol === 'udp' ? attemptUdpAt(address, parsed, settings.timeoutMs) : attemptTcp(address, parsed, settings))),
  );
  const chosen = attempts.find((attempt) => isAnswered(attempt.status)) ?? attempts[0];
  const note = parsed.protocol === 'udp' ? UDP_NOTE : null;
  const accepted = chosen !== undefined && (chosen.status === 'open' || chosen.status === 'silent');
  // Field order is the JSON's reading order: the answer first, the evidence after.
  return {
    // No address at all means the name did not resolve (or resolved to nothing): unreachable.
    status: chosen?.status ?? 'unreachable',
    latencyMs: chosen?.latencyMs ?? null,
    protocol: accepted ? (chosen.fingerprint?.protocol ?? null) : null,
    target: formatTarget(parsed),
    host: parsed.host,
    port: parsed.port,
    transport: parsed.protocol,
    address: chosen?.address ?? null,
    fingerprint: chosen?.fingerprint ?? null,
    attempts,
    resolution,
    note,
  };
}
