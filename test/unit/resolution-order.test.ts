import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nodeConnectOrder, type ResolvedAddress } from '../../src/collectors/resolution.js';
import { statusOfConnectError } from '../../src/collectors/probe-status.js';

const v6 = (address: string): ResolvedAddress => ({ address, family: 'ipv6' });
const v4 = (address: string): ResolvedAddress => ({ address, family: 'ipv4' });

describe('nodeConnectOrder (lib/net.js happy eyeballs order)', () => {
  it('interleaves families starting with the first answer', () => {
    expect(nodeConnectOrder([v6('::1'), v6('fe80::1'), v4('127.0.0.1')], true)).toEqual(['::1', '127.0.0.1', 'fe80::1']);
    expect(nodeConnectOrder([v4('10.0.0.1'), v4('10.0.0.2'), v6('fd00::1'), v6('fd00::2')], true)).toEqual(['10.0.0.1', 'fd00::1', '10.0.0.2', 'fd00::2']);
  });

  it('without autoSelectFamily only the first address is tried', () => {
    expect(nodeConnectOrder([v6('::1'), v4('127.0.0.1')], false)).toEqual(['::1']);
    expect(nodeConnectOrder([], false)).toEqual([]);
  });

  it('is a permutation that keeps the first address and each family’s own order (property)', () => {
    const entry = fc.oneof(fc.ipV4().map(v4), fc.ipV6().map(v6));
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.address, maxLength: 12 }), (addresses) => {
        const order = nodeConnectOrder(addresses, true);
        expect([...order].sort()).toEqual(addresses.map((a) => a.address).sort());
        expect(order[0]).toBe(addresses[0]?.address);
        for (const family of ['ipv4', 'ipv6'] as const) {
          const own = addresses.filter((a) => a.family === family).map((a) => a.address);
          expect(order.filter((a) => own.includes(a))).toEqual(own);
        }
      }),
    );
  });
});

describe('statusOfConnectError', () => {
  it('maps errno codes to the contract statuses', () => {
    expect(statusOfConnectError('ECONNREFUSED')).toBe('refused');
    expect(statusOfConnectError('ETIMEDOUT')).toBe('timeout');
    expect(statusOfConnectError('ECONNRESET')).toBe('reset');
    for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EPERM', 'EWHATEVER']) expect(statusOfConnectError(code)).toBe('unreachable');
  });
});
