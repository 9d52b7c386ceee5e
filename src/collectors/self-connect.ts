import type { Socket } from 'node:net';

/**
 * TCP "simultaneous open": connecting to a loopback port on which nothing listens can, about once
 * in 28,000 tries, get that same port as its ephemeral source port — and then the socket connects
 * to itself. It looks like an accepted connection, but nobody is there. A waiter that polls a
 * closed port every few ms meets this within minutes, so every connect-based check asks this.
 *
 * @example
 * socket.once('connect', () => (isSelfConnected(socket) ? refused() : accepted()));
 */
export function isSelfConnected(socket: Socket): boolean {
  return socket.localPort !== undefined && socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress;
}
