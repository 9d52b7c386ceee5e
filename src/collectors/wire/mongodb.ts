/**
 * MongoDB wire protocol, just enough to name a server: an OP_MSG carrying `{ hello: 1 }` or
 * `{ buildInfo: 1 }` (both allowed before authentication, both read-only), and a reader for the
 * reply's top-level BSON fields. Spec: MongoDB wire protocol (OP_MSG, opcode 2013) and BSON 1.1.
 */

const OP_MSG = 2013;
const HEADER = 16;

export type BsonScalar = string | number | boolean | null;

export interface MongoReply {
  /** Top-level fields of the reply document with scalar values (nested documents are skipped). */
  readonly fields: Readonly<Record<string, BsonScalar>>;
}

function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

/** `{ <command>: 1, $db: "admin" }` as BSON. */
function commandDocument(command: string): Buffer {
  const one = Buffer.alloc(4);
  one.writeInt32LE(1);
  const db = Buffer.from('admin\0', 'utf8');
  const dbLength = Buffer.alloc(4);
  dbLength.writeInt32LE(db.length);
  const elements = Buffer.concat([Buffer.from([0x10]), cstring(command), one, Buffer.from([0x02]), cstring('$db'), dbLength, db, Buffer.from([0])]);
  const length = Buffer.alloc(4);
  length.writeInt32LE(elements.length + 4);
  return Buffer.concat([length, elements]);
}

/**
 * An OP_MSG with one body section holding `{ command: 1, $db: "admin" }`.
 *
 * @example
 * socket.write(mongoCommand('hello', 1));
 */
export function mongoCommand(command: 'hello' | 'buildInfo', requestId: number): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), commandDocument(command)]);
  const header = Buffer.alloc(HEADER);
  header.writeInt32LE(HEADER + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OP_MSG, 12);
  return Buffer.concat([header, body]);
}

/** Servers cap a message at 48 MB (`maxMessageSizeBytes`); a length outside 16…48 MB is not a reply. */
const MAX_MESSAGE = 48_000_000;

/** True once the first message is whole (its int32 length says how long), or cannot be one. */
export function mongoMessageComplete(bytes: Buffer): boolean {
  if (bytes.length < 4) return false;
  const length = bytes.readInt32LE(0);
  return length < HEADER || length > MAX_MESSAGE || bytes.length >= length;
}

/**
 * Reads an OP_MSG reply to `requestId`: null when the bytes are not one (an echo of our own
 * message has responseTo 0, so it is not mistaken for a server).
 *
 * @example
 * parseMongoReply(reply, 1)?.fields.maxWireVersion; // → 21
 */
export function parseMongoReply(bytes: Buffer, requestId: number): MongoReply | null {
  if (bytes.length < HEADER + 5 + 5) return null;
  const length = bytes.readInt32LE(0);
  if (length < HEADER + 10 || length > bytes.length || bytes.readInt32LE(8) !== requestId || bytes.readInt32LE(12) !== OP_MSG) return null;
  if (bytes[HEADER + 4] !== 0) return null;
  const fields = readDocument(bytes.subarray(HEADER + 5, length));
  return fields === null ? null : { fields };
}

const FIXED_SIZES: Readonly<Record<number, number>> = { 0x07: 12, 0x09: 8, 0x11: 8, 0x12: 8, 0x13: 16, 0x06: 0, 0xff: 0, 0x7f: 0 };

/** Top-level scalar fields of a BSON document; null when it is malformed or uses an unknown type. */
function readDocument(bytes: Buffer): Record<string, BsonScalar> | null {
  if (bytes.length < 5) return null;
  const length = bytes.readInt32LE(0);
  if (length < 5 || length > bytes.length || bytes[length - 1] !== 0) return null;
  const fields: Record<string, BsonScalar> = {};
  let offset = 4;
  // Each element consumes at least 2 bytes, so the loop is bounded by the document length.
  while (offset < length - 1) {
    const type = bytes[offset] ?? 0;
    const nameEnd = bytes.indexOf(0, offset + 1);
    if (nameEnd === -1 || nameEnd >= length) return null;
    const name = bytes.toString('utf8', offset + 1, nameEnd);
    let at = nameEnd + 1;
    const need = (size: number): boolean => size >= 0 && at + size <= length - 1;
    if (type === 0x01) {
      if (!need(8)) return null;
      fields[name] = bytes.readDoubleLE(at);
      at += 8;
    } else if (type === 0x02) {
      if (!need(4)) return null;
      const size = bytes.readInt32LE(at);
      if (size < 1 || !need(4 + size)) return null;
      fields[name] = bytes.toString('utf8', at + 4, at + 4 + size - 1);
      at += 4 + size;
    } else if (type === 0x03 || type === 0x04) {
      if (!need(4)) return null;
      const size = bytes.readInt32LE(at);
      if (size < 5 || !need(size)) return null;
      at += size;
    } else if (type === 0x05) {
      if (!need(5)) return null;
      const size = bytes.readInt32LE(at);
      if (size < 0 || !need(5 + size)) return null;
      at += 5 + size;
    } else if (type === 0x08) {
      if (!need(1)) return null;
      fields[name] = bytes[at] === 1;
      at += 1;
    } else if (type === 0x0a) {
      fields[name] = null;
    } else if (type === 0x10) {
      if (!need(4)) return null;
      fields[name] = bytes.readInt32LE(at);
      at += 4;
    } else if (type === 0x12) {
      if (!need(8)) return null;
      fields[name] = Number(bytes.readBigInt64LE(at));
      at += 8;
    } else {
      const size = FIXED_SIZES[type];
      if (size === undefined || !need(size)) return null;
      at += size;
    }
    offset = at;
  }
  return fields;
}
