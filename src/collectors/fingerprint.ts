import net from 'node:net';
import tls from 'node:tls';
import { errnoCode } from '../errors.js';
import {
  classifyReply,
  expectedProtocol,
  findMismatch,
  probeFor,
  replyComplete,
  schemeProtocol,
  serverSpeaksFirst,
  type AppProtocol,
  type Classification,
  type FingerprintDetail,
  type ProbeKind,
  type ProtocolMismatch,
} from './fingerprint-classify.js';
import { SocketReader } from './socket-reader.js';
import { connectTcp } from './tcp-connect.js';

export type { AppProtocol, FingerprintDetail, ProbeKind, ProtocolMismatch } from './fingerprint-classify.js';

/** What answers on an open port. */
export interface Fingerprint {
  readonly protocol: AppProtocol;
  readonly detail: FingerprintDetail;
  /** The server said something (a byte, or a completed TLS handshake). */
  readonly answered: boolean;
  /** The server closed the connection (FIN) without sending a single byte. */
  readonly closedImmediately: boolean;
  /** The server reset the connection (RST) before or while we read. */
  readonly reset: boolean;
  /** The probe we sent after waiting for a banner ('none': the banner was enough, or nothing is safe to send). */
  readonly probeSent: ProbeKind;
  /** The scheme promised one protocol and another answered (https → plain HTTP, http → TLS, …). */
  readonly mismatch: ProtocolMismatch | null;
  /** Errno code of a connection failure or socket error, else null. */
  readonly error: string | null;
}

export interface FingerprintOptions {
  /** URL scheme of the target (`http`, `https`, `redis`, …): chooses the probe and enables mismatch checks. */
  readonly scheme?: string | null;
  /** HTTP path to request (default `/`). */
  readonly path?: string | null;
  /** Host name for the HTTP Host header and TLS SNI (default: the address). */
  readonly host?: string | null;
  /** Whole budget for connecting, waiting and reading. Default 800 ms. */
  readonly timeoutMs?: number;
  /** How long to wait for a server-speaks-first banner before probing. Default: 0 when the scheme promises a client-speaks-first protocol, 40 ms when the port suggests one, else 120 ms. */
  readonly bannerWaitMs?: number;
  /** Read at most this many bytes. Default 16 KiB. */
  readonly maxBytes?: number;
}

interface Budget {
  readonly deadline: number;
  readonly maxBytes: number;
  readonly bannerWaitMs: number;
  readonly expected: AppProtocol;
  readonly scheme: string | null;
  readonly path: string;
  readonly host: string | null;
  /** The peer, for the Host header and for a second (plain) connection after a failed TLS handshake. */
  readonly address: string;
  readonly port: number;
}

const DEFAULT_TIMEOUT_MS = 800;
/**
 * How long to listen for a server-speaks-first banner before sending a probe. A URL scheme of a
 * client-speaks-first protocol (http, https, redis, postgres, memcached) needs no wait at all;
 * a guess from the port number, little; an unknown port a short look (an SSH or SMTP server
 * greets within a few ms on loopback). The wait dominates a healthy doctor run, hence the care.
 */
const BANNER_WAIT_UNKNOWN_MS = 120;
const BANNER_WAIT_GUESSED_MS = 40;
const DEFAULT_MAX_BYTES = 16 * 1024;
/** After an HTTP error status, give the body a moment: nginx's "plain HTTP … HTTPS port" lives there. */
const HTTP_BODY_GRACE_MS = 100;

/**
 * Identifies what answers on address:port, read-only and bounded in time and bytes: waits briefly
 * for a banner (SSH, SMTP, FTP, MySQL), else sends one safe probe chosen by the scheme or port
 * (HTTP GET, TLS ClientHello, Redis PING, PostgreSQL SSLRequest, memcached `version`). Never sends
 * anything that changes state. Never throws: a refused connection comes back with `error` set.
 *
 * @example
 * const fp = await fingerprint('127.0.0.1', 8443, { scheme: 'https', host: 'localhost' });
 * // → { protocol: 'tls', detail: { tlsVersion: 'TLSv1.3', certSubject: 'localhost', httpStatus: 200 }, … }
 * if (fp.mismatch) console.log(fp.mismatch.message);
 */
export async function fingerprint(address: string, port: number, options: FingerprintOptions = {}): Promise<Fingerprint> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const connection = await connectTcp(address, port, timeoutMs);
  // A reset can beat the connect callback: the kernel completed the handshake, the RST followed.
  if (!connection.ok) return { ...silence('none'), reset: connection.error === 'ECONNRESET', error: connection.error };
  const remaining = Math.max(0, timeoutMs - connection.latencyMs);
  return fingerprintSocket(connection.socket, port, { ...options, timeoutMs: remaining });
}

/**
 * The fingerprint on a socket that is already connected (the probe's own connection, so the
 * port is not connected to twice). Takes ownership: the socket is destroyed when this resolves.
 */
