import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { errnoCode } from '../errors.js';
import { capped, type Budget } from './fingerprint-budget.js';
import type { FingerprintDetail } from './fingerprint-classify.js';
import { http1Get, http2Get, type HttpFacts } from './fingerprint-http.js';

/** How a TLS handshake attempt ended. `bytes` are what the server sent, as it sent them. */
export type TlsOutcome =
  | { readonly kind: 'handshake'; readonly detail: FingerprintDetail }
  /** The server speaks TLS but refused this handshake (an alert: no shared cipher, client cert required, …). */
  | { readonly kind: 'refused'; readonly code: string }
  /** The server answered with something that is not TLS (an HTTP 400, a Redis error, …). */
  | { readonly kind: 'not-tls'; readonly code: string }
  | { readonly kind: 'closed' | 'reset' | 'silent'; readonly code: string | null };

/** OpenSSL's ways of saying "those bytes were not TLS": the server speaks something else. */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_RECORD_LAYER_FAILURE']);

/** ALPN offered: HTTP/2 first, so a server that can tells us; HTTP/1.1 for the rest. */
const ALPN = ['h2', 'http/1.1'];

/**
 * A stream in front of the socket, so TLS reads through it while the caller's SocketReader
 * still sees the raw bytes (TLS on the socket itself would take the handle and hide them).
 */
function passThrough(socket: net.Socket): Duplex {
  const duplex = new Duplex({
    read: () => undefined,
    write: (chunk: Buffer, _encoding, callback) => {
      if (socket.destroyed) callback(new Error('socket closed'));
      else socket.write(chunk, () => callback());
    },
    final: (callback) => {
      socket.end();
      callback();
    },
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => duplex.push(chunk));
  socket.on('end', () => duplex.push(null));
  socket.on('error', (error) => duplex.destroy(error));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

/**
 * A TLS handshake (ALPN h2, http/1.1; any certificate accepted: we read it, we do not trust it)
 * on a connected socket; on success, the version, the certificate's subject, the ALPN choice,
 * and — when the server speaks HTTP inside — one GET for its status and Server header.
 * Takes ownership of nothing: the caller destroys the socket.
 */
export async function tlsHandshake(socket: net.Socket, budget: Budget): Promise<TlsOutcome> {
  const servername = budget.host !== null && net.isIP(budget.host) === 0 ? budget.host : undefined;
  const secure = tls.connect({ socket: passThrough(socket), rejectUnauthorized: false, ALPNProtocols: ALPN, ...(servername === undefined ? {} : { servername }) });
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
    if (outcome.ok) return { kind: 'handshake', detail: await afterHandshake(secure, budget) };
    if (outcome.error === null) return { kind: 'silent', code: null };
    return failure(outcome.error);
  } finally {
    secure.destroy();
  }
}

function failure(error: Error): TlsOutcome {
  const code = errnoCode(error) ?? 'EUNKNOWN';
  if (NOT_TLS_CODES.has(code)) return { kind: 'not-tls', code };
  if (code === 'ECONNRESET') {
    // Node reports a FIN before the handshake as ECONNRESET too; only the message tells them apart.
    return /disconnected before secure TLS connection/i.test(error.message) ? { kind: 'closed', code } : { kind: 'reset', code };
  }
  if (code.startsWith('ERR_SSL_')) return { kind: 'refused', code };
  return { kind: 'closed', code };
}

/** Schemes whose servers speak HTTP inside TLS. Other TLS schemes (rediss, amqps) stop at the handshake. */
const HTTP_SCHEMES = new Set(['https', 'wss']);

async function afterHandshake(secure: tls.TLSSocket, budget: Budget): Promise<FingerprintDetail> {
  const certificate = secure.getPeerCertificate();
  const cn = certificate.subject?.CN;
  const alpn = typeof secure.alpnProtocol === 'string' && secure.alpnProtocol !== '' ? secure.alpnProtocol : null;
  const detail: FingerprintDetail = {
    ...(secure.getProtocol() ? { tlsVersion: secure.getProtocol() ?? '' } : {}),
    ...(typeof cn === 'string' ? { certSubject: cn } : {}),
    ...(alpn === null ? {} : { alpn }),
  };
  // Ask inside only where HTTP is the likely tenant: ALPN said so, the scheme is https/wss, or
  // nothing says otherwise (no scheme, no ALPN). A rediss:// or amqps:// port gets no GET.
  const speaksHttp = alpn === 'h2' || alpn === 'http/1.1' || (budget.scheme === null ? alpn === null : HTTP_SCHEMES.has(budget.scheme));
  if (!speaksHttp) return detail;
  // The user asked for https: wait for the answer as long as the budget allows. A guess: briefly.
  const until = budget.scheme !== null && HTTP_SCHEMES.has(budget.scheme) ? budget.deadline : capped(budget, Math.max(budget.silenceMs * 8, 200));
  const facts: HttpFacts | null = alpn === 'h2' ? await http2Get(secure, budget, true, until) : await http1Get(secure, budget, until);
  return facts === null ? detail : { ...detail, ...facts };
}
