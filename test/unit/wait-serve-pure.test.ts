import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderServePage } from '../../src/actions/serve-page.js';
import { latencyStats } from '../../src/actions/selftest.js';
import { isLoopbackAddress } from '../../src/address.js';
import { addressesKnownAtOnce } from '../../src/actions/wait-addresses.js';
import { describeSocketError, statusMatches } from '../../src/actions/wait-attempts.js';
import {
  ANSWERED_MIN_INTERVAL_MS,
  FAST_INTERVAL_MS,
  FAST_START_MS,
  LOOPBACK_FAST_START_MS,
  LOOPBACK_MAX_INTERVAL_MS,
  nextAttemptDelay,
  REMOTE_MAX_INTERVAL_MS,
} from '../../src/actions/wait-schedule.js';
import { parseListenSpec } from '../../src/cli/commands/serve.js';
import { parseStatusRanges } from '../../src/cli/commands/wait.js';
import { PortdoctorError } from '../../src/errors.js';

describe('nextAttemptDelay: the bounded attempt rate', () => {
  it('tries every 5 ms during the fast start, then settles at 10 ms on loopback and 100 ms elsewhere', () => {
    expect(nextAttemptDelay({ sinceStartMs: 0, previousDelayMs: null, loopback: true, answered: false })).toBe(FAST_INTERVAL_MS);
    expect(nextAttemptDelay({ sinceStartMs: FAST_START_MS - 1, previousDelayMs: 5, loopback: false, answered: false })).toBe(FAST_INTERVAL_MS);
    expect(nextAttemptDelay({ sinceStartMs: 5000, previousDelayMs: 10, loopback: true, answered: false })).toBe(LOOPBACK_MAX_INTERVAL_MS);
    expect(nextAttemptDelay({ sinceStartMs: 5000, previousDelayMs: 100, loopback: false, answered: false })).toBe(REMOTE_MAX_INTERVAL_MS);
    // on loopback the fast start lasts longer (servers a CI job waits for come up within seconds)
    expect(nextAttemptDelay({ sinceStartMs: LOOPBACK_FAST_START_MS - 1, previousDelayMs: 5, loopback: true, answered: false })).toBe(FAST_INTERVAL_MS);
    expect(nextAttemptDelay({ sinceStartMs: FAST_START_MS + 1, previousDelayMs: 5, loopback: false, answered: false })).toBeGreaterThan(FAST_INTERVAL_MS);
    // growth after the fast start: ×1.5
    expect(nextAttemptDelay({ sinceStartMs: 300, previousDelayMs: 20, loopback: false, answered: false })).toBe(30);
  });

  it('slows to ≥ 50 ms while a server answers "not yet", unless the caller set the interval', () => {
    expect(nextAttemptDelay({ sinceStartMs: 0, previousDelayMs: null, loopback: true, answered: true })).toBe(ANSWERED_MIN_INTERVAL_MS);
    expect(nextAttemptDelay({ sinceStartMs: 0, previousDelayMs: null, loopback: true, answered: true, maxIntervalMs: 20 })).toBe(20);
  });

  it('property: the delay stays within [min(5, cap), max(cap, 50)] and never exceeds a caller cap', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 1e5, noNaN: true }), { nil: null }),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: undefined }),
        (sinceStartMs, previousDelayMs, loopback, answered, maxIntervalMs) => {
          const delay = nextAttemptDelay({ sinceStartMs, previousDelayMs, loopback, answered, maxIntervalMs });
          const cap = maxIntervalMs ?? (loopback ? LOOPBACK_MAX_INTERVAL_MS : REMOTE_MAX_INTERVAL_MS);
          expect(delay).toBeGreaterThanOrEqual(Math.min(FAST_INTERVAL_MS, cap));
          expect(delay).toBeLessThanOrEqual(maxIntervalMs ?? Math.max(cap, ANSWERED_MIN_INTERVAL_MS));
        },
      ),
    );
  });
});

