import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, ownProbe, planProbes, PROBE_WAVES, type TrialView } from '../../src/collectors/fingerprint-plan.js';
import { productOfMysqlVersion, productOfServerHeader, productOfWelcome } from '../../src/collectors/fingerprint-product.js';
import { amqpFrameComplete, parseAmqpHeader, parseConnectionStart } from '../../src/collectors/wire/amqp.js';
import { http2FrameComplete, isHttp2Settings } from '../../src/collectors/wire/http2.js';
import { mongoCommand, mongoMessageComplete, parseMongoReply } from '../../src/collectors/wire/mongodb.js';
import { parsePostgresStartupReply, postgresMessageComplete, postgresStartupMessage } from '../../src/collectors/wire/postgres.js';
import { parseRedisInfo, redisReplyComplete } from '../../src/collectors/wire/redis.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/fingerprint/${name}`, import.meta.url));

describe('wire readers on captured replies', () => {
  it('PostgreSQL: trust authentication, then the role error with where it was raised', () => {
    expect(parsePostgresStartupReply(fixture('postgres-startup-reply.bin'))).toEqual({
      authentication: 'none',
      error: { severity: 'FATAL', code: '28000', message: 'role "portdoctor-probe" does not exist', file: 'miscinit.c', line: '768', routine: 'InitializeSessionUserId' },
    });
    expect(postgresMessageComplete(fixture('postgres-startup-reply.bin'))).toBe(true);
    expect(postgresMessageComplete(fixture('postgres-startup-reply.bin').subarray(0, 4))).toBe(false);
  });

  it('PostgreSQL: SCRAM asked for (AuthenticationSASL lists the mechanisms); nothing else is sent', () => {
    const mechanisms = Buffer.from('SCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0');
    const body = Buffer.concat([Buffer.from([0, 0, 0, 10]), mechanisms]);
    const message = Buffer.concat([Buffer.from('R'), Buffer.from([0, 0, 0, 4 + body.length]), body]);
    expect(parsePostgresStartupReply(message)).toEqual({ authentication: 'SCRAM-SHA-256-PLUS SCRAM-SHA-256' });
  });

  it('the startup message names the probe role and protocol 3.0', () => {
    const message = postgresStartupMessage();
    expect(message.readInt32BE(0)).toBe(message.length);
    expect(message.readInt32BE(4)).toBe(196608);
    expect(message.toString('utf8', 8)).toContain('user\0portdoctor-probe\0');
  });

  it('AMQP: Connection.Start of RabbitMQ, and its header', () => {
    const start = parseConnectionStart(fixture('rabbitmq-connection-start.bin'));
    expect(start).toMatchObject({ protocolVersion: '0-9', mechanisms: expect.stringContaining('PLAIN') });
    expect(start?.properties).toMatchObject({ product: 'RabbitMQ', version: '3.10.8', platform: expect.stringMatching(/^Erlang\/OTP/) });
    expect(amqpFrameComplete(fixture('rabbitmq-connection-start.bin'))).toBe(true);
    expect(amqpFrameComplete(fixture('rabbitmq-connection-start.bin').subarray(0, 100))).toBe(false);
    expect(parseAmqpHeader(fixture('rabbitmq-reply-to-http-get.bin'))).toBe('0-9-1');
  });

  it('Redis INFO server', () => {
    expect(parseRedisInfo(fixture('redis-info-server.bin'))).toEqual({ product: 'Redis', version: '7.0.15', mode: 'standalone' });
    expect(redisReplyComplete(fixture('redis-info-server.bin'))).toBe(true);
    expect(redisReplyComplete(fixture('redis-info-server.bin').subarray(0, 100))).toBe(false);
    expect(parseRedisInfo(Buffer.from('$30\r\n# Server\r\nvalkey_version:8.0.1\r\n\r\n'))?.product).toBe('Valkey');
  });

  it('HTTP/2 SETTINGS frames', () => {
    expect(isHttp2Settings(fixture('nginx-h2c-reply-to-http-get.bin'))).toBe(true);
    expect(isHttp2Settings(fixture('node-h2c-greeting.bin'))).toBe(true);
    expect(http2FrameComplete(fixture('node-h2c-greeting.bin'))).toBe(true);
    // A SETTINGS ACK (flags 1) or a frame on a stream is not a server preface.
    expect(isHttp2Settings(Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]))).toBe(false);
    expect(isHttp2Settings(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 1]))).toBe(false);
  });
});

