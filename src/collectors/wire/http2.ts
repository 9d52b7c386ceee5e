/**
 * HTTP/2 framing, just enough to recognise a server: every HTTP/2 server starts its side of a
 * connection with a SETTINGS frame (RFC 9113 §3.4), some before the client says anything.
 */

/** The client connection preface (RFC 9113 §3.4) followed by an empty SETTINGS frame. */
export const HTTP2_PRIOR_KNOWLEDGE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 0x04, 0, 0, 0, 0, 0])]);

const FRAME_HEADER = 9;
const SETTINGS = 0x04;
/** Largest SETTINGS payload worth believing: 6 bytes per setting, a few dozen settings at most. */
const MAX_SETTINGS_LENGTH = 6 * 64;

/**
 * True when the bytes start with an HTTP/2 server preface: a SETTINGS frame on stream 0 whose
 * length is a whole number of 6-byte settings (flags 0; an ACK would carry no payload).
 *
 * @example
 * isHttp2Settings(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])); // → true (an empty SETTINGS frame)
 */
export function isHttp2Settings(bytes: Buffer): boolean {
  if (bytes.length < FRAME_HEADER) return false;
  const length = bytes.readUIntBE(0, 3);
  const streamId = bytes.readUInt32BE(5) & 0x7fffffff;
  return bytes[3] === SETTINGS && bytes[4] === 0 && streamId === 0 && length % 6 === 0 && length <= MAX_SETTINGS_LENGTH;
}

/** The largest frame a peer may send before SETTINGS raise it (RFC 9113 §4.2). */
const DEFAULT_MAX_FRAME = 16_384;

/** True once the first frame is whole (so a reader can stop waiting), or cannot be one. */
export function http2FrameComplete(bytes: Buffer): boolean {
  if (bytes.length < FRAME_HEADER) return false;
  const length = bytes.readUIntBE(0, 3);
  return length > DEFAULT_MAX_FRAME || bytes.length >= FRAME_HEADER + length;
}
