import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { once } from 'node:events';
import { createConnection, createServer, type Server } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { findFreePort, reserveFreePort } from '../../src/actions/free-port.js';
import { collectPortSettings } from '../../src/collectors/port-settings.js';
import { isBrowserUnsafePort } from '../../src/data/services.js';
import { listSockets } from '../../src/inventory.js';
import type { Protocol } from '../../src/types.js';

type Held = { close(): Promise<void> };
const open: Held[] = [];

afterEach(async () => {
  for (const held of open.splice(0)) await held.close();
});

/** Opens a real listener; resolves null when the kernel refuses (an overlapping one already holds it). */
function hold(protocol: Protocol, host: string, port: number): Promise<Held | null> {
  return new Promise((resolve) => {
    if (protocol === 'tcp') {
      const server: Server = createServer();
      server.once('error', () => resolve(null));
      server.listen({ host, port, ipv6Only: false }, () => {
        const held = { close: () => new Promise<void>((done) => server.close(() => done())) };
        open.push(held);
        resolve(held);
      });
    } else {
      const socket: DgramSocket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false });
      socket.once('error', () => {
        socket.close();
        resolve(null);
      });
      socket.bind({ address: host, port }, () => {
        const held = { close: () => new Promise<void>((done) => socket.close(() => done())) };
        open.push(held);
        resolve(held);
      });
    }
  });
}

/** An independent check (not our tryBind): a plain bind on address:port succeeds. */
async function bindable(protocol: Protocol, address: string, port: number): Promise<boolean> {
  const held = await hold(protocol, address, port);
  if (held === null) return false;
  open.splice(open.indexOf(held), 1);
  await held.close();
  return true;
}

const ADDRESSES = ['127.0.0.1', '127.0.0.2', '::1', '0.0.0.0', '::'] as const;
const WIDTH = 6;

describe('findFreePort (real listeners)', () => {
  it('property: never returns a port held on any address of either family, and what it returns binds everywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Protocol>('tcp', 'udp'),
        fc.integer({ min: 20000, max: 29000 }),
        fc.array(fc.record({ offset: fc.nat(WIDTH - 1), address: fc.constantFrom(...ADDRESSES), protocol: fc.constantFrom<Protocol>('tcp', 'udp') }), { maxLength: 8 }),
        async (protocol, base, specs) => {
          const heldPorts = new Set<number>();
          try {
            for (const spec of specs) {
              if ((await hold(spec.protocol, spec.address, base + spec.offset)) !== null && spec.protocol === protocol) heldPorts.add(base + spec.offset);
            }
            const ports = await findFreePort({ protocol, range: { from: base, to: base + WIDTH - 1 }, count: WIDTH });
            for (const port of ports) {
              expect(heldPorts.has(port)).toBe(false);
              for (const address of ['127.0.0.1', '::1', '0.0.0.0']) expect(await bindable(protocol, address, port)).toBe(true);
            }
            // Completeness: a port left out is held by us, or a plain bind on it fails somewhere.
            for (let port = base; port < base + WIDTH; port++) {
              if (ports.includes(port) || heldPorts.has(port)) continue;
              const everywhere = (await Promise.all(['127.0.0.1', '::1', '0.0.0.0', '::'].map((a) => bindable(protocol, a, port)))).every(Boolean);
              expect(everywhere).toBe(false);
            }
          } finally {
            for (const held of open.splice(0)) await held.close();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a listener on 127.0.0.2 makes the port not free; with --host 127.0.0.1 it is free', async () => {
    const [port] = await findFreePort({ range: { from: 20000, to: 29999 } });
    expect(await hold('tcp', '127.0.0.2', port!)).not.toBeNull();
    expect(await findFreePort({ range: { from: port!, to: port! } })).toEqual([]);
    expect(await findFreePort({ range: { from: port!, to: port! }, host: '127.0.0.1' })).toEqual([port]);
    // UDP is another table: the TCP listener does not take the UDP port.
    expect(await findFreePort({ range: { from: port!, to: port! }, protocol: 'udp' })).toEqual([port]);
  });

  it('a TIME-WAIT leftover makes the port not free (a bind without SO_REUSEADDR would fail)', async () => {
    const [port] = await findFreePort({ range: { from: 20000, to: 29999 } });
    const server = createServer((socket) => socket.end()); // the server closes first: its side goes to TIME-WAIT
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: port! }, resolve));
    const client = createConnection({ host: '127.0.0.1', port: port! });
    client.resume();
    await once(client, 'end');
    client.end();
    await once(client, 'close');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const { sockets } = await listSockets({ ports: { from: port!, to: port! }, states: 'all', protocols: ['tcp'], withProcesses: false });
    expect(sockets.map((s) => s.state)).toContain('TIME-WAIT');
    expect(await findFreePort({ range: { from: port!, to: port! } })).toEqual([]);
    // Node itself sets SO_REUSEADDR, so *its* bind succeeds here: "free" is the stricter answer.
    expect(await bindable('tcp', '127.0.0.1', port!)).toBe(true);
  });

  it('--prefer: the first free preferred port, else the range', async () => {
    const [a, b, c] = await findFreePort({ range: { from: 20000, to: 29999 }, count: 3 });
    await hold('tcp', '::1', a!);
    expect(await findFreePort({ prefer: [a!, b!], range: { from: c!, to: c! } })).toEqual([b]);
    await hold('tcp', '0.0.0.0', b!);
    expect(await findFreePort({ prefer: [a!, b!], range: { from: c!, to: c! } })).toEqual([c]);
  });

  it('an exhausted range returns no port', async () => {
    const [port] = await findFreePort({ range: { from: 20000, to: 29999 } });
    await hold('udp', '::', port!);
    expect(await findFreePort({ protocol: 'udp', range: { from: port!, to: port! } })).toEqual([]);
  });

  it('by default avoids the ephemeral range and browser-unsafe ports', async () => {
    const settings = await collectPortSettings();
    const ephemeral = settings.ok ? settings.value.ephemeralRange : { from: 32768, to: 60999 };
    const ports = await findFreePort({ count: 20 });
    expect(ports).toHaveLength(20);
    for (const port of ports) {
      expect(port >= ephemeral.from && port <= ephemeral.to).toBe(false);
      expect(isBrowserUnsafePort(port)).toBe(false);
      expect(port).toBeGreaterThanOrEqual(1024);
    }
    expect(new Set(ports).size).toBe(20);
  });

  it('reserveFreePort returns the bound server: the port stays taken until release()', async () => {
    const reserved = await reserveFreePort({ range: { from: 20000, to: 29999 } });
    expect(reserved).not.toBeNull();
    const { port, server, release } = reserved!;
    expect(server.address()).toMatchObject({ port, address: '127.0.0.1' });
    expect(await findFreePort({ range: { from: port, to: port } })).toEqual([]);
    await release();
    expect(await findFreePort({ range: { from: port, to: port } })).toEqual([port]);

    const udp = await reserveFreePort({ protocol: 'udp', host: '::1', range: { from: 20000, to: 29999 } });
    expect(udp?.protocol).toBe('udp');
    expect(await findFreePort({ protocol: 'udp', range: { from: udp!.port, to: udp!.port } })).toEqual([]);
    await udp!.release();
  });
});
