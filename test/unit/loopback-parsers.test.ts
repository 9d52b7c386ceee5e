import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4PrefixContains, parseIfInet6, parseInterfaceFlags, parseIpAddrJson } from '../../src/platform/linux/loopback.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/system/${name}`, import.meta.url), 'utf8');

describe('parseIfInet6', () => {
  it('parses the captured /proc/net/if_inet6 of this machine', () => {
    const entries = parseIfInet6(fixture('if_inet6.txt'));
    expect(entries.map((e) => [e.address, e.interfaceName, e.prefixLength, e.scopeName])).toEqual([
      ['fd00::2', 'eth0', 64, 'global'],
      ['::1', 'lo', 128, 'host'],
      ['fe80::fc:ff:fe00:1', 'eth0', 64, 'link'],
    ]);
    expect(entries[1]).toMatchObject({ ifindex: 1, scope: 0x10, flags: 0x80, tentative: false });
    expect(entries[0]).toMatchObject({ ifindex: 4, flags: 0x82 });
  });

  it('parses a namespace where lo carries an extra global address', () => {
    const entries = parseIfInet6(fixture('if_inet6-lo-extra.txt'));
    expect(entries.map((e) => `${e.address}/${e.prefixLength} ${e.scopeName}`)).toEqual(['::1/128 host', 'fd00::1/64 global']);
  });

  it('marks tentative addresses (DAD not finished) and skips malformed lines', () => {
    const text = [
      'fe800000000000000000000000000001 02 40 20 40     eth1',
      'not-hex 01 80 10 80 lo',
      '00000000000000000000000000000001 01 zz 10 80 lo',
      '00000000000000000000000000000001 01 81 10 80 lo',
      '',
    ].join('\n');
    expect(parseIfInet6(text)).toEqual([
      { address: 'fe80::1', ifindex: 2, prefixLength: 64, scope: 0x20, scopeName: 'link', flags: 0x40, tentative: true, interfaceName: 'eth1' },
    ]);
  });

  it('prints every address the way the WHATWG URL serialiser does (RFC 5952 compression)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
        // The project prints IPv4-mapped/-compatible addresses dotted, as glibc's inet_ntop (and
        // so `ip` and `ss`) does; the URL serialiser never does. Those shapes are checked below.
        fc.pre(!(groups.slice(0, 5).every((g) => g === 0) && (groups[5] === 0 || groups[5] === 0xffff)));
        const hex = groups.map((g) => g.toString(16).padStart(4, '0')).join('');
        const [entry] = parseIfInet6(`${hex} 01 80 10 80 lo\n`);
        const expected = new URL(`http://[${groups.map((g) => g.toString(16)).join(':')}]/`).hostname.slice(1, -1);
        expect(entry?.address).toBe(expected);
        expect(isIP(entry?.address ?? '')).toBe(6);
      }),
    );
  });
});

describe('parseIfInet6 mixed notation', () => {
  it('prints what `ip` prints for the loopback and mapped shapes', () => {
    const at = (hex: string): string | undefined => parseIfInet6(`${hex} 01 80 10 80 lo\n`)[0]?.address;
    expect(at('00000000000000000000000000000001')).toBe('::1');
    expect(at('00000000000000000000000000000000')).toBe('::');
    expect(at('00000000000000000000ffff7f000001')).toBe('::ffff:127.0.0.1');
  });
});

describe('parseIpAddrJson', () => {
  it('parses the captured `ip -j addr` of this machine', () => {
    const links = parseIpAddrJson(fixture('ip-addr.json'));
    expect(links).not.toBeNull();
    const lo = links?.find((l) => l.name === 'lo');
    expect(lo).toEqual({
      ifindex: 1,
      name: 'lo',
      flags: ['LOOPBACK', 'UP', 'LOWER_UP'],
      operstate: 'unknown',
      ipv4: [{ address: '127.0.0.1', prefixLength: 8 }],
      ipv6: [{ address: '::1', prefixLength: 128 }],
    });
    expect(links?.length).toBeGreaterThan(1);
  });

  it('parses lo in a fresh namespace: down, no addresses', () => {
    expect(parseIpAddrJson(fixture('ip-addr-lo-down-new-netns.json'))).toEqual([
      { ifindex: 1, name: 'lo', flags: ['LOOPBACK'], operstate: 'down', ipv4: [], ipv6: [] },
    ]);
  });

  it('keeps secondary addresses', () => {
    const [lo] = parseIpAddrJson(fixture('ip-addr-lo-extra.json')) ?? [];
    expect(lo?.ipv4).toEqual([
      { address: '127.0.0.1', prefixLength: 8 },
      { address: '127.0.0.2', prefixLength: 8 },
    ]);
    expect(lo?.ipv6.map((a) => a.address)).toEqual(['fd00::1', '::1']);
  });

  it('returns null for text that is not ip JSON, and skips junk entries', () => {
    expect(parseIpAddrJson('Device "lo0" does not exist.')).toBeNull();
    expect(parseIpAddrJson('{"ifname":"lo"}')).toBeNull();
    expect(parseIpAddrJson('[1, null, {"ifindex": 3}, {"ifname":"x","addr_info":[{"family":"inet"}]}]')).toEqual([
      { ifindex: 0, name: 'x', flags: [], operstate: null, ipv4: [], ipv6: [] },
    ]);
  });
});

describe('interface flags and prefixes', () => {
  it('reads /sys flags', () => {
    expect(parseInterfaceFlags('0x9\n')).toBe(9);
    expect(parseInterfaceFlags('0x1003')).toBe(0x1003);
    expect(parseInterfaceFlags('9')).toBeNull();
  });

  it('knows which addresses a loopback prefix covers', () => {
    expect(ipv4PrefixContains({ address: '127.0.0.2', prefixLength: 8 }, '127.0.0.1')).toBe(true);
    expect(ipv4PrefixContains({ address: '127.0.0.2', prefixLength: 32 }, '127.0.0.1')).toBe(false);
    expect(ipv4PrefixContains({ address: '127.0.0.1', prefixLength: 32 }, '127.0.0.1')).toBe(true);
    expect(ipv4PrefixContains({ address: '10.0.0.1', prefixLength: 0 }, '127.0.0.1')).toBe(true);
    expect(ipv4PrefixContains({ address: 'x', prefixLength: 8 }, '127.0.0.1')).toBe(false);
  });

  it('agrees with a bitwise prefix comparison for any address pair', () => {
    const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(ip, ip, fc.integer({ min: 0, max: 32 }), (a, b, length) => {
        const toNumber = (q: number[]): number => ((q[0]! << 24) | (q[1]! << 16) | (q[2]! << 8) | q[3]!) >>> 0;
        const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
        const expected = ((toNumber(a) & mask) >>> 0) === ((toNumber(b) & mask) >>> 0);
        expect(ipv4PrefixContains({ address: a.join('.'), prefixLength: length }, b.join('.'))).toBe(expected);
      }),
    );
  });
});
