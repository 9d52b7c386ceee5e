import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalIPv6, isIPv6Text, parsePortText, unembedKameScope } from '../../src/platform/darwin/address.js';

describe('darwin address text', () => {
  it('isIPv6Text agrees with node:net on addresses and on near-misses', () => {
    const nearMiss = fc.string({ unit: fc.constantFrom('0', '1', 'a', 'f', 'F', 'g', ':', ':', '.', '9', '2', '5'), maxLength: 45 });
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), nearMiss, fc.ipV4()), (text) => {
        expect(isIPv6Text(text)).toBe(isIP(text) === 6);
      }),
      { numRuns: 3000 },
    );
  });

  it('canonicalIPv6 gives inet_ntop text (as the WHATWG URL serialiser compresses), keeping a zone', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }), fc.constantFrom('', '%lo0', '%en5'), (groups, zone) => {
        // IPv4-mapped/-compatible forms are printed dotted (as netstat and lsof do); URL never does.
        fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0 || groups[5] === 0xffff)));
        const text = groups.map((g) => g.toString(16).toUpperCase()).join(':');
        const expected = new URL(`http://[${text}]/`).hostname.slice(1, -1);
        expect(canonicalIPv6(`${text}${zone}`)).toBe(`${expected}${zone}`);
      }),
    );
    expect(canonicalIPv6('::FFFF:127.0.0.1')).toBe('::ffff:127.0.0.1');
    expect(canonicalIPv6('fe80::1%')).toBeNull();
    expect(canonicalIPv6('fe80::aede:48ff:')).toBeNull();
  });

  it('KAME scope and ports', () => {
    expect(unembedKameScope('fe80:5::aede:48ff:fe00:1122')).toBe('fe80::aede:48ff:fe00:1122%5');
    expect(parsePortText('*')).toBe('*');
    expect(parsePortText('65535')).toBe(65535);
    expect(parsePortText('65536')).toBeNull();
    expect(parsePortText('https')).toBeNull();
  });
});
