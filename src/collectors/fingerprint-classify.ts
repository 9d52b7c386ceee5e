/**
 * Pure half of the fingerprint: which application protocol a scheme or port suggests, and what a
 * server's first bytes say it is. No I/O here, so every rule is tested on captured bytes.
 */
import { isHttp2Settings, http2FrameComplete } from './wire/http2.js';
import { amqpFrameComplete, parseAmqpHeader, parseConnectionStart } from './wire/amqp.js';
import { mongoMessageComplete, parseMongoReply } from './wire/mongodb.js';
import { parseRedisInfo } from './wire/redis.js';
import { productOfMysqlVersion, productOfServerHeader, productOfSshBanner, productOfWelcome, type ProductVersion } from './fingerprint-product.js';

export type AppProtocol = 'http' | 'http2' | 'tls' | 'ssh' | 'redis' | 'postgres' | 'mysql' | 'memcached' | 'mongodb' | 'amqp' | 'smtp' | 'ftp' | 'unknown';

/**
 * What we sent to make the server talk (after waiting for a banner): `http` a GET, `http2` the
 * prior-knowledge preface, `tls` a ClientHello, `redis` PING, `memcached` version, `postgres` an
 * SSLRequest, `mongodb` an OP_MSG hello, `amqp` the 0-9-1 protocol header.
 */
export type ProbeKind = 'none' | 'http' | 'http2' | 'tls' | 'redis' | 'postgres' | 'memcached' | 'mongodb' | 'amqp';

/** The requestID of our MongoDB messages (`pd` + 1), so a reply is told from an echo. */
export const MONGO_REQUEST_ID = 0x70640001;

/** What the bytes told us. Fields appear only when the protocol reveals them. */
export interface FingerprintDetail {
  /** First line of a server-speaks-first greeting or of an unrecognised reply (printable, ≤ 200 chars). */
  readonly banner?: string;
  readonly httpStatus?: number;
  readonly httpReason?: string;
  /** The HTTP `Server` header. */
  readonly server?: string;
  /** `TLSv1.3`, `TLSv1.2`, … */
  readonly tlsVersion?: string;
  /** CN of the certificate's subject. */
  readonly certSubject?: string;
  /** ALPN protocol the server picked, when it picked one. */
  readonly alpn?: string;
  /** A TLS alert / handshake record came back where another protocol was expected. */
  readonly tlsRecord?: 'handshake' | 'alert';
  /** Why a TLS handshake failed (the server speaks TLS but refused us). */
  readonly tlsError?: string;
  /** First line of the reply to a Redis PING or memcached `version` (`+PONG`, `-NOAUTH …`, `VERSION 1.6.21`). */
  readonly reply?: string;
  /** Server software, when the server names it (`nginx`, `Redis`, `PostgreSQL`, `MariaDB`, `OpenSSH`, `RabbitMQ`). */
  readonly product?: string;
  /** Server software version (`1.22.1`, `7.0.15`, `10.11.6`), when the server gives it. */
  readonly version?: string;
  /** The plain HTTP server accepted a WebSocket upgrade (101) on the probed path; false when it answered otherwise. */
  readonly websocket?: boolean;
  /** An HTTP/2 server answered a GET with `content-type: application/grpc…`: a gRPC server. */
  readonly grpc?: boolean;
  /** Redis' `redis_mode` (standalone, cluster, sentinel). */
  readonly mode?: string;
  /** PostgreSQL: the authentication a login would need (`SCRAM-SHA-256`, `md5`, `none` for trust). */
  readonly authentication?: string;
  /** PostgreSQL: where in the server's source the startup error was raised (`miscinit.c:694 InitializeSessionUserId`): it differs between releases. */
  readonly errorSource?: string;
  /** The wire protocol version the server speaks (AMQP `0-9`, MongoDB `maxWireVersion`). */
  readonly protocolVersion?: string;
  /** The server sent back exactly what we sent: an echo service. */
  readonly echo?: boolean;
  /** PostgreSQL answered the SSLRequest with 'S' (true) or 'N' (false). */
  readonly postgresSsl?: boolean;
  /** nginx's "400 The plain HTTP request was sent to HTTPS port": a TLS port answering plain HTTP politely. */
  readonly plainHttpToHttpsPort?: boolean;
}

export interface Classification {
  readonly protocol: AppProtocol;
  readonly detail: FingerprintDetail;
}

/** A scheme (or well-known port) that expects one protocol, and something else answered. */
export interface ProtocolMismatch {
  readonly expected: AppProtocol;
  readonly found: AppProtocol;
  readonly message: string;
}

