import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyReply, expectedProtocol, findMismatch, printable, probeFor, replyComplete, schemeProtocol } from '../../src/collectors/fingerprint-classify.js';
import { mysqlGreeting } from '../helpers/servers.js';

// Captured from real servers on this machine by test/fixtures/fingerprint/capture.mjs.
const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/fingerprint/${name}`, import.meta.url));

describe('classifyReply on captured replies', () => {
  it('redis PING → +PONG, and -NOAUTH with requirepass', () => {
    expect(classifyReply(fixture('redis-ping.bin'), 'redis')).toEqual({ protocol: 'redis', detail: { reply: '+PONG' } });
    expect(classifyReply(fixture('redis-ping-noauth.bin'), 'redis')).toEqual({ protocol: 'redis', detail: { reply: '-NOAUTH Authentication required.' } });
  });

  it('memcached version', () => {
    expect(classifyReply(fixture('memcached-version.bin'), 'memcached')).toEqual({ protocol: 'memcached', detail: { reply: 'VERSION 1.6.18', version: '1.6.18' } });
  });

  it('nginx and node HTTP replies: status, reason, Server header', () => {
    expect(classifyReply(fixture('nginx-http-get.bin'), 'http')).toEqual({ protocol: 'http', detail: { httpStatus: 204, httpReason: 'No Content', server: 'nginx/1.22.1' } });
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
    expect(classifyReply(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'), 'none')).toEqual({ protocol: 'ssh', detail: { banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' } });
  });

  it('220 banners: SMTP vs FTP by text, then by hint', () => {
    expect(classifyReply(Buffer.from('220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n'), 'none').protocol).toBe('smtp');
    expect(classifyReply(Buffer.from('220 (vsFTPd 3.0.3)\r\n'), 'none').protocol).toBe('ftp');
    expect(classifyReply(Buffer.from('220 welcome\r\n'), 'none', 'ftp').protocol).toBe('ftp');
    expect(classifyReply(Buffer.from('220-multi line\r\n220 ok\r\n'), 'none', 'smtp').protocol).toBe('smtp');
  });

  it('MySQL greeting (protocol 10) gives the version; an error packet gives the message', () => {
    expect(classifyReply(mysqlGreeting('8.0.36-0ubuntu0.22.04.1'), 'none')).toEqual({ protocol: 'mysql', detail: { version: '8.0.36-0ubuntu0.22.04.1' } });
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
    const kinds = fc.constantFrom('none', 'http', 'tls', 'redis', 'postgres', 'memcached' as const);
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
    expect(expectedProtocol('mongodb', 27017)).toBe('http');
    expect(schemeProtocol('mongodb')).toBeNull();
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
