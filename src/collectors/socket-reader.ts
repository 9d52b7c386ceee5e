import type { Socket } from 'node:net';
import { errnoCode } from '../errors.js';

/**
 * Collects what a peer sends, bounded in bytes, and remembers how the conversation ended (FIN,
 * RST, error). The fingerprint waits on it with a predicate and a deadline instead of nesting
 * callbacks, so every wait is bounded.
 */
export class SocketReader {
  private readonly chunks: Buffer[] = [];
  private length = 0;
  private waiter: (() => void) | null = null;
  /** The peer closed its side (FIN) or the socket closed. */
  ended = false;
  /** The peer reset the connection (ECONNRESET). */
  reset = false;
  /** The errno code of the first socket error, if any. */
  errorCode: string | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly maxBytes: number,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }

  get received(): number {
    return this.length;
  }

  /** Stops listening (before the socket is handed to TLS, which reads the handle itself). */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
  }

  /**
   * Resolves when `done(bytes)` holds, the peer ends or resets, the byte budget is full, or
   * `deadline` (a performance.now() instant) passes — whichever comes first.
   */
  async until(done: (bytes: Buffer) => boolean, deadline: number): Promise<void> {
    for (let rounds = 0; rounds < 10_000; rounds++) {
      if (this.ended || this.length >= this.maxBytes || (this.length > 0 && done(this.bytes))) return;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = null;
          resolve();
        }, remaining);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          resolve();
        };
      });
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    const room = this.maxBytes - this.length;
    if (room > 0) {
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.chunks.push(kept);
      this.length += kept.length;
    }
    this.waiter?.();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.waiter?.();
  };

  private readonly onError = (error: Error): void => {
    const code = errnoCode(error) ?? 'EUNKNOWN';
    this.errorCode ??= code;
    if (code === 'ECONNRESET') this.reset = true;
    this.ended = true;
    this.waiter?.();
  };
}