const SCHEME_PROTOCOLS: Readonly<Record<string, AppProtocol>> = {
  http: 'http',
  ws: 'http',
  https: 'tls',
  wss: 'tls',
  rediss: 'tls',
  redis: 'redis',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  memcached: 'memcached',
  mongodb: 'mongodb',
  amqp: 'amqp',
  amqps: 'tls',
  ssh: 'ssh',
  smtp: 'smtp',
  ftp: 'ftp',
};

const PORT_PROTOCOLS: Readonly<Record<number, AppProtocol>> = {
  21: 'ftp',
  22: 'ssh',
  25: 'smtp',
  443: 'tls',
  465: 'tls',
  587: 'smtp',
  993: 'tls',
  995: 'tls',
  2222: 'ssh',
  3306: 'mysql',
  5432: 'postgres',
  5671: 'tls',
  5672: 'amqp',
  6379: 'redis',
  6443: 'tls',
  8443: 'tls',
  11211: 'memcached',
  27017: 'mongodb',
};

/** The protocol a URL scheme promises, or null when the scheme says nothing we can probe. */
export function schemeProtocol(scheme: string | null | undefined): AppProtocol | null {
  if (scheme === null || scheme === undefined) return null;
  return SCHEME_PROTOCOLS[scheme.toLowerCase()] ?? null;
}

/** What to expect on a port: the scheme's protocol, else the port's usual one, else HTTP (the common dev-server case). */
export function expectedProtocol(scheme: string | null | undefined, port: number): AppProtocol {
  return schemeProtocol(scheme) ?? PORT_PROTOCOLS[port] ?? 'http';
}

/** Protocols where the server talks first, so a banner is worth waiting for. */
export function serverSpeaksFirst(protocol: AppProtocol): boolean {
  return protocol === 'ssh' || protocol === 'smtp' || protocol === 'ftp' || protocol === 'mysql';
}

/** The probe to send when no banner came. Speaks-first protocols get nothing: their silence is the answer. */
export function probeFor(expected: AppProtocol): ProbeKind {
  switch (expected) {
    case 'tls':
      return 'tls';
    case 'redis':
      return 'redis';
    case 'postgres':
      return 'postgres';
    case 'memcached':
      return 'memcached';
    case 'mongodb':
      return 'mongodb';
    case 'amqp':
      return 'amqp';
    case 'http2':
      return 'http2';
    case 'ssh':
    case 'smtp':
    case 'ftp':
    case 'mysql':
      return 'none';
    case 'http':
    case 'unknown':
      return 'http';
  }
}

/** Replaces control and non-ASCII bytes with '.', so a banner is safe to print. */
export function printable(bytes: Uint8Array, max = 200): string {
  let text = '';
  for (let i = 0; i < bytes.length && text.length < max; i++) {
    const byte = bytes[i] ?? 0;
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
  }
  return text;
}

function firstLine(bytes: Buffer): Buffer {
  const newline = bytes.indexOf(0x0a);
  const end = newline === -1 ? bytes.length : newline > 0 && bytes[newline - 1] === 0x0d ? newline - 1 : newline;
  return bytes.subarray(0, end);
}

function startsWith(bytes: Buffer, text: string): boolean {
  return bytes.length >= text.length && bytes.toString('latin1', 0, text.length) === text;
}

/** True when the bytes form a whole reply worth classifying (so the reader can stop waiting). */
export function replyComplete(bytes: Buffer, sent: ProbeKind): boolean {
  if (bytes.length === 0) return false;
  if (sent === 'postgres') return true;
  if (sent === 'mongodb' && !startsWith(bytes, 'HTTP/')) return mongoMessageComplete(bytes);
  if (startsWith(bytes, 'AMQP')) return bytes.length >= 8;
  if (sent === 'amqp') return amqpFrameComplete(bytes);
  if (isTlsRecord(bytes)) return bytes.length >= 5;
  if (startsWith(bytes, 'HTTP/')) return bytes.includes('\r\n\r\n');
  if (isHttp2Settings(bytes)) return http2FrameComplete(bytes);
  const mysql = mysqlPacketLength(bytes);
  if (mysql !== null) return bytes.length >= 4 + mysql;
  return bytes.includes(0x0a);
}

function isTlsRecord(bytes: Buffer): boolean {
  return (bytes[0] === 0x16 || bytes[0] === 0x15) && bytes[1] === 0x03;
}

/** A MySQL packet header: 3-byte little-endian length, sequence 0, then protocol 10 or an error (0xff). */
function mysqlPacketLength(bytes: Buffer): number | null {
  if (bytes.length < 5 || bytes[3] !== 0) return null;
  const length = (bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16);
  if (length < 2 || length > 1024) return null;
  return bytes[4] === 0x0a || bytes[4] === 0xff ? length : null;
}

