import { printable } from '../collectors/fingerprint-classify.js';
import { SocketReader } from '../collectors/socket-reader.js';
import { connectTcp } from '../collectors/tcp-connect.js';

/** An HTTP/1.1 answer's head and the start of its body, as the cause checks need them. */
export interface HttpAnswer {
  readonly status: number;
  readonly reason: string;
  /** Header names lower-cased; a repeated header keeps its first value. */
  readonly headers: Readonly<Record<string, string>>;
  /** The start of the body (de-chunked), as UTF-8 text with control characters as spaces, at most `bodyBytes`. */
  readonly body: string;
}

export type HttpExchange =
  | { readonly ok: true; readonly answer: HttpAnswer; readonly localAddress: string | null }
  /** `connect`: the TCP connection failed (error is the errno); `no-answer`: no HTTP status line came back in time. */
  | { readonly ok: false; readonly stage: 'connect' | 'no-answer'; readonly error: string; readonly localAddress: string | null };

/**
 * Parses the head of an HTTP/1.x answer; null when the bytes do not start with a status line.
 *
 * @example
 * parseHttpHead(Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\nInvalid Host header'), 200);
 * // → { status: 403, reason: 'Forbidden', headers: { 'content-type': 'text/plain' }, body: 'Invalid Host header' }
 */
export function parseHttpHead(bytes: Buffer, bodyBytes: number): HttpAnswer | null {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  if (match?.[1] === undefined) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!Object.hasOwn(headers, name)) headers[name] = printable(Buffer.from(line.slice(colon + 1).trim(), 'latin1'));
  }
  const raw = end === -1 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  const chunked = /(^|,)\s*chunked\s*$/i.test(headers['transfer-encoding'] ?? '');
  const body = readableText(chunked ? dechunk(raw) : raw, bodyBytes);
  return { status: Number(match[1]), reason: match[2] ?? '', headers, body };
}

/**
 * The data of a chunked body (RFC 9112 §7.1) as far as it was read: size lines and their CRLFs
 * removed, extensions ignored, a cut-off last chunk kept as far as it goes.
 *
 * @example
 * dechunk(Buffer.from('5\r\nhello\r\n0\r\n\r\n')).toString(); // 'hello'
 */
export function dechunk(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  // Each round consumes a size line; bounded by the input's length.
  while (offset < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd === -1) break;
    const size = Number.parseInt(bytes.toString('latin1', offset, lineEnd).split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size <= 0) break;
    parts.push(bytes.subarray(lineEnd + 2, Math.min(bytes.length, lineEnd + 2 + size)));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** UTF-8 text with control characters (but newlines and tabs) as spaces: a message as its server wrote it. */
function readableText(bytes: Buffer, max: number): string {
  let text = '';
  for (const char of bytes.subarray(0, max).toString('utf8')) {
    const code = char.charCodeAt(0);
    text += (code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f ? ' ' : char;
  }
  return text;
}

/** The head is in and the body is whole (Content-Length), or long enough for us. */
function bodyComplete(bytes: Buffer, bodyBytes: number): boolean {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const received = bytes.length - end - 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(bytes.toString('latin1', 0, end))?.[1];
  return received >= Math.min(bodyBytes, length === undefined ? Infinity : Number(length));
}

/**
 * Sends one request on a fresh connection and reads the answer's head and the start of its body,
 * bounded in time and bytes. Never throws.
 *
 * @example
 * const x = await httpExchange('127.0.0.1', 3128, 'GET http://localhost:3000/ HTTP/1.1\r\nHost: localhost:3000\r\n\r\n', 1000);
 * if (x.ok) console.log(x.answer.status, x.answer.headers.via);
 */
export async function httpExchange(address: string, port: number, request: string, timeoutMs: number, bodyBytes = 2048): Promise<HttpExchange> {
  const deadline = performance.now() + timeoutMs;
  const connection = await connectTcp(address, port, timeoutMs);
  if (!connection.ok) return { ok: false, stage: 'connect', error: connection.error, localAddress: null };
  const { socket } = connection;
  const localAddress = socket.localAddress ?? null;
  try {
    const reader = new SocketReader(socket, 64 * 1024);
    socket.write(request);
    // The head, then as much body as fits: allow-list messages live in the body.
    await reader.until((bytes) => bodyComplete(bytes, bodyBytes), deadline);
    const answer = parseHttpHead(reader.bytes, bodyBytes);
    if (answer === null) return { ok: false, stage: 'no-answer', error: reader.errorCode ?? (reader.received === 0 ? 'ETIMEDOUT' : 'not HTTP'), localAddress };
    return { ok: true, answer, localAddress };
  } finally {
    socket.destroy();
  }
}
