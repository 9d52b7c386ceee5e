import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import type net from 'node:net';
import { classifyReply, printable, type FingerprintDetail } from './fingerprint-classify.js';
import { connectAgain, hostHeader, httpRequest, type Budget } from './fingerprint-budget.js';
import { productOfServerHeader } from './fingerprint-product.js';
import { SocketReader } from './socket-reader.js';

/** The HTTP facts of a response head worth keeping: status, reason, Server (and what it names). */
export type HttpFacts = Pick<FingerprintDetail, 'httpStatus' | 'httpReason' | 'server' | 'product' | 'version' | 'grpc'>;

/**
 * One HTTP/1.1 GET on an open socket (plain or TLS), read up to the end of the head or `until`.
 * Null when no HTTP response came.
 */
export async function http1Get(socket: net.Socket, budget: Budget, until: number): Promise<HttpFacts | null> {
  const reader = new SocketReader(socket, budget.maxBytes);
  socket.write(httpRequest(budget));
  await reader.until((bytes) => bytes.includes('\r\n\r\n'), until);
  reader.detach();
  const inner = classifyReply(reader.bytes, 'http', 'http');
  if (inner.protocol !== 'http') return null;
  const { httpStatus, httpReason, server, product, version } = inner.detail;
  return {
    ...(httpStatus === undefined ? {} : { httpStatus }),
    ...(httpReason === undefined ? {} : { httpReason }),
    ...(server === undefined ? {} : { server }),
    ...(product === undefined ? {} : { product }),
    ...(version === undefined ? {} : { version }),
  };
}

/**
 * Asks for a WebSocket upgrade of the probed path on a fresh connection (RFC 6455 §4.1): true
 * when the server switches protocols (101), false when it answers anything else, null when it
 * does not answer in time. The connection is dropped right after the status line: no frame is
 * ever sent.
 */
export async function websocketUpgrade(budget: Budget, until: number): Promise<boolean | null> {
  const connection = await connectAgain(budget);
  if (!connection.ok) return null;
  const { socket } = connection;
  try {
    const reader = new SocketReader(socket, budget.maxBytes);
    const key = randomBytes(16).toString('base64');
    socket.write(httpRequest(budget, `Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n`));
    await reader.until((bytes) => bytes.includes('\r\n'), until);
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(reader.bytes.toString('latin1', 0, 32))?.[1];
    return status === undefined ? null : status === '101';
  } finally {
    socket.destroy();
  }
}

/**
 * One HTTP/2 GET on a connection that speaks HTTP/2 (prior knowledge on plain TCP, or TLS with
 * ALPN h2), through Node's own client: status, Server, and whether it is gRPC. Null when no
 * response head came before `until`.
 */
export function http2Get(socket: net.Socket, budget: Budget, secure: boolean, until: number): Promise<HttpFacts | null> {
  return new Promise((resolve) => {
    const authority = `${secure ? 'https' : 'http'}://${hostHeader(budget)}`;
    const session = http2.connect(authority, { createConnection: () => socket });
    const finish = (facts: HttpFacts | null): void => {
      clearTimeout(timer);
      session.destroy();
      resolve(facts);
    };
    const timer = setTimeout(() => finish(null), Math.max(0, until - performance.now()));
    session.on('error', () => finish(null));
    const request = session.request({ ':method': 'GET', ':path': budget.path, 'user-agent': 'portdoctor' });
    request.on('error', () => finish(null));
    request.on('response', (headers) => {
      const status = Number(headers[':status']);
      const server = typeof headers.server === 'string' ? printable(Buffer.from(headers.server, 'latin1')) : undefined;
      const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : '';
      const named = server === undefined ? null : productOfServerHeader(server);
      finish({
        ...(Number.isInteger(status) ? { httpStatus: status } : {}),
        ...(server === undefined ? {} : { server }),
        ...(named === null ? {} : { product: named.product, ...(named.version === undefined ? {} : { version: named.version }) }),
        ...(contentType.startsWith('application/grpc') ? { grpc: true } : {}),
      });
    });
    request.end();
  });
}