function withProduct(detail: FingerprintDetail, found: ProductVersion | null): FingerprintDetail {
  if (found === null) return detail;
  return { ...detail, product: found.product, ...(found.version === undefined ? {} : { version: found.version }) };
}

function classifyMysql(bytes: Buffer): Classification | null {
  const length = mysqlPacketLength(bytes);
  if (length === null) return null;
  const payload = bytes.subarray(4, 4 + length);
  if (payload[0] === 0x0a) {
    const end = payload.indexOf(0x00, 1);
    if (end <= 1) return null;
    const version = payload.subarray(1, end);
    if (!version.every((byte) => byte >= 0x20 && byte < 0x7f)) return null;
    const text = version.toString('latin1');
    // `version` keeps the whole greeting string (the JSON contract); product names MySQL or MariaDB.
    return { protocol: 'mysql', detail: { product: productOfMysqlVersion(text).product, version: text } };
  }
  // An error packet instead of the greeting: 0xff, 2-byte code, message (e.g. 1130 "Host … is not allowed").
  const message = payload.subarray(3);
  if (message.length === 0) return null;
  return { protocol: 'mysql', detail: { reply: printable(message) } };
}

/** mongod's answer to an HTTP request on its driver port (every release since 2.6 says this). */
const MONGO_OVER_HTTP = /trying to access MongoDB over HTTP on the native driver port/i;

function classifyHttp(bytes: Buffer): Classification {
  const text = bytes.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd === -1 ? text : text.slice(0, headEnd);
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const match = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(statusLine);
  const server = headerLines.find((line) => /^server:/i.test(line))?.slice('server:'.length).trim();
  const plainToHttps = /plain HTTP request was sent to HTTPS port/i.test(text);
  const serverText = server === undefined ? undefined : printable(Buffer.from(server, 'latin1'));
  const detail: FingerprintDetail = {
    ...(match?.[1] !== undefined ? { httpStatus: Number(match[1]) } : {}),
    ...(match?.[2] !== undefined && match[2] !== '' ? { httpReason: match[2] } : {}),
    ...(serverText !== undefined ? { server: serverText } : {}),
    ...(plainToHttps ? { plainHttpToHttpsPort: true } : {}),
  };
  if (MONGO_OVER_HTTP.test(text)) return { protocol: 'mongodb', detail: { ...detail, product: 'MongoDB' } };
  // nginx's friendly 400 means the port speaks TLS: the server is an HTTPS server.
  return { protocol: plainToHttps ? 'tls' : 'http', detail: withProduct(detail, serverText === undefined ? null : productOfServerHeader(serverText)) };
}

/** `220 mail.example ESMTP Postfix` vs `220 (vsFTPd 3.0.5)`: the text decides, else the hint. */
function classify220(line: string, expected: AppProtocol): AppProtocol {
  if (/\bE?SMTP\b/i.test(line)) return 'smtp';
  if (/FTP/i.test(line)) return 'ftp';
  if (expected === 'ftp' || expected === 'smtp') return expected;
  return 'smtp';
}

function classifyAmqp(bytes: Buffer, sent: ProbeKind): Classification | null {
  const start = parseConnectionStart(bytes);
  if (start !== null) {
    const { product, version } = start.properties;
    return {
      protocol: 'amqp',
      detail: {
        protocolVersion: start.protocolVersion,
        ...(product === undefined ? {} : { product: printable(Buffer.from(product)) }),
        ...(version === undefined ? {} : { version: printable(Buffer.from(version)) }),
      },
    };
  }
  // A broker answers a header it does not like (anything that is not AMQP 0-9-1) with its own.
  // Our own header coming back is an echo, not a broker.
  const header = sent === 'amqp' ? null : parseAmqpHeader(bytes);
  return header === null ? null : { protocol: 'amqp', detail: { protocolVersion: header } };
}

function classifyMongo(bytes: Buffer, sent: ProbeKind): Classification | null {
  if (sent !== 'mongodb') return null;
  const reply = parseMongoReply(bytes, MONGO_REQUEST_ID);
  if (reply === null) return null;
  const { version, maxWireVersion } = reply.fields;
  return {
    protocol: 'mongodb',
    detail: {
      ...(typeof version === 'string' ? { product: 'MongoDB', version } : {}),
      ...(typeof maxWireVersion === 'number' ? { protocolVersion: String(maxWireVersion) } : {}),
    },
  };
}

