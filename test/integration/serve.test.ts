import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { serve, type ServeEvent } from '../../src/actions/serve.js';
import { selftest } from '../../src/actions/selftest.js';
import { PortdoctorError } from '../../src/errors.js';
import { waitUntil } from '../helpers/wait-until.js';

/** Sends `text` over TCP, half-closes, and collects everything echoed back. */
function echoOverTcp(host: string, port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.once('connect', () => socket.end(text));
    socket.once('close', () => resolve(received));
    socket.once('error', reject);
  });
}

function getPage(url: string, accept = '*/*'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { accept }, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .once('error', reject);
  });
}

describe('serve: echo', () => {
  it('listens on both 127.0.0.1 and ::1 on one kernel-chosen port and echoes on each', async () => {
    const events: ServeEvent[] = [];
    await using server = await serve({ port: 0, onEvent: (event) => events.push(event) });
    expect(server.port).toBeGreaterThan(0);
    expect(server.addresses.map((address) => [address.address, address.port, address.protocol])).toEqual([
      ['127.0.0.1', server.port, 'tcp'],
      ['::1', server.port, 'tcp'],
    ]);
    expect(await echoOverTcp('127.0.0.1', server.port, 'hello v4')).toBe('hello v4');
    expect(await echoOverTcp('::1', server.port, 'hello v6')).toBe('hello v6');
    expect(events.filter((event) => event.event === 'listening')).toHaveLength(2);
    const connections = events.filter((event) => event.event === 'connection');
    expect(connections.map((event) => event.event === 'connection' && event.localAddress)).toEqual(['127.0.0.1', '::1']);
    await waitUntil(() => events.filter((event) => event.event === 'disconnected').length === 2, 'both echo connections reported closed');
    expect(events.filter((event) => event.event === 'disconnected').map((event) => event.event === 'disconnected' && event.bytes)).toEqual([8, 8]);
  });

  it('stops by itself after --max-connections, and the port is released', async () => {
    const server = await serve({ host: '127.0.0.1', port: 0, maxConnections: 1 });
    const late: ServeEvent[] = [];
    server.on('event', (event) => late.push(event));
    expect(await echoOverTcp('127.0.0.1', server.port, 'once')).toBe('once');
    expect(await server.done).toBe('max-connections');
    expect(late.at(-1)).toMatchObject({ event: 'closed', reason: 'max-connections' });
    await expect(echoOverTcp('127.0.0.1', server.port, 'again')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops after durationMs and on abort, ending open connections', async () => {
    const timed = await serve({ host: '::1', port: 0, durationMs: 100 });
    const client = net.connect({ host: '::1', port: timed.port });
    const clientClosed = new Promise((resolve) => client.once('close', resolve));
    client.on('error', () => undefined);
    expect(await timed.done).toBe('duration');
    await clientClosed;

    const controller = new AbortController();
    const aborted = await serve({ host: '127.0.0.1', port: 0, signal: controller.signal });
    controller.abort();
    expect(await aborted.done).toBe('aborted');
  });

  it('a port in use is a PortdoctorError naming the address, with `portdoctor who` as the hint', async () => {
    await using held = await serve({ host: '127.0.0.1', port: 0 });
    const failure = await serve({ port: held.port }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PortdoctorError);
    expect(failure).toMatchObject({ code: 'port-in-use', hint: `See what: portdoctor who ${held.port}` });
    expect((failure as Error).message).toContain(`127.0.0.1:${held.port}`);
    // When the second address (::1) is the one in use, the first (127.0.0.1) is released again.
    await using v6 = await serve({ host: '::1', port: 0 });
    const second = await serve({ port: v6.port }).catch((error: unknown) => error);
    expect(second).toMatchObject({ code: 'port-in-use' });
    await using again = await serve({ host: '127.0.0.1', port: v6.port });
    expect(again.port).toBe(v6.port);
  });

  it('an address no interface has is EADDRNOTAVAIL, said plainly', async () => {
    await expect(serve({ host: '192.0.2.77', port: 0 })).rejects.toMatchObject({ code: 'bad-target', message: expect.stringContaining('EADDRNOTAVAIL') });
  });
});

describe('serve: http and udp', () => {
  it('--http answers a page saying who answered: pid, both ends, time', async () => {
    const events: ServeEvent[] = [];
    await using server = await serve({ port: 0, mode: 'http', onEvent: (event) => events.push(event) });
    const text = await getPage(`http://[::1]:${server.port}/hello?x=1`);
    expect(text.status).toBe(200);
    expect(text.body).toContain(`pid ${process.pid}`);
    expect(text.body).toContain(`you connected to: [::1]:${server.port}`);
    expect(text.body).toContain('request: GET /hello?x=1');
    const html = await getPage(`http://127.0.0.1:${server.port}/`, 'text/html');
    expect(html.body).toMatch(/^<!doctype html>/);
    expect(html.body).toContain(`pid ${process.pid}`);
    await waitUntil(() => events.filter((event) => event.event === 'request').length === 2, 'both requests reported');
    expect(events.filter((event) => event.event === 'request')).toHaveLength(2);
  });

  it('--udp echoes datagrams on both families and counts them for maxConnections', async () => {
    const server = await serve({ port: 0, mode: 'udp', maxConnections: 2 });
    expect(server.addresses.every((address) => address.protocol === 'udp')).toBe(true);
    for (const [type, host] of [['udp4', '127.0.0.1'], ['udp6', '::1']] as const) {
      const client = dgram.createSocket(type);
      const reply = new Promise<string>((resolve) => client.once('message', (message) => resolve(message.toString())));
      client.send(`ping ${host}`, server.port, host);
      expect(await reply).toBe(`ping ${host}`);
      client.close();
    }
    expect(await server.done).toBe('max-connections');
  });
});

describe('selftest', () => {
  it('measures TCP and UDP round trips over both families', async () => {
    const result = await selftest({ rounds: 50 });
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => `${check.protocol} ${check.address} ${check.status}`)).toEqual([
      'tcp 127.0.0.1 ok',
      'tcp ::1 ok',
      'udp 127.0.0.1 ok',
      'udp ::1 ok',
    ]);
    for (const check of result.checks) {
      expect(check.roundTrips).toBe(50);
      expect(check.latencyMs?.min).toBeGreaterThan(0);
      expect(check.latencyMs?.median).toBeLessThan(50);
    }
  });

  it('rejects a silly number of rounds', async () => {
    await expect(selftest({ rounds: 0 })).rejects.toMatchObject({ code: 'bad-usage' });
  });
});
