/**
 * The body of `GET /containers/{id}/logs`. Without a TTY the engine multiplexes stdout and stderr
 * into frames: an 8-byte header (stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes; the payload
 * size as a big-endian uint32) and the payload. With a TTY (Config.Tty) the body is the raw terminal
 * output. https://docs.docker.com/engine/api/v1.41/#operation/ContainerAttach ("Stream format").
 */
import { TextDecoder } from 'node:util';

export type LogStream = 'stdout' | 'stderr' | 'tty';

export interface DockerLogLine {
  readonly stream: LogStream;
  readonly text: string;
}

const STREAMS: readonly (LogStream | null)[] = [null, 'stdout', 'stderr'];

/** Cuts `text` into lines (dropping a final empty one and the CR of CRLF, which a TTY writes). */
function lines(text: string, stream: LogStream): DockerLogLine[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n').map((t) => ({ stream, text: t.replace(/\r$/, '') }));
}

/**
 * Decodes a multiplexed body into lines, in the order the frames came; null when the bytes are not
 * frames (a header with a bad stream byte or non-zero padding), so that the caller does not show
 * garbage as a log. A frame cut short by a size limit keeps the part that arrived.
 *
 * @example
 * demultiplex(Buffer.from([1, 0, 0, 0, 0, 0, 0, 3, 0x68, 0x69, 0x0a])) // [{ stream: 'stdout', text: 'hi' }]
 */
export function demultiplex(body: Buffer): DockerLogLine[] | null {
  const pending = new Map<LogStream, string>();
  // One decoder per stream: a UTF-8 character may be split across two frames of the same stream.
  const decoders = new Map<LogStream, TextDecoder>();
  const out: DockerLogLine[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (offset + 8 > body.length) {
      // A header cut short: the body was cut by a size limit after whole frames, or is not frames at all.
      if (offset === 0) return null;
      break;
    }
    const stream = STREAMS[body[offset] ?? 255] ?? null;
    if (stream === null || body[offset + 1] !== 0 || body[offset + 2] !== 0 || body[offset + 3] !== 0) return null;
    const size = body.readUInt32BE(offset + 4);
    const payload = body.subarray(offset + 8, Math.min(body.length, offset + 8 + size));
    offset += 8 + size;
    // A frame may end inside a line: keep the tail until the stream's next frame completes it.
    let decoder = decoders.get(stream);
    if (decoder === undefined) decoders.set(stream, (decoder = new TextDecoder('utf-8')));
    const text = (pending.get(stream) ?? '') + decoder.decode(payload, { stream: true });
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      pending.set(stream, text);
      continue;
    }
    out.push(...lines(text.slice(0, cut + 1), stream));
    pending.set(stream, text.slice(cut + 1));
  }
  for (const [stream, rest] of pending) out.push(...lines(rest, stream));
  return out;
}

/** A TTY container's raw body as lines. */
export function rawLines(body: Buffer): DockerLogLine[] {
  return lines(new TextDecoder('utf-8').decode(body), 'tty');
}
