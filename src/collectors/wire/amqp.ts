/**
 * AMQP 0-9-1, just enough to name a broker: the protocol header we send, the header a broker
 * sends back when it wants another version, and the Connection.Start method frame that carries
 * the broker's `server-properties` (product, version, platform). Spec: AMQP 0-9-1 §4.2, with
 * the field-table types of RabbitMQ's errata (the types brokers really send).
 */

/** "AMQP", protocol id 0, version 0-9-1: the first thing a client sends. */
export const AMQP_091_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export interface AmqpConnectionStart {
  /** Protocol version the broker speaks, e.g. `0-9`. */
  readonly protocolVersion: string;
  /** String-valued server properties (`product`, `version`, `platform`, `cluster_name`, …). */
  readonly properties: Readonly<Record<string, string>>;
  /** SASL mechanisms offered, e.g. `PLAIN AMQPLAIN`. */
  readonly mechanisms: string;
}

/** A broker's answer to a header it does not support: its own header (then it closes). */
export function parseAmqpHeader(bytes: Buffer): string | null {
  if (bytes.length < 8 || bytes.toString('latin1', 0, 4) !== 'AMQP') return null;
  return `${bytes[5] ?? 0}-${bytes[6] ?? 0}-${bytes[7] ?? 0}`;
}

const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const CONNECTION_CLASS = 10;
const START_METHOD = 10;

/** Frame types of 0-9-1 (method, header, body, heartbeat) and the default frame_max of brokers (128 KiB). */
const FRAME_TYPES = new Set([1, 2, 3, 8]);
const FRAME_MAX = 131_072;

/** True once the first frame is whole (7-byte header, payload, frame-end octet), or cannot be one. */
export function amqpFrameComplete(bytes: Buffer): boolean {
  if (bytes.length > 0 && !FRAME_TYPES.has(bytes[0] ?? 0)) return true;
  if (bytes.length < 7) return false;
  const size = bytes.readUInt32BE(3);
  return size > FRAME_MAX || bytes.length >= 8 + size;
}

/**
 * Reads a Connection.Start frame; null when the bytes are anything else or malformed.
 *
 * @example
 * parseConnectionStart(reply)?.properties.product; // → 'RabbitMQ'
 */
export function parseConnectionStart(bytes: Buffer): AmqpConnectionStart | null {
  if (bytes.length < 12 || bytes[0] !== FRAME_METHOD || bytes.readUInt16BE(1) !== 0) return null;
  const size = bytes.readUInt32BE(3);
  if (bytes.length < 8 + size || bytes[7 + size] !== FRAME_END) return null;
  const payload = bytes.subarray(7, 7 + size);
  if (payload.length < 6 || payload.readUInt16BE(0) !== CONNECTION_CLASS || payload.readUInt16BE(2) !== START_METHOD) return null;
  const cursor = new Cursor(payload, 6);
  const table = cursor.table();
  if (table === null) return null;
  const mechanisms = cursor.longString();
  return { protocolVersion: `${payload[4] ?? 0}-${payload[5] ?? 0}`, properties: table, mechanisms: mechanisms ?? '' };
}

/** Fixed sizes of the scalar field types; the variable ones are read in `value`. */
const FIXED_SIZES: Readonly<Record<string, number>> = { t: 1, b: 1, B: 1, s: 2, u: 2, I: 4, i: 4, l: 8, L: 8, f: 4, d: 8, D: 5, T: 8, V: 0 };

/** A bounded reader: every read checks the length first and gives null past the end. */
class Cursor {
  constructor(
    private readonly bytes: Buffer,
    private offset: number,
  ) {}

  private take(length: number): Buffer | null {
    if (length < 0 || this.offset + length > this.bytes.length) return null;
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  private uint32(): number | null {
    const raw = this.take(4);
    return raw === null ? null : raw.readUInt32BE(0);
  }

  longString(): string | null {
    const length = this.uint32();
    if (length === null) return null;
    return this.take(length)?.toString('utf8') ?? null;
  }

  /** A field table, keeping the string values; null when it is malformed or uses an unknown type. */
  table(): Record<string, string> | null {
    const length = this.uint32();
    const body = length === null ? null : this.take(length);
    if (body === null) return null;
    const inner = new Cursor(body, 0);
    const result: Record<string, string> = {};
    while (inner.offset < body.length) {
      const nameLength = inner.take(1)?.[0];
      const name = nameLength === undefined ? null : inner.take(nameLength);
      const type = inner.take(1);
      if (name === null || type === null) return null;
      const value = inner.value(type.toString('latin1'));
      if (value === null) return null;
      if (typeof value === 'string') result[name.toString('utf8')] = value;
    }
    return result;
  }

  /** One field value: a string for S, `true` for anything skipped, null when malformed/unknown. */
  private value(type: string): string | true | null {
    if (type === 'S') return this.longString();
    const fixed = FIXED_SIZES[type];
    if (fixed !== undefined) return this.take(fixed) === null ? null : true;
    if (type === 'F' || type === 'A' || type === 'x') {
      const length = this.uint32();
      return length === null || this.take(length) === null ? null : true;
    }
    return null;
  }
}
