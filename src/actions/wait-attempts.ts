import type { RequestOptions } from 'node:https';
import net from 'node:net';
import { errnoCode } from '../errors.js';
import { tryBind } from '../collectors/bind-check.js';
import { isSelfConnected } from '../collectors/self-connect.js';

/**
 * The outcome of one attempt on one address. `ok` answers the attempt's question (did it accept /
 * answer with a wanted status / bind). `answered` says a server is there even though it is not
 * ready (an HTTP 503, a TLS failure after the connect): the schedule then slows down.
 */
export interface AttemptOutcome {
  readonly ok: boolean;
  /** Short words for people: `accepted`, `refused`, `timed out`, `HTTP 503`, `in use`. */
  readonly reason: string;
  readonly answered: boolean;
}

/** An inclusive range of HTTP status codes that count as ready. */
export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

export interface HttpAttemptRequest {
  readonly address: string;
  readonly port: number;
  readonly tls: boolean;
  /** The Host header (and TLS server name): what the user named, not the address we dial. */
  readonly hostHeader: string;
  readonly serverName: string | null;
  readonly path: string;
  readonly status: readonly StatusRange[];
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

const SOCKET_ERROR_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
  // ::1 when IPv6 is disabled on lo, or an address no interface carries.
  EADDRNOTAVAIL: 'address not available',
  EACCES: 'blocked (EACCES)',
  EPERM: 'blocked by a firewall (EPERM)',
  EADDRINUSE: 'in use',
};

/**
 * Turns a socket error into the short words of a timeout report (`::1 refused`).
 *
 * @example
 * describeSocketError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })); // 'refused'
 */
export function describeSocketError(error: unknown): string {
  const code = errnoCode(error);
  if (code === undefined) return error instanceof Error ? error.message : String(error);
  if (code.startsWith('HPE_')) return `not HTTP (${code})`;
  return SOCKET_ERROR_WORDS[code] ?? code;
}

/** True when `status` lies in one of the ranges. */
export function statusMatches(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => status >= range.from && status <= range.to);
}

/**
 * One TCP connect. Accepted connections are closed at once; `stop` abandons an attempt in flight
 * (its outcome then no longer matters to anyone).
 */
export function tcpAttempt(address: string, port: number, timeoutMs: number, stop: AbortSignal): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const finish = (outcome: AttemptOutcome): void => {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
      socket.destroy();
      resolve(outcome);
    };
    const onStop = (): void => finish({ ok: false, reason: 'stopped', answered: false });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timed out', answered: false }), timeoutMs);
    stop.addEventListener('abort', onStop, { once: true });
    // A self-connection (no listener, the kernel picked the target port as our source) is a refusal.
    socket.once('connect', () => finish(isSelfConnected(socket) ? { ok: false, reason: 'refused', answered: false } : { ok: true, reason: 'accepted', answered: true }));
    socket.once('error', (error) => finish({ ok: false, reason: describeSocketError(error), answered: false }));
  });
}

/**
 * One HTTP(S) GET. Ready when the status is in one of the ranges. Certificates are not verified:
 * this asks "is the server up?", not "is it trustworthy?", and local dev servers use self-signed
 * certificates. The body is not read.
 */
export async function httpAttempt(request: HttpAttemptRequest, stop: AbortSignal): Promise<AttemptOutcome> {
  // Loaded on first use: https pulls in tls and crypto, which a plain TCP wait should not pay for.
  const client = request.tls ? await import('node:https') : await import('node:http');
  if (stop.aborted) return { ok: false, reason: 'stopped', answered: false };
  return new Promise((resolve) => {
    let connected = false;
    let settled = false;
    const options: RequestOptions = {
      host: request.address,
      port: request.port,
      path: request.path,
      method: 'GET',
      agent: false,
      headers: { host: request.hostHeader, 'user-agent': 'portdoctor-wait', accept: '*/*' },
      rejectUnauthorized: false,
      ...(request.serverName === null ? {} : { servername: request.serverName }),
    };
    const req = client.request(options);
    const finish = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(requestTimer);
      stop.removeEventListener('abort', onStop);
      req.destroy();
      resolve(outcome);
    };
    const onStop = (): void => finish({ ok: false, reason: 'stopped', answered: false });
    const connectTimer = setTimeout(() => {
      if (!connected) finish({ ok: false, reason: 'timed out', answered: false });
    }, request.connectTimeoutMs);
    const requestTimer = setTimeout(
      () => finish({ ok: false, reason: `no HTTP answer within ${request.requestTimeoutMs} ms`, answered: true }),
      request.requestTimeoutMs,
    );
    stop.addEventListener('abort', onStop, { once: true });
    req.once('socket', (socket) => {
      socket.once('connect', () => {
        connected = true;
      });
    });
    req.once('response', (response) => {
      const status = response.statusCode ?? 0;
      response.destroy();
      finish({ ok: statusMatches(status, request.status), reason: `HTTP ${status}`, answered: true });
    });
    req.once('error', (error) => finish({ ok: false, reason: describeSocketError(error), answered: connected }));
    req.end();
  });
}

/**
 * One TCP bind of `address:port`, released at once (the shared bind check: a real listen, `::`
 * dual-stack, SO_REUSEADDR as every server sets it, so TIME-WAIT leftovers do not count).
 */
export async function bindAttempt(address: string, port: number): Promise<AttemptOutcome> {
  const outcome = await tryBind({ address, port, protocol: 'tcp' });
  if (outcome.ok) return { ok: true, reason: 'bindable', answered: false };
  // On a bind, EACCES means a privileged port (below net.ipv4.ip_unprivileged_port_start).
  const reason = outcome.code === 'EACCES' ? 'needs privileges (EACCES)' : SOCKET_ERROR_WORDS[outcome.code] ?? outcome.code;
  return { ok: false, reason, answered: false };
}