export async function fingerprintSocket(socket: net.Socket, port: number, options: FingerprintOptions = {}): Promise<Fingerprint> {
  const budget: Budget = {
    deadline: performance.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    bannerWaitMs: options.bannerWaitMs ?? bannerWaitFor(options.scheme ?? null, port),
    expected: expectedProtocol(options.scheme, port),
    scheme: options.scheme ?? null,
    path: safePath(options.path),
    host: options.host ?? null,
    address: socket.remoteAddress ?? '127.0.0.1',
    port,
  };
  try {
    const reader = new SocketReader(socket, budget.maxBytes);
    // Speaks-first protocols get the whole budget to greet; others a short look for a surprise banner.
    const bannerDeadline = serverSpeaksFirst(budget.expected)
      ? budget.deadline
      : Math.min(budget.deadline, performance.now() + budget.bannerWaitMs);
    await reader.until((bytes) => replyComplete(bytes, 'none'), bannerDeadline);
    if (reader.received > 0) {
      await reader.until((bytes) => replyComplete(bytes, 'none'), budget.deadline);
      return fromReader(reader, 'none', budget);
    }
    if (reader.ended) return fromReader(reader, 'none', budget);
    const probe = probeFor(budget.expected);
    if (probe === 'none') return fromReader(reader, 'none', budget);
    if (probe === 'tls') {
      reader.detach();
      return await tlsFingerprint(socket, budget);
    }
    const result = await sendAndRead(socket, reader, probe, budget);
    if (probe === 'http' && result.closedImmediately) {
      // Node's https server (and others) hang up on plain HTTP without a word: ask in TLS.
      const secure = await tlsOnFreshConnection(budget);
      if (secure !== null) return secure;
    }
    return result;
  } finally {
    socket.destroy();
  }
}

function bannerWaitFor(scheme: string | null, port: number): number {
  const promised = schemeProtocol(scheme);
  if (promised !== null) return serverSpeaksFirst(promised) ? DEFAULT_TIMEOUT_MS : 0;
  const guessed = expectedProtocol(null, port);
  return guessed === 'unknown' ? BANNER_WAIT_UNKNOWN_MS : BANNER_WAIT_GUESSED_MS;
}

async function sendAndRead(socket: net.Socket, reader: SocketReader, probe: Exclude<ProbeKind, 'none' | 'tls'>, budget: Budget): Promise<Fingerprint> {
  socket.write(probeBytes(probe, budget));
  await reader.until((bytes) => replyComplete(bytes, probe), budget.deadline);
  const bytes = reader.bytes;
  if (probe === 'http' && /^HTTP\/\S+ [45]/.test(bytes.toString('latin1', 0, 16)) && !reader.ended) {
    const grace = Math.min(budget.deadline, performance.now() + HTTP_BODY_GRACE_MS);
    await reader.until((all) => /plain HTTP request was sent to HTTPS port/i.test(all.toString('latin1')), grace);
  }
  return fromReader(reader, probe, budget);
}

function fromReader(reader: SocketReader, sent: ProbeKind, budget: Budget): Fingerprint {
  const answered = reader.received > 0;
  const classification: Classification = answered ? classifyReply(reader.bytes, sent, budget.expected) : { protocol: 'unknown', detail: {} };
  return {
    protocol: classification.protocol,
    detail: classification.detail,
    answered,
    closedImmediately: !answered && reader.ended && !reader.reset,
    reset: reader.reset,
    probeSent: sent,
    mismatch: answered ? findMismatch(budget.scheme, classification.protocol) : null,
    error: reader.errorCode,
  };
}

function silence(sent: ProbeKind): Fingerprint {
  return { protocol: 'unknown', detail: {}, answered: false, closedImmediately: false, reset: false, probeSent: sent, mismatch: null, error: null };
}

/** A URL path is already percent-encoded; anything with spaces or control bytes falls back to `/`. */
function safePath(path: string | null | undefined): string {
  // Anything at or below a space (controls, CR/LF) or DEL would break the request line.
  if (path === null || path === undefined || !path.startsWith('/') || [...path].some((c) => c <= ' ' || c === '\u007f')) return '/';
  return path;
}

function hostHeader(budget: Budget): string {
  const host = budget.host ?? budget.address;
  return host.includes(':') ? `[${host}]:${budget.port}` : `${host}:${budget.port}`;
}

