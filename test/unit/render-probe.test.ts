import { describe, expect, it } from 'vitest';
import type { Fingerprint } from '../../src/collectors/fingerprint.js';
import type { ProbeResult } from '../../src/collectors/probe.js';
import { describeFingerprint, renderProbe } from '../../src/render/probe.js';

const fp = (over: Partial<Fingerprint>): Fingerprint => ({
  protocol: 'unknown',
  detail: {},
  answered: true,
  closedImmediately: false,
  reset: false,
  probeSent: 'none',
  mismatch: null,
  error: null,
  tried: [],
  durationMs: 1,
  ...over,
});

const result = (over: Partial<ProbeResult>): ProbeResult => ({
  status: 'open',
  latencyMs: 0.3,
  protocol: 'ssh',
  target: 'localhost:2222',
  host: 'localhost',
  port: 2222,
  transport: 'tcp',
  address: '::1',
  fingerprint: null,
  attempts: [],
  resolution: null,
  note: null,
  ...over,
});

describe('describeFingerprint', () => {
  it('names what answered, or how it stayed quiet', () => {
    expect(describeFingerprint(fp({ protocol: 'http', detail: { httpStatus: 404, httpReason: 'Not Found', server: 'nginx' } }), 1000)).toBe('http 404 Not Found, Server nginx');
    expect(describeFingerprint(fp({ protocol: 'tls', detail: { tlsVersion: 'TLSv1.3', certSubject: 'x', httpStatus: 200 } }), 1000)).toBe('tls TLSv1.3, CN=x, http 200');
    expect(describeFingerprint(fp({ protocol: 'postgres', detail: { postgresSsl: true } }), 1000)).toBe('postgres SSL available');
    expect(describeFingerprint(fp({ answered: false }), 750)).toBe('no reply within 750 ms');
    expect(describeFingerprint(fp({ answered: false, closedImmediately: true }), 750)).toBe('closed without a word');
  });
});

describe('renderProbe', () => {
  const banner = `SSH-2.0-${'x'.repeat(150)}`;
  const probe = result({
    fingerprint: fp({ protocol: 'ssh', detail: { banner } }),
    attempts: [
      { address: '::1', family: 'ipv6', status: 'open', latencyMs: 0.3, error: null, fingerprint: fp({ protocol: 'ssh', detail: { banner } }) },
      { address: '127.0.0.1', family: 'ipv4', status: 'refused', latencyMs: 12.5, error: 'ECONNREFUSED', fingerprint: null },
    ],
  });

  it('cuts long details to the width and aligns the columns', () => {
    const lines = renderProbe(probe, { color: false, width: 80, timeoutMs: 1000 });
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^ {2}✔ \[::1\]:2222 {6}open {6}0\.3 ms {2}ssh SSH-2\.0-x+…$/);
    expect(lines[2]).toBe('  ✖ 127.0.0.1:2222  refused  12.5 ms  ECONNREFUSED');
  });

  it('colours only when asked', () => {
    expect(renderProbe(probe, { color: false, width: 80, timeoutMs: 1000 }).join('\n').includes('\u001b[')).toBe(false);
    expect(renderProbe(probe, { color: true, width: 80, timeoutMs: 1000 }).join('\n').includes('\u001b[32m✔')).toBe(true);
  });

  it('a name that does not resolve is one line', () => {
    const lines = renderProbe(result({ status: 'unreachable', address: null, latencyMs: null, protocol: null, host: 'nope.invalid', resolution: { host: 'nope.invalid', literal: false, addresses: [], getaddrinfoFirst: null, nodeOrder: [], nodeFirst: null, nodeResultOrder: 'verbatim', autoSelectFamily: true, addrconfigAddresses: [], ipv4Addresses: [], ipv6Addresses: [], error: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND nope.invalid' } } }), { color: false, width: 80, timeoutMs: 1000 });
    expect(lines).toEqual(['✖ nope.invalid does not resolve (ENOTFOUND)']);
  });
});