function classifyRedis(bytes: Buffer, lineText: string, sent: ProbeKind): Classification | null {
  const info = sent === 'redis' ? parseRedisInfo(bytes) : null;
  if (info !== null) return { protocol: 'redis', detail: { product: info.product, version: info.version, ...(info.mode === undefined ? {} : { mode: info.mode }) } };
  if (/^(\+PONG|-NOAUTH\b|-DENIED\b|-WRONGPASS\b|-ERR unknown command\b|-LOADING\b|-MISCONF\b)/.test(lineText) || (sent === 'redis' && /^[+-]/.test(lineText))) {
    return { protocol: 'redis', detail: { reply: lineText } };
  }
  return null;
}

/**
 * Names the protocol behind a server's first bytes. `sent` is the probe that provoked them
 * ('none' for a banner), `expected` the scheme/port hint used to break ties (a bare `220`).
 *
 * @example
 * classifyReply(Buffer.from('SSH-2.0-OpenSSH_9.2p1\r\n'), 'none', 'http');
 * // → { protocol: 'ssh', detail: { banner: 'SSH-2.0-OpenSSH_9.2p1', product: 'OpenSSH', version: '9.2p1' } }
 */
export function classifyReply(bytes: Buffer, sent: ProbeKind, expected: AppProtocol = 'unknown'): Classification {
  if (bytes.length === 0) return { protocol: 'unknown', detail: {} };
  const line = firstLine(bytes);
  const lineText = printable(line);
  if (isTlsRecord(bytes)) return { protocol: 'tls', detail: { tlsRecord: bytes[0] === 0x16 ? 'handshake' : 'alert' } };
  if (startsWith(bytes, 'SSH-')) return { protocol: 'ssh', detail: withProduct({ banner: lineText }, productOfSshBanner(lineText)) };
  if (startsWith(bytes, 'HTTP/')) return classifyHttp(bytes);
  if (isHttp2Settings(bytes)) return { protocol: 'http2', detail: {} };
  if (/^220[ -]/.test(lineText)) return { protocol: classify220(lineText, expected), detail: withProduct({ banner: lineText }, productOfWelcome(lineText)) };
  if (sent === 'postgres' && bytes.length === 1 && (bytes[0] === 0x53 || bytes[0] === 0x4e)) {
    return { protocol: 'postgres', detail: { postgresSsl: bytes[0] === 0x53 } };
  }
  // An ErrorResponse ('E' + int32 length) instead of S/N: a PostgreSQL server, e.g. too old or overloaded.
  if (sent === 'postgres' && bytes[0] === 0x45 && bytes.length >= 5) {
    return { protocol: 'postgres', detail: { reply: printable(bytes.subarray(5)) } };
  }
  if (/^VERSION \S+$/.test(lineText)) return { protocol: 'memcached', detail: { reply: lineText, product: 'memcached', version: lineText.slice(8) } };
  if (sent === 'memcached' && /^(ERROR|CLIENT_ERROR|SERVER_ERROR)\b/.test(lineText)) return { protocol: 'memcached', detail: { reply: lineText } };
  const redis = classifyRedis(bytes, lineText, sent);
  if (redis !== null) return redis;
  const amqp = classifyAmqp(bytes, sent);
  if (amqp !== null) return amqp;
  const mongo = classifyMongo(bytes, sent);
  if (mongo !== null) return mongo;
  const mysql = classifyMysql(bytes);
  if (mysql !== null) return mysql;
  return { protocol: 'unknown', detail: { banner: lineText } };
}

const PROTOCOL_NAMES: Readonly<Record<AppProtocol, string>> = {
  http: 'plain HTTP',
  http2: 'HTTP/2',
  tls: 'TLS',
  ssh: 'SSH',
  redis: 'Redis',
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  memcached: 'memcached',
  mongodb: 'MongoDB',
  amqp: 'AMQP',
  smtp: 'SMTP',
  ftp: 'FTP',
  unknown: 'an unknown protocol',
};

/**
 * Compares what the scheme promised with what answered. Only an explicit scheme makes a promise:
 * a port number alone is a guess, and a guess that misses is not the user's mistake.
 *
 * @example
 * findMismatch('https', 'http')?.message;
 * // → 'https expects TLS, but the server speaks plain HTTP: use http:// (or enable TLS on the server).'
 */
export function findMismatch(scheme: string | null | undefined, found: AppProtocol): ProtocolMismatch | null {
  const expected = schemeProtocol(scheme);
  if (expected === null || found === 'unknown' || found === expected) return null;
  let advice = '';
  if (expected === 'tls' && found === 'http') advice = ': use http:// (or enable TLS on the server)';
  else if (expected === 'http' && found === 'tls') advice = ': use https://';
  else if (found === 'tls') advice = ': this port wants TLS';
  return {
    expected,
    found,
    message: `${scheme ?? ''} expects ${PROTOCOL_NAMES[expected]}, but the server speaks ${PROTOCOL_NAMES[found]}${advice}.`,
  };
}