function httpRequest(budget: Budget): string {
  // GET, not HEAD: nginx explains "plain HTTP request was sent to HTTPS port" only in a body, and
  // some frameworks answer HEAD with 405. The read is capped (maxBytes), so a big body costs nothing.
  return `GET ${budget.path} HTTP/1.1\r\nHost: ${hostHeader(budget)}\r\nUser-Agent: portdoctor\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
}

/** PostgreSQL SSLRequest: int32 length 8, int32 code 80877103. Asks a question, opens no session. */
const POSTGRES_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

function probeBytes(probe: Exclude<ProbeKind, 'none' | 'tls'>, budget: Budget): Buffer | string {
  switch (probe) {
    case 'http':
      return httpRequest(budget);
    case 'redis':
      return 'PING\r\n';
    case 'postgres':
      return POSTGRES_SSL_REQUEST;
    case 'memcached':
      return 'version\r\n';
  }
}

/** OpenSSL's ways of saying "those bytes were not TLS": the server speaks something else. */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_RECORD_LAYER_FAILURE']);

async function tlsFingerprint(socket: net.Socket, budget: Budget): Promise<Fingerprint> {
  const servername = budget.host !== null && net.isIP(budget.host) === 0 ? budget.host : undefined;
  const secure = tls.connect({ socket, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(servername === undefined ? {} : { servername }) });
  // A second error (after the one we wait for) must not become an unhandled 'error' event.
  secure.on('error', () => undefined);
  try {
    const outcome = await new Promise<{ ok: true } | { ok: false; error: Error | null }>((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: null }), Math.max(0, budget.deadline - performance.now()));
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        resolve({ ok: true });
      });
      secure.once('error', (error) => {
        clearTimeout(timer);
        resolve({ ok: false, error });
      });
    });
    if (outcome.ok) return await afterHandshake(secure, budget);
    if (outcome.error === null) return silence('tls');
    return await tlsFailure(outcome.error, budget);
  } finally {
    secure.destroy();
  }
}

async function afterHandshake(secure: tls.TLSSocket, budget: Budget): Promise<Fingerprint> {
  const certificate = secure.getPeerCertificate();
  const cn = certificate.subject?.CN;
  let detail: FingerprintDetail = {
    ...(secure.getProtocol() ? { tlsVersion: secure.getProtocol() ?? '' } : {}),
    ...(typeof cn === 'string' ? { certSubject: cn } : {}),
    ...(typeof secure.alpnProtocol === 'string' && secure.alpnProtocol !== '' ? { alpn: secure.alpnProtocol } : {}),
  };
  // https/wss: one HEAD inside TLS tells the status too. Other TLS schemes (rediss) stop at the handshake.
  if (budget.scheme === 'https' || budget.scheme === 'wss') {
    const reader = new SocketReader(secure, budget.maxBytes);
    secure.write(httpRequest(budget));
    await reader.until((bytes) => replyComplete(bytes, 'http'), budget.deadline);
    const inner = classifyReply(reader.bytes, 'http', 'http');
    if (inner.protocol === 'http') {
      const { httpStatus, httpReason, server } = inner.detail;
      detail = { ...detail, ...(httpStatus === undefined ? {} : { httpStatus }), ...(httpReason === undefined ? {} : { httpReason }), ...(server === undefined ? {} : { server }) };
    }
  }
  return { protocol: 'tls', detail, answered: true, closedImmediately: false, reset: false, probeSent: 'tls', mismatch: findMismatch(budget.scheme, 'tls'), error: null };
}

async function tlsFailure(error: Error, budget: Budget): Promise<Fingerprint> {
  const code = errnoCode(error) ?? 'EUNKNOWN';
  if (NOT_TLS_CODES.has(code)) {
    // The reply was not TLS; TLS consumed it, so ask again in plain HTTP on a fresh connection.
    const plain = await plainHttp(budget);
    if (plain !== null) return plain;
    return { ...silence('tls'), answered: true, error: code };
  }
  if (code === 'ECONNRESET') {
    // Node reports a FIN before the handshake as ECONNRESET too; only the message tells them apart.
    const finOnly = /disconnected before secure TLS connection/i.test(error.message);
    return { ...silence('tls'), closedImmediately: finOnly, reset: !finOnly, error: code };
  }
  if (code.startsWith('ERR_SSL_')) {
    // A TLS alert: the server speaks TLS but refused this handshake (no shared cipher, client cert required, …).
    return { ...silence('tls'), protocol: 'tls', answered: true, detail: { tlsError: code }, mismatch: findMismatch(budget.scheme, 'tls'), error: code };
  }
  return { ...silence('tls'), error: code };
}

/** Opens a second connection to the same peer; null when it does not connect in the time left. */
async function connectAgain(budget: Budget): Promise<net.Socket | null> {
  const remaining = budget.deadline - performance.now();
  if (remaining <= 0) return null;
  const connection = await connectTcp(budget.address, budget.port, remaining);
  return connection.ok ? connection.socket : null;
}

/** A TLS handshake on a fresh connection, kept only when it succeeds (a TLS server after all). */
async function tlsOnFreshConnection(budget: Budget): Promise<Fingerprint | null> {
  const socket = await connectAgain(budget);
  if (socket === null) return null;
  try {
    const result = await tlsFingerprint(socket, budget);
    return result.protocol === 'tls' ? { ...result, probeSent: 'http' } : null;
  } finally {
    socket.destroy();
  }
}

async function plainHttp(budget: Budget): Promise<Fingerprint | null> {
  const socket = await connectAgain(budget);
  if (socket === null) return null;
  try {
    const reader = new SocketReader(socket, budget.maxBytes);
    const result = await sendAndRead(socket, reader, 'http', { ...budget, expected: 'http' });
    return result.answered ? { ...result, probeSent: 'tls', mismatch: findMismatch(budget.scheme, result.protocol) } : null;
  } finally {
    socket.destroy();
  }
}