describe('addresses and reasons', () => {
  it('knows loopback addresses, including the IPv4-mapped spelling', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopbackAddress(address)).toBe(true);
    for (const address of ['192.0.2.1', '::', '0.0.0.0', 'localhost', '::ffff:10.0.0.1']) expect(isLoopbackAddress(address)).toBe(false);
  });

  it('starts a bare port on both loopback families at once, a literal on itself, a name on nothing', () => {
    expect(addressesKnownAtOnce(null)).toEqual(['127.0.0.1', '::1']);
    expect(addressesKnownAtOnce('::1')).toEqual(['::1']);
    expect(addressesKnownAtOnce('localhost')).toEqual([]);
  });

  it('turns errno codes into the words of a timeout report', () => {
    const error = (code: string): Error => Object.assign(new Error(code), { code });
    expect(describeSocketError(error('ECONNREFUSED'))).toBe('refused');
    expect(describeSocketError(error('EADDRNOTAVAIL'))).toBe('address not available');
    expect(describeSocketError(error('HPE_INVALID_CONSTANT'))).toBe('not HTTP (HPE_INVALID_CONSTANT)');
    expect(describeSocketError(error('EWEIRD'))).toBe('EWEIRD');
    expect(describeSocketError(new Error('plain'))).toBe('plain');
  });
});

describe('parseStatusRanges', () => {
  it('reads ranges, single codes and lists', () => {
    expect(parseStatusRanges('200-399')).toEqual([{ from: 200, to: 399 }]);
    expect(parseStatusRanges('204')).toEqual([{ from: 204, to: 204 }]);
    expect(parseStatusRanges('200, 301-308')).toEqual([
      { from: 200, to: 200 },
      { from: 301, to: 308 },
    ]);
    expect(statusMatches(302, parseStatusRanges('200,301-308'))).toBe(true);
    expect(statusMatches(503, parseStatusRanges('200-399'))).toBe(false);
  });

  it('rejects anything else as bad usage', () => {
    for (const text of ['', '2xx', '399-200', '99', '600', '200-', 'abc,200']) {
      expect(() => parseStatusRanges(text), text).toThrow(PortdoctorError);
    }
  });
});

describe('parseListenSpec', () => {
  it('accepts PORT, HOST:PORT, [v6]:PORT and port 0', () => {
    expect(parseListenSpec('0')).toEqual({ host: null, port: 0 });
    expect(parseListenSpec('8080')).toEqual({ host: null, port: 8080 });
    expect(parseListenSpec('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenSpec('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenSpec('0.0.0.0:3000')).toEqual({ host: '0.0.0.0', port: 3000 });
    expect(parseListenSpec('10')).toEqual({ host: null, port: 10 });
  });

  it('rejects URLs, bad ports and bad hosts', () => {
    for (const text of ['http://localhost:3000', 'x', '70000', 'bad host:1', '[::1:0', '']) {
      expect(() => parseListenSpec(text), text).toThrow(PortdoctorError);
    }
  });
});

describe('latencyStats', () => {
  it('computes median, nearest-rank p95, min and max to the microsecond', () => {
    expect(latencyStats([0.05, 0.02, 0.03])).toEqual({ median: 0.03, p95: 0.05, min: 0.02, max: 0.05 });
    expect(latencyStats([1, 2, 3, 4])).toEqual({ median: 2.5, p95: 4, min: 1, max: 4 });
    expect(latencyStats([0.1234567])).toEqual({ median: 0.123, p95: 0.123, min: 0.123, max: 0.123 });
    expect(latencyStats([])).toBeNull();
  });

  it('property: min ≤ median ≤ p95 ≤ max', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 300 }), (samples) => {
        const stats = latencyStats(samples);
        expect(stats).not.toBeNull();
        if (stats === null) return;
        expect(stats.min).toBeLessThanOrEqual(stats.median);
        expect(stats.median).toBeLessThanOrEqual(stats.p95);
        expect(stats.p95).toBeLessThanOrEqual(stats.max);
      }),
    );
  });
});

describe('renderServePage', () => {
  const facts = {
    pid: 4242,
    hostname: 'box',
    localAddress: '::1',
    localPort: 8080,
    remoteAddress: '::1',
    remotePort: 51234,
    method: 'GET',
    path: '/<script>',
    time: '2024-06-01T12:00:01.000Z',
  };

  it('answers curl with text naming the pid, both ends and the time', () => {
    const page = renderServePage(facts, '*/*');
    expect(page.contentType).toMatch(/^text\/plain/);
    expect(page.body).toContain('pid 4242');
    expect(page.body).toContain('you connected to: [::1]:8080');
    expect(page.body).toContain('from: [::1]:51234');
    expect(page.body).toContain('2024-06-01T12:00:01.000Z');
  });

  it('answers a browser with escaped HTML', () => {
    const page = renderServePage(facts, 'text/html,application/xhtml+xml');
    expect(page.contentType).toMatch(/^text\/html/);
    expect(page.body).toContain('pid 4242');
    expect(page.body).toContain('GET /&lt;script&gt;');
    expect(page.body).not.toContain('<script>');
  });
});
