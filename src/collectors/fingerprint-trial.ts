import type net from 'node:net';
import { connectAgain, httpRequest, type Budget } from './fingerprint-budget.js';
import { classifyReply, MONGO_REQUEST_ID, printable, replyComplete, type Classification } from './fingerprint-classify.js';
import type { ActiveProbe, TrialView } from './fingerprint-plan.js';
import { tlsHandshake, type TlsOutcome } from './fingerprint-tls.js';
import { SocketReader } from './socket-reader.js';
import { AMQP_091_HEADER } from './wire/amqp.js';
import { HTTP2_PRIOR_KNOWLEDGE } from './wire/http2.js';
import { mongoCommand } from './wire/mongodb.js';
import { POSTGRES_SSL_REQUEST } from './wire/postgres.js';

/** How one probe ended, as the JSON reports it. `failed`: the fresh connection did not open. */
export type TrialOutcome = 'pending' | 'answered' | 'closed' | 'reset' | 'silent' | 'failed';

/** A connection that is open and has not been written to (the banner wait's), with its reader. */
export interface OpenConnection {
  readonly socket: net.Socket;
  readonly reader: SocketReader;
}

/** After an HTTP error status, give the body a moment: nginx's "plain HTTP … HTTPS port" lives there. */
const HTTP_BODY_GRACE_MS = 100;

/** The bytes of every probe but TLS (which node:tls writes). All read-only questions. */
export function probeBytes(probe: Exclude<ActiveProbe, 'tls'>, budget: Budget): Buffer {
  switch (probe) {
    case 'http':
      return Buffer.from(httpRequest(budget), 'latin1');
    case 'http2':
      return HTTP2_PRIOR_KNOWLEDGE;
    case 'redis':
      return Buffer.from('PING\r\n');
    case 'memcached':
      return Buffer.from('version\r\n');
    case 'postgres':
      return POSTGRES_SSL_REQUEST;
    case 'mongodb':
      return mongoCommand('hello', MONGO_REQUEST_ID);
    case 'amqp':
      return AMQP_091_HEADER;
  }
}

/**
 * The server sent back the start of what we sent: an echo service (portdoctor's own `serve`,
 * socat, inetd's echo), not any protocol we probed for.
 */
export function isEcho(reply: Buffer, sent: Buffer): boolean {
  const length = Math.min(reply.length, sent.length);
  return length >= 4 && reply.subarray(0, length).equals(sent.subarray(0, length));
}

/** A TLS handshake record whose first message is a ClientHello: only clients send those. */
function isClientHello(bytes: Buffer): boolean {
  return bytes.length >= 6 && bytes[0] === 0x16 && bytes[1] === 0x03 && bytes[5] === 0x01;
}

/**
 * One probe on one connection: started at once, settled when the reply is whole, the server
 * closes or resets, or the budget runs out. The scheduler reads its state while it runs.
 */
export class Trial implements TrialView {
  readonly startedAt = performance.now();
  settledAt: number | null = null;
  outcome: TrialOutcome = 'pending';
  classification: Classification | null = null;
  error: string | null = null;
  socket: net.Socket | null = null;
  reader: SocketReader | null = null;
  readonly done: Promise<void>;

  constructor(
    readonly probe: ActiveProbe,
    connection: OpenConnection | null,
    private readonly budget: Budget,
  ) {
    this.done = this.run(connection).catch((error: unknown) => {
      this.error ??= error instanceof Error ? error.message : String(error);
      this.settle('failed');
    });
  }

  get settled(): boolean {
    return this.outcome !== 'pending';
  }

  /** Bytes received so far: a reply has started, so the next probe waits for it to finish. */
  get received(): number {
    return this.reader?.received ?? 0;
  }

  /** Milliseconds from start to settle (null while pending). */
  get durationMs(): number | null {
    return this.settledAt === null ? null : Math.round((this.settledAt - this.startedAt) * 10) / 10;
  }

  close(): void {
    this.socket?.destroy();
  }

  private settle(outcome: TrialOutcome): void {
    if (this.settled) return;
    this.outcome = outcome;
    this.settledAt = performance.now();
  }

  private async run(connection: OpenConnection | null): Promise<void> {
    let open = connection;
    if (open === null) {
      const fresh = await connectAgain(this.budget);
      if (!fresh.ok) {
        this.error = fresh.error;
        this.settle('failed');
        return;
      }
      open = { socket: fresh.socket, reader: new SocketReader(fresh.socket, this.budget.maxBytes) };
    }
    this.socket = open.socket;
    this.reader = open.reader;
    if (this.probe === 'tls') await this.runTls(open);
    else await this.runRaw(open, probeBytes(this.probe, this.budget));
  }

  private async runRaw({ socket, reader }: OpenConnection, sent: Buffer): Promise<void> {
    const probe = this.probe;
    socket.write(sent);
    await reader.until((bytes) => replyComplete(bytes, probe), this.budget.deadline);
    if (probe === 'http' && /^HTTP\/\S+ [45]/.test(reader.bytes.toString('latin1', 0, 16)) && !reader.ended) {
      const grace = Math.min(this.budget.deadline, performance.now() + HTTP_BODY_GRACE_MS);
      await reader.until((all) => /plain HTTP request was sent to HTTPS port/i.test(all.toString('latin1')), grace);
    }
    this.error = reader.errorCode;
    if (reader.received > 0) {
      const bytes = reader.bytes;
      this.classification = isEcho(bytes, sent) ? { protocol: 'unknown', detail: { echo: true, banner: printable(bytes.subarray(0, 60)) } } : classifyReply(bytes, probe, this.budget.expected);
      this.settle('answered');
      return;
    }
    this.settle(reader.reset ? 'reset' : reader.ended ? 'closed' : 'silent');
  }

  private async runTls({ reader }: OpenConnection): Promise<void> {
    if (this.socket === null) return;
    const outcome: TlsOutcome = await tlsHandshake(this.socket, this.budget);
    if (isClientHello(reader.bytes)) {
      // Our own ClientHello came back: an echo service, not a TLS server that refused us.
      this.classification = { protocol: 'unknown', detail: { echo: true, banner: printable(reader.bytes.subarray(0, 60)) } };
      this.settle('answered');
      return;
    }
    switch (outcome.kind) {
      case 'handshake':
        this.classification = { protocol: 'tls', detail: outcome.detail };
        this.settle('answered');
        return;
      case 'refused':
        this.error = outcome.code;
        this.classification = { protocol: 'tls', detail: { tlsError: outcome.code } };
        this.settle('answered');
        return;
      case 'not-tls':
        // The server's own words are in the raw reader: name them (an HTTP 400, a Redis error, …).
        this.error = outcome.code;
        this.classification = classifyReply(reader.bytes, 'tls', this.budget.expected);
        this.settle('answered');
        return;
      default:
        this.error = outcome.code;
        if (reader.received > 0) {
          this.classification = classifyReply(reader.bytes, 'tls', this.budget.expected);
          this.settle('answered');
          return;
        }
        this.settle(outcome.kind);
    }
  }
}
