/**
 * Second questions, asked once a probe has named the server, for the product and version: Redis
 * `INFO server`, a PostgreSQL startup message (for its error), MongoDB `buildInfo`, AMQP's
 * Connection.Start, an HTTP/2 GET, a WebSocket upgrade. All read-only; none logs in.
 */
import type net from 'node:net';
import { capped, connectAgain, type Budget } from './fingerprint-budget.js';
import { classifyReply, MONGO_REQUEST_ID, printable, type Classification, type FingerprintDetail } from './fingerprint-classify.js';
import { http2Get, websocketUpgrade } from './fingerprint-http.js';
import type { Trial } from './fingerprint-trial.js';
import { SocketReader } from './socket-reader.js';
import { AMQP_091_HEADER, amqpFrameComplete } from './wire/amqp.js';
import { mongoCommand, mongoMessageComplete } from './wire/mongodb.js';
import { parsePostgresStartupReply, postgresMessageComplete, postgresStartupMessage } from './wire/postgres.js';
import { redisReplyComplete } from './wire/redis.js';

/**
 * Asks `question` on the trial's own connection when it is still open (the server expects the
 * next message there: PostgreSQL after 'N', Redis after PONG), else on a fresh one. Returns only
 * the bytes that came after the question.
 */
async function ask(trial: Trial | null, budget: Budget, question: Buffer, complete: (bytes: Buffer) => boolean, until: number): Promise<Buffer> {
  let socket: net.Socket;
  let reader: SocketReader;
  let owned = false;
  if (trial?.socket && trial.reader && !trial.reader.ended && !trial.socket.destroyed) {
    socket = trial.socket;
    reader = trial.reader;
  } else {
    const fresh = await connectAgain(budget);
    if (!fresh.ok) return Buffer.alloc(0);
    socket = fresh.socket;
    reader = new SocketReader(socket, budget.maxBytes);
    owned = true;
  }
  try {
    const offset = reader.received;
    socket.write(question);
    await reader.until((bytes) => complete(bytes.subarray(offset)), until);
    return reader.bytes.subarray(offset);
  } finally {
    if (owned) socket.destroy();
  }
}

/** How long a follow-up may take: the server has already shown it answers quickly. */
function followUpUntil(budget: Budget): number {
  return capped(budget, Math.max(budget.silenceMs * 8, 250));
}

async function redisInfo(trial: Trial | null, budget: Budget, found: Classification): Promise<FingerprintDetail> {
  // NOAUTH/WRONGPASS: INFO would get the same refusal. Never authenticate.
  if (/^-(NOAUTH|WRONGPASS|DENIED)\b/.test(found.detail.reply ?? '')) return found.detail;
  const reply = await ask(trial?.probe === 'redis' ? trial : null, budget, Buffer.from('INFO server\r\n'), redisReplyComplete, followUpUntil(budget));
  const info = classifyReply(reply, 'redis', 'redis');
  return info.detail.version === undefined ? found.detail : { ...found.detail, ...info.detail };
}

async function postgresStartup(trial: Trial | null, budget: Budget, found: Classification): Promise<FingerprintDetail> {
  // After 'S' the server expects a TLS handshake on that connection: ask on a fresh one instead.
  const sameConnection = trial?.probe === 'postgres' && found.detail.postgresSsl === false;
  const reply = await ask(sameConnection ? trial : null, budget, postgresStartupMessage(), postgresMessageComplete, followUpUntil(budget));
  const parsed = parsePostgresStartupReply(reply);
  if (parsed === null) return { ...found.detail, product: 'PostgreSQL' };
  const error = parsed.error;
  return {
    ...found.detail,
    product: 'PostgreSQL',
    ...(parsed.serverVersion === undefined ? {} : { version: parsed.serverVersion }),
    ...(parsed.authentication === undefined ? {} : { authentication: parsed.authentication }),
    ...(error === undefined ? {} : { reply: printable(Buffer.from(`${error.severity} ${error.code}: ${error.message}`)) }),
    ...(error?.file === undefined ? {} : { errorSource: `${error.file}${error.line === undefined ? '' : `:${error.line}`}${error.routine === undefined ? '' : ` ${error.routine}`}` }),
  };
}

async function mongoBuildInfo(trial: Trial | null, budget: Budget, found: Classification): Promise<FingerprintDetail> {
  const reply = await ask(trial?.probe === 'mongodb' ? trial : null, budget, mongoCommand('buildInfo', MONGO_REQUEST_ID), mongoMessageComplete, followUpUntil(budget));
  const info = classifyReply(reply, 'mongodb', 'mongodb');
  return info.protocol === 'mongodb' ? { ...found.detail, ...info.detail, ...(found.detail.protocolVersion === undefined ? {} : { protocolVersion: found.detail.protocolVersion }) } : found.detail;
}

async function amqpStart(budget: Budget, found: Classification): Promise<FingerprintDetail> {
  const reply = await ask(null, budget, AMQP_091_HEADER, amqpFrameComplete, followUpUntil(budget));
  const start = classifyReply(reply, 'amqp', 'amqp');
  return start.protocol === 'amqp' && start.detail.product !== undefined ? start.detail : found.detail;
}

async function http2Facts(budget: Budget, found: Classification): Promise<FingerprintDetail> {
  const fresh = await connectAgain(budget);
  if (!fresh.ok) return found.detail;
  try {
    const facts = await http2Get(fresh.socket, budget, false, followUpUntil(budget));
    return facts === null ? found.detail : { ...found.detail, ...facts };
  } finally {
    fresh.socket.destroy();
  }
}

/**
 * The details a second question adds to what the winning trial found (the same detail when
 * there is nothing to ask or no answer in time). `trial` is null for a banner.
 */
export async function followUp(trial: Trial | null, budget: Budget, found: Classification): Promise<FingerprintDetail> {
  switch (found.protocol) {
    case 'redis':
      return redisInfo(trial, budget, found);
    case 'postgres':
      return found.detail.postgresSsl === undefined ? found.detail : postgresStartup(trial, budget, found);
    case 'mongodb':
      return mongoBuildInfo(trial, budget, found);
    case 'amqp':
      return found.detail.product === undefined ? amqpStart(budget, found) : found.detail;
    case 'http2':
      return http2Facts(budget, found);
    case 'http': {
      // The GET took `duration`; an upgrade to the same path gets a few times that, at least the silence window.
      const websocket = await websocketUpgrade(budget, capped(budget, Math.max(budget.silenceMs * 2, (trial?.durationMs ?? 0) * 3)));
      return websocket === null ? found.detail : { ...found.detail, websocket };
    }
    default:
      return found.detail;
  }
}
