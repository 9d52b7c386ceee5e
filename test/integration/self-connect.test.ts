import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { connectTcp } from '../../src/collectors/tcp-connect.js';
import { isSelfConnected } from '../../src/collectors/self-connect.js';

/** A port nothing listens on: listen on 0, note the port, close. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

describe('TCP self-connection (simultaneous open) is not a listener', () => {
  it('a socket bound to port P and connected to P connects to itself, and is recognised', async () => {
    const port = await closedPort();
    // Forcing the source port makes the rare accident certain: the kernel pairs the socket with itself.
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1', localPort: port });
    await once(socket, 'connect');
    expect(isSelfConnected(socket)).toBe(true);
    socket.destroy();
  });

  it('a real connection to a listener is not a self-connection', async () => {
    const server = net.createServer((c) => c.destroy()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const outcome = await connectTcp('127.0.0.1', (server.address() as net.AddressInfo).port, 1000);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) {
      expect(isSelfConnected(outcome.socket)).toBe(false);
      outcome.socket.destroy();
    }
    server.close();
  });
});
