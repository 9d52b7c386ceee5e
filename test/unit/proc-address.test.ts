import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIPv6Bytes, unmapIPv4 } from '../../src/address.js';
import { decodeProcIPv4, decodeProcIPv6, encodeProcIPv4, encodeProcIPv6, formatIPv6Bytes } from '../../src/platform/linux/proc-address.js';

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const ipv6Bytes = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => [...b]),
  // Addresses with runs of zeros are where compression rules bite.
  fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((groups) => groups.flatMap((g) => [g >> 8, g & 0xff])),
);

/** glibc's inet_ntop (through node's SocketAddress) is the reference for canonical IPv6 text. */
const reference = (address: string): string => new SocketAddress({ address, family: 'ipv6' }).address;

describe('IPv4 in /proc words', () => {
  it('decodes 127.0.0.1 from the little-endian word', () => {
    expect(decodeProcIPv4('0100007F', 0, true)).toBe('127.0.0.1');
    expect(decodeProcIPv4('7F000001', 0, false)).toBe('127.0.0.1');
  });

  it('round-trips every address on both byte orders', () => {
    fc.assert(
      fc.property(ipv4, fc.boolean(), (address, littleEndian) => {
        expect(decodeProcIPv4(encodeProcIPv4(address, littleEndian), 0, littleEndian)).toBe(address);
      }),
    );
  });
});

describe('IPv6 in /proc words', () => {
  it('decodes loopback, wildcard and IPv4-mapped addresses as the kernel writes them', () => {
    expect(decodeProcIPv6('00000000000000000000000001000000', 0, true)).toBe('::1');
    expect(decodeProcIPv6('00000000000000000000000000000000', 0, true)).toBe('::');
    expect(decodeProcIPv6('0000000000000000FFFF00000100007F', 0, true)).toBe('::ffff:127.0.0.1');
    expect(decodeProcIPv6('B80D0120000000000000000001000000', 0, true)).toBe('2001:db8::1');
  });

  it('formats like inet_ntop (RFC 5952): lower case, longest zero run compressed, single zeros kept', () => {
    fc.assert(
      fc.property(ipv6Bytes, (bytes) => {
        const text = formatIPv6Bytes(bytes);
        expect(text).toBe(reference(text));
        expect(parseIPv6Bytes(text)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips through the /proc encoding on both byte orders', () => {
    fc.assert(
      fc.property(ipv6Bytes, fc.boolean(), (bytes, littleEndian) => {
        const text = formatIPv6Bytes(bytes);
        expect(decodeProcIPv6(encodeProcIPv6(text, littleEndian), 0, littleEndian)).toBe(text);
      }),
    );
  });

  it('recognises IPv4-mapped addresses', () => {
    expect(unmapIPv4('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(unmapIPv4('::1')).toBeNull();
    expect(unmapIPv4('::ffff:a01:203')).toBeNull();
  });
});