describe('MongoDB OP_MSG', () => {
  it('our hello is a well-formed OP_MSG', () => {
    const message = mongoCommand('hello', 42);
    expect(message.readInt32LE(0)).toBe(message.length);
    expect(message.readInt32LE(4)).toBe(42);
    expect(message.readInt32LE(12)).toBe(2013);
    expect(message.toString('latin1')).toContain('hello\0');
    expect(mongoMessageComplete(message)).toBe(true);
    // Our own message echoed back is not a reply to it (responseTo 0).
    expect(parseMongoReply(message, 42)).toBeNull();
  });
});

describe('wire readers never throw and never invent (property)', () => {
  it('on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (raw) => {
        const bytes = Buffer.from(raw);
        parsePostgresStartupReply(bytes);
        parseConnectionStart(bytes);
        parseMongoReply(bytes, 1);
        parseRedisInfo(bytes);
        for (const complete of [postgresMessageComplete, amqpFrameComplete, mongoMessageComplete, http2FrameComplete, redisReplyComplete]) expect(typeof complete(bytes)).toBe('boolean');
      }),
    );
  });

  it('a truncated capture is never read as whole', () => {
    const whole = fixture('rabbitmq-connection-start.bin');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: whole.length - 1 }), (cut) => {
        expect(parseConnectionStart(whole.subarray(0, cut))).toBeNull();
      }),
    );
  });
});

describe('product names from what servers announce', () => {
  it('Server headers, MySQL versions, 220 lines', () => {
    expect(productOfServerHeader('Apache/2.4.57 (Debian)')).toEqual({ product: 'Apache', version: '2.4.57' });
    expect(productOfServerHeader('gunicorn')).toEqual({ product: 'gunicorn' });
    expect(productOfServerHeader('  ')).toBeNull();
    expect(productOfMysqlVersion('8.0.36-0ubuntu0.22.04.1')).toEqual({ product: 'MySQL', version: '8.0.36' });
    expect(productOfMysqlVersion('11.4.2-MariaDB')).toEqual({ product: 'MariaDB', version: '11.4.2' });
    expect(productOfWelcome('220 (vsFTPd 3.0.3)')).toEqual({ product: 'vsFTPd', version: '3.0.3' });
    expect(productOfWelcome('220 mail.example.org ESMTP Postfix (Debian/GNU)')).toEqual({ product: 'Postfix' });
    expect(productOfWelcome('220 welcome')).toBeNull();
  });
});

describe('the probe plan', () => {
  const settled = (probe: TrialView['probe'], protocol: string | null): TrialView => ({
    probe,
    settled: true,
    classification: protocol === null ? null : { protocol: protocol as never, detail: {} },
  });
  const pending = (probe: TrialView['probe']): TrialView => ({ probe, settled: false, classification: null });

  it('the likely probe first, then every other probe once', () => {
    expect(planProbes('http')).toEqual(PROBE_WAVES.map((wave) => [...wave]));
    const forRedis = planProbes('redis');
    expect(forRedis[0]).toEqual(['redis']);
    expect(forRedis.flat().sort()).toEqual(PROBE_WAVES.flat().sort());
  });

  it("a reply in the probe's own protocol settles it", () => {
    expect(decide([settled('http', null), settled('redis', 'redis')], [])).toEqual({ kind: 'found', trial: 1 });
  });

  it("a reply to a foreign probe asks the protocol's own probe next, and falls back to it if that fails", () => {
    expect(decide([settled('http', 'amqp')], [['redis', 'memcached'], ['amqp']])).toEqual({ kind: 'jump', probe: 'amqp' });
    expect(decide([settled('http', 'amqp'), pending('amqp')], [])).toEqual({ kind: 'continue' });
    expect(decide([settled('http', 'amqp'), settled('amqp', 'amqp')], [])).toEqual({ kind: 'found', trial: 1 });
    expect(decide([settled('http', 'amqp'), settled('amqp', null)], [])).toEqual({ kind: 'found', trial: 0 });
  });

  it('greet-first protocols need no own probe; unknown replies settle nothing', () => {
    expect(ownProbe('ssh')).toBeNull();
    expect(decide([settled('http', 'ssh')], [['redis']])).toEqual({ kind: 'found', trial: 0 });
    expect(decide([settled('http', 'unknown')], [['redis']])).toEqual({ kind: 'continue' });
  });
});
