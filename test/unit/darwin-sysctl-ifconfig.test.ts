import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findInterface, parseIfconfig } from '../../src/platform/darwin/ifconfig.js';
import { parsePortRange } from '../../src/platform/darwin/sysctl.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';

describe('sysctl net.inet.ip.portrange', () => {
  it('finds the four values in a recorded `sysctl -a` of macOS 10.14', () => {
    expect(parsePortRange(darwinFixture('sysctl-a-osx-10.14.6-jc.txt'))).toEqual({ first: 49152, last: 65535, hifirst: 49152, hilast: 65535 });
  });

  it('missing or malformed values are null; `name = value` and any order are read', () => {
    expect(parsePortRange('net.inet.ip.portrange.hilast: 65535\nnet.inet.ip.portrange.first = 1025\nnet.inet.ip.portrange.last: 655350\n')).toEqual({
      first: 1025,
      last: null,
      hifirst: null,
      hilast: 65535,
    });
    expect(parsePortRange('sysctl: unknown oid \'net.inet.ip.portrange.first\'\n')).toEqual({ first: null, last: null, hifirst: null, hilast: null });
  });

  it('reads any port in any order', () => {
    const keys = ['first', 'last', 'hifirst', 'hilast'] as const;
    fc.assert(
      fc.property(fc.shuffledSubarray([...keys]), fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 4, maxLength: 4 }), (present, values) => {
        const text = present.map((k) => `net.inet.ip.portrange.${k}: ${values[keys.indexOf(k)]}`).join('\n');
        const result = parsePortRange(text);
        for (const k of keys) expect(result[k]).toBe(present.includes(k) ? values[keys.indexOf(k)] : null);
      }),
    );
  });
});

describe('ifconfig', () => {
  const LO0 = {
    name: 'lo0',
    flags: ['UP', 'LOOPBACK', 'RUNNING', 'MULTICAST'],
    up: true,
    running: true,
    loopback: true,
    mtu: 16384,
    ipv4: [{ address: '127.0.0.1', prefixLength: 8 }],
  };

  it('lo0 of macOS 10.14 (jc fixture): 127.0.0.1/8, ::1/128, fe80::1%lo0/64 scope 1', () => {
    const lo0 = findInterface(parseIfconfig(darwinFixture('ifconfig-osx-10.14.6-jc.txt')));
    expect(lo0).toEqual({
      ...LO0,
      ipv6: [
        { address: '::1', prefixLength: 128, scopeId: null },
        { address: 'fe80::1%lo0', prefixLength: 64, scopeId: 1 },
      ],
    });
  });

  it('lo0 of OS X 10.11 lists ::1 before 127.0.0.1; the same facts come out', () => {
    const lo0 = findInterface(parseIfconfig(darwinFixture('ifconfig-osx-10.11.6-jc.txt')));
    expect(lo0).toMatchObject({ ...LO0, ipv6: [{ address: '::1', prefixLength: 128 }, { address: 'fe80::1%lo0', prefixLength: 64, scopeId: 1 }] });
  });

  it('macOS 26 `ifconfig -a`: lo0, and the other interfaces with their traps (bridge members, a trailing space, /24 in hex)', () => {
    const interfaces = parseIfconfig(darwinFixture('ifconfig-a-macos26-sanitised.txt'));
    expect(interfaces.map((i) => i.name)).toEqual(['lo0', 'gif0', 'stf0', 'en0', 'bridge0', 'en1', 'utun0']);
    expect(findInterface(interfaces)).toMatchObject(LO0);
    expect(findInterface(interfaces, 'en1')?.ipv4).toEqual([{ address: '192.168.7.42', prefixLength: 24 }]);
    expect(findInterface(interfaces, 'utun0')?.ipv6).toEqual([{ address: 'fe80::da12:389f:2939:f760%utun0', prefixLength: 64, scopeId: 16 }]);
    expect(findInterface(interfaces, 'stf0')).toMatchObject({ flags: [], up: false, ipv4: [], ipv6: [] });
    expect(findInterface(interfaces, 'en0')).toMatchObject({ up: true, running: true, loopback: false, ipv4: [], ipv6: [] });
  });

  it('every interface of the 10.14 recording, with its IPv4 /24 and IPv6 /64 addresses', () => {
    const en0 = findInterface(parseIfconfig(darwinFixture('ifconfig-osx-10.14.6-jc.txt')), 'en0');
    expect(en0?.ipv4).toEqual([{ address: '192.168.1.72', prefixLength: 24 }]);
    expect(en0?.ipv6.map((a) => `${a.address}/${a.prefixLength}`)).toEqual([
      'fe80::8b7:1281:7499:b504%en0/64',
      '2600:1700:bab0:d40:bb:9ad:34c5:2e9a/64',
      '2600:1700:bab0:d40:4573:9380:5ecb:ef52/64',
      '2600:1700:bab0:d40::24/64',
    ]);
  });

  it('an alias on lo0 (the line shape of the recordings, with 127.0.0.2) is listed; a missing interface is null', () => {
    const recorded = darwinFixture('ifconfig-osx-10.14.6-jc.txt');
    const aliased = recorded.replace('\tinet 127.0.0.1 netmask 0xff000000 \n', '\tinet 127.0.0.1 netmask 0xff000000 \n\tinet 127.0.0.2 netmask 0xff000000 \n');
    expect(findInterface(parseIfconfig(aliased))?.ipv4.map((a) => a.address)).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(findInterface(parseIfconfig(recorded), 'lo1')).toBeNull();
    expect(parseIfconfig('ifconfig: interface lo0 does not exist\n')).toEqual([]);
  });

  it('turns any contiguous netmask, hex or dotted, into its prefix length, and refuses the others', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 32 }), (bits) => {
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        const hex = `0x${mask.toString(16).padStart(8, '0')}`;
        const dotted = [24, 16, 8, 0].map((s) => (mask >>> s) & 0xff).join('.');
        for (const text of [hex, dotted]) {
          const [lo0] = parseIfconfig(`lo0: flags=8049<UP> mtu 16384\n\tinet 127.0.0.1 netmask ${text}\n`);
          expect(lo0?.ipv4[0]?.prefixLength).toBe(bits);
        }
      }),
    );
    const [odd] = parseIfconfig('lo0: flags=8049<UP> mtu 16384\n\tinet 127.0.0.1 netmask 0xff00ff00\n');
    expect(odd?.ipv4[0]?.prefixLength).toBeNull();
  });
});
