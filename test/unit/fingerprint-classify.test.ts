import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyReply, expectedProtocol, findMismatch, MONGO_REQUEST_ID, printable, probeFor, replyComplete, schemeProtocol } from '../../src/collectors/fingerprint-classify.js';
import { mysqlGreeting } from '../helpers/servers.js';

// Captured from real servers (see test/fixtures/fingerprint/SOURCES.md).
const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/fingerprint/${name}`, import.meta.url));

describe('classifyReply on captured replies', () => {
  it('redis PING → +PONG, and -NOAUTH with requirepass', () => {
    expect(classifyReply(fixture('redis-ping.bin'), 'redis')).toEqual({ protocol: 'redis', detail: { reply: '+PONG' } });
    expect(classifyReply(fixture('redis-ping-noauth.bin'), 'redis')).toEqual({ protocol: 'redis', detail: { reply: '-NOAUTH Authentication required.' } });
  });

  it('memcached version', () => {
    expect(classifyReply(fixture('memcached-version.bin'), 'memcached')).toEqual({ protocol: 'memcached', detail: { reply: 'VERSION 1.6.18', product: 'memcached', version: '1.6.18' } });
  });

  it('nginx and node HTTP replies: status, reason, Server header', () => {
    expect(classifyReply(fixture('nginx-http-get.bin'), 'http')).toEqual({ protocol: 'http', detail: { httpStatus: 204, httpReason: 'No Content', server: 'nginx/1.22.1', product: 'nginx', version: '1.22.1' } });
    expect(classifyReply(fixture('node-http-get.bin'), 'http')).toEqual({ protocol: 'http', detail: { httpStatus: 200, httpReason: 'OK' } });
  });

  it("nginx's plain-HTTP-to-HTTPS-port page means the port speaks TLS", () => {
    const result = classifyReply(fixture('nginx-http-to-https-port.bin'), 'http', 'http');
    expect(result.protocol).toBe('tls');
    expect(result.detail).toMatchObject({ httpStatus: 400, plainHttpToHttpsPort: true, server: 'nginx/1.22.1' });
  });

  it('a plain HTTP server answering a ClientHello is HTTP (400)', () => {
    expect(classifyReply(fixture('node-http-reply-to-tls-hello.bin'), 'tls')).toMatchObject({ protocol: 'http', detail: { httpStatus: 400 } });
    expect(classifyReply(fixture('nginx-plain-reply-to-tls-hello.bin'), 'tls')).toMatchObject({ protocol: 'http', detail: { httpStatus: 400 } });
  });

  it('servers that hang up on a foreign request leave nothing to classify (captured as empty)', () => {
    for (const name of ['redis-http-get.bin', 'memcached-http-get.bin', 'node-https-reply-to-http-get.bin']) {
      expect(fixture(name).length).toBe(0);
      expect(classifyReply(fixture(name), 'http')).toEqual({ protocol: 'unknown', detail: {} });
    }
  });
});

describe('classifyReply on greetings and edge cases', () => {
  it('SSH banner', () => {
    expect(classifyReply(fixture('openssh-banner.bin'), 'none')).toEqual({ protocol: 'ssh', detail: { banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10', product: 'OpenSSH', version: '9.2p1' } });
    expect(classifyReply(Buffer.from('SSH-2.0-dropbear_2022.83\r\n'), 'none').detail).toMatchObject({ product: 'dropbear', version: '2022.83' });
    expect(classifyReply(Buffer.from('SSH-2.0-Go\r\n'), 'none').detail).toEqual({ banner: 'SSH-2.0-Go', product: 'Go' });
  });

  it('220 banners: SMTP vs FTP by text, then by hint', () => {
    expect(classifyReply(Buffer.from('220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n'), 'none').protocol).toBe('smtp');
    expect(classifyReply(Buffer.from('220 (vsFTPd 3.0.3)\r\n'), 'none').protocol).toBe('ftp');
    expect(classifyReply(Buffer.from('220 welcome\r\n'), 'none', 'ftp').protocol).toBe('ftp');
    expect(classifyReply(Buffer.from('220-multi line\r\n220 ok\r\n'), 'none', 'smtp').protocol).toBe('smtp');
  });

  it('MySQL greeting (protocol 10) gives the version; an error packet gives the message', () => {
    expect(classifyReply(mysqlGreeting('8.0.36-0ubuntu0.22.04.1'), 'none')).toEqual({ protocol: 'mysql', detail: { product: 'MySQL', version: '8.0.36-0ubuntu0.22.04.1' } });
    expect(classifyReply(fixture('mariadb-greeting.bin'), 'none')).toEqual({ protocol: 'mysql', detail: { product: 'MariaDB', version: '5.5.5-10.11.19-MariaDB-0+deb12u1' } });
    expect(classifyReply(mysqlGreeting('5.5.5-10.11.6-MariaDB-0+deb12u1'), 'none').detail.version).toBe('5.5.5-10.11.6-MariaDB-0+deb12u1');
    const message = Buffer.from("Host '10.0.0.5' is not allowed to connect to this MySQL server", 'latin1');
    const payload = Buffer.concat([Buffer.from([0xff, 0x6a, 0x04]), message]);
    const packet = Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]);
    expect(classifyReply(packet, 'none')).toEqual({ protocol: 'mysql', detail: { reply: message.toString('latin1') } });
  });

  it('PostgreSQL SSLRequest answers S and N', () => {
    expect(classifyReply(Buffer.from('S'), 'postgres')).toEqual({ protocol: 'postgres', detail: { postgresSsl: true } });
    expect(classifyReply(Buffer.from('N'), 'postgres')).toEqual({ protocol: 'postgres', detail: { postgresSsl: false } });
    // The same single byte after an HTTP request is not PostgreSQL.
    expect(classifyReply(Buffer.from('N'), 'http').protocol).toBe('unknown');
  });

  it('TLS records in reply to something else', () => {
    expect(classifyReply(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]), 'http')).toEqual({ protocol: 'tls', detail: { tlsRecord: 'alert' } });
    expect(classifyReply(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x40]), 'http').detail).toEqual({ tlsRecord: 'handshake' });
  });

  it('unknown bytes become a printable banner', () => {
    expect(classifyReply(Buffer.from([0x00, 0x01, 0x41, 0x42, 0x0d, 0x0a]), 'http')).toEqual({ protocol: 'unknown', detail: { banner: '..AB' } });
  });

  it('never throws, and banners stay printable and short, on any bytes (property)', () => {
    const kinds = fc.constantFrom('none', 'http', 'http2', 'tls', 'redis', 'postgres', 'memcached', 'mongodb', 'amqp' as const);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), kinds, (bytes, kind) => {
        const result = classifyReply(Buffer.from(bytes), kind);
        const banner = result.detail.banner;
        if (banner !== undefined) {
          expect(banner.length).toBeLessThanOrEqual(200);
          expect(banner).toMatch(/^[\x20-\x7e]*$/);
        }
        replyComplete(Buffer.from(bytes), kind);
      }),
    );
  });

  it('any SSH-prefixed line is SSH (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 60 }), (rest) => {
        expect(classifyReply(Buffer.from(`SSH-${rest.replace(/[\r\n]/g, '')}\r\n`), 'none').protocol).toBe('ssh');
      }),
    );
  });

  it('printable caps length and masks control bytes', () => {
    expect(printable(Buffer.from('a\tb\x7fc'))).toBe('a.b.c');
    expect(printable(Buffer.alloc(500, 0x41)).length).toBe(200);
  });
});

describe('expectations and mismatches', () => {
  it('scheme beats port; port beats the HTTP default', () => {
    expect(expectedProtocol('https', 80)).toBe('tls');
    expect(expectedProtocol(null, 6379)).toBe('redis');
    expect(expectedProtocol(null, 5432)).toBe('postgres');
    expect(expectedProtocol(null, 3000)).toBe('http');
    expect(expectedProtocol('mongodb', 1234)).toBe('mongodb');
    expect(expectedProtocol(null, 5672)).toBe('amqp');
    expect(schemeProtocol('udp')).toBeNull();
  });

  it('speaks-first protocols get no probe', () => {
    expect(probeFor('ssh')).toBe('none');
    expect(probeFor('mysql')).toBe('none');
    expect(probeFor('unknown')).toBe('http');
  });

  it('reports https→http and http→tls, not port guesses or unknowns', () => {
    expect(findMismatch('https', 'http')).toMatchObject({ expected: 'tls', found: 'http' });
    expect(findMismatch('http', 'tls')?.message).toContain('use https://');
    expect(findMismatch('redis', 'http')).toMatchObject({ expected: 'redis', found: 'http' });
    expect(findMismatch(null, 'tls')).toBeNull();
    expect(findMismatch('https', 'tls')).toBeNull();
    expect(findMismatch('http', 'unknown')).toBeNull();
  });

  it('replyComplete waits for the end of HTTP headers, a line, or a whole MySQL packet', () => {
    expect(replyComplete(Buffer.from('HTTP/1.1 200 OK\r\n'), 'http')).toBe(false);
    expect(replyComplete(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), 'http')).toBe(true);
    expect(replyComplete(Buffer.from('SSH-2.0-x'), 'none')).toBe(false);
    const greeting = mysqlGreeting('8.0.36');
    expect(replyComplete(greeting.subarray(0, 20), 'none')).toBe(false);
    expect(replyComplete(greeting, 'none')).toBe(true);
    expect(replyComplete(Buffer.from('S'), 'postgres')).toBe(true);
  });
});

describe('the second round: replies to the probe sequence and its follow-ups (captured)', () => {
  it('Redis INFO server: product, version, mode', () => {
    expect(classifyReply(fixture('redis-info-server.bin'), 'redis')).toEqual({ protocol: 'redis', detail: { product: 'Redis', version: '7.0.15', mode: 'standalone' } });
  });

  it("Redis answering memcached's `version`: still Redis", () => {
    expect(classifyReply(fixture('redis-reply-to-memcached-version.bin'), 'memcached')).toMatchObject({ protocol: 'redis', detail: { reply: expect.stringMatching(/^-ERR unknown command 'version'/) } });
  });

  it('RabbitMQ Connection.Start: product, version, AMQP 0-9', () => {
    expect(classifyReply(fixture('rabbitmq-connection-start.bin'), 'amqp')).toEqual({ protocol: 'amqp', detail: { protocolVersion: '0-9', product: 'RabbitMQ', version: '3.10.8' } });
  });

  it('RabbitMQ answering an HTTP GET with its protocol header: AMQP 0-0-9-1', () => {
    expect(classifyReply(fixture('rabbitmq-reply-to-http-get.bin'), 'http')).toEqual({ protocol: 'amqp', detail: { protocolVersion: '0-9-1' } });
    // Our own header coming back (sent: amqp) is an echo, not a broker.
    expect(classifyReply(fixture('rabbitmq-reply-to-http-get.bin'), 'amqp').protocol).toBe('unknown');
  });

  it('HTTP/2: the SETTINGS frame nginx sends in answer to HTTP/1.1, and the one Node sends first', () => {
    expect(classifyReply(fixture('nginx-h2c-reply-to-http-get.bin'), 'http').protocol).toBe('http2');
    expect(classifyReply(fixture('node-h2c-greeting.bin'), 'none').protocol).toBe('http2');
    expect(replyComplete(fixture('node-h2c-greeting.bin'), 'none')).toBe(true);
    expect(replyComplete(fixture('nginx-h2c-reply-to-http-get.bin').subarray(0, 12), 'http')).toBe(false);
  });

  it('MongoDB: the hello/buildInfo reply (laid out per the OP_MSG and BSON specs) and the HTTP page mongod serves', () => {
    expect(classifyReply(opMsgReply(MONGO_REQUEST_ID, { version: '7.0.14', maxWireVersion: 21, ok: 1 }), 'mongodb')).toEqual({ protocol: 'mongodb', detail: { product: 'MongoDB', version: '7.0.14', protocolVersion: '21' } });
    // A reply to someone else's request (or our message echoed, responseTo 0) is not one.
    expect(classifyReply(opMsgReply(7, { version: '7.0.14' }), 'mongodb').protocol).toBe('unknown');
    const page = 'HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 85\r\n\r\nIt looks like you are trying to access MongoDB over HTTP on the native driver port.\r\n';
    expect(classifyReply(Buffer.from(page), 'http')).toMatchObject({ protocol: 'mongodb', detail: { product: 'MongoDB', httpStatus: 200 } });
  });
});

/** An OP_MSG reply with one body section: a BSON document of strings, int32s and doubles. */
function opMsgReply(responseTo: number, fields: Record<string, string | number>): Buffer {
  const elements = Object.entries(fields).map(([name, value]) => {
    const key = Buffer.from(`${name}\0`);
    if (typeof value === 'string') {
      const text = Buffer.from(`${value}\0`);
      const length = Buffer.alloc(4);
      length.writeInt32LE(text.length);
      return Buffer.concat([Buffer.from([0x02]), key, length, text]);
    }
    // mongod sends `ok` as a double; counters such as maxWireVersion as int32.
    if (name === 'ok' || !Number.isInteger(value)) {
      const double = Buffer.alloc(8);
      double.writeDoubleLE(value);
      return Buffer.concat([Buffer.from([0x01]), key, double]);
    }
    const int32 = Buffer.alloc(4);
    int32.writeInt32LE(value);
    return Buffer.concat([Buffer.from([0x10]), key, int32]);
  });
  const body = Buffer.concat([...elements, Buffer.from([0])]);
  const document = Buffer.concat([Buffer.alloc(4), body]);
  document.writeInt32LE(document.length);
  const message = Buffer.concat([Buffer.alloc(16), Buffer.alloc(4), Buffer.from([0]), document]);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(99, 4);
  message.writeInt32LE(responseTo, 8);
  message.writeInt32LE(2013, 12);
  return message;
}
