import net from 'node:net';
import { isSelfConnected } from './self-connect.js';
import { errnoCode } from '../errors.js';
import { elapsedMs } from './probe-status.js';

export type TcpConnectOutcome =
  | { readonly ok: true; readonly socket: net.Socket; readonly latencyMs: number }
  | { readonly ok: false; readonly error: string; readonly latencyMs: number };

/**
 * One TCP connect with a deadline. On success the socket comes back with no listeners of ours
 * left on it — a leftover 'error' listener would swallow a later ECONNRESET that the reader must
 * see. On failure (or timeout, reported as ETIMEDOUT) the socket is already destroyed.
 *
 * @example
 * const c = await connectTcp('127.0.0.1', 5432, 1000);
 * if (c.ok) c.socket.destroy(); else console.log(c.error); // 'ECONNREFUSED'
 */
export function connectTcp(address: string, port: number, timeoutMs: number): Promise<TcpConnectOutcome> {
  const start = performance.now();
  const socket = net.connect({ host: address, port });
  return new Promise((resolve) => {
    const settle = (outcome: TcpConnectOutcome): void => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      if (!outcome.ok) {
        // A late error from the destroyed socket must not become an unhandled 'error' event.
        socket.on('error', () => undefined);
        socket.destroy();
      }
      resolve(outcome);
    };
    const onConnect = (): void =>
      // Connected to ourselves (no listener; see isSelfConnected): for the caller, that is a refusal.
      isSelfConnected(socket) ? settle({ ok: false, error: 'ECONNREFUSED', latencyMs: elapsedMs(start) }) : settle({ ok: true, socket, latencyMs: elapsedMs(start) });
    const onError = (error: Error): void => settle({ ok: false, error: errnoCode(error) ?? 'EUNKNOWN', latencyMs: elapsedMs(start) });
    const timer = setTimeout(() => settle({ ok: false, error: 'ETIMEDOUT', latencyMs: elapsedMs(start) }), timeoutMs);
    socket.once('connect', onConnect);
    socket.once('error', onError);
  });
}
