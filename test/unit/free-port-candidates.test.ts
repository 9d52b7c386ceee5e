import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blocksHost, candidatePorts, isAvoided, type Avoidance } from '../../src/actions/free-port-candidates.js';

const none: Avoidance = { ephemeral: null, reserved: [], browserUnsafe: false, exclude: new Set() };

describe('candidatePorts', () => {
  it('yields preferred ports first, then the range upwards, minus occupied', () => {
    const ports = [...candidatePorts({ range: { from: 3000, to: 3005 }, prefer: [3004, 80, 3004], avoid: none, occupied: new Set([3000, 80]), startOffset: 0 })];
    expect(ports).toEqual([3004, 3001, 3002, 3003, 3005]);
  });

  it('skips the ephemeral range, reserved ports and browser-unsafe ports (not preferred ones)', () => {
    const avoid: Avoidance = { ephemeral: { from: 6001, to: 6003 }, reserved: [{ from: 5999, to: 5999 }], browserUnsafe: true, exclude: new Set([6005]) };
    const ports = [...candidatePorts({ range: { from: 5998, to: 6006 }, prefer: [6000], avoid, occupied: new Set(), startOffset: 0 })];
    expect(ports).toEqual([6000, 5998, 6004, 6006]);
    expect(isAvoided(6000, avoid)).toBe(true); // X11: browsers refuse it
  });

  it('property: a random start visits every allowed port exactly once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1024, max: 60000 }), fc.integer({ min: 0, max: 200 }), fc.nat(1000), fc.uniqueArray(fc.nat(200)), (from, width, offset, taken) => {
        const range = { from, to: from + width };
        const occupied = new Set(taken.map((t) => from + t));
        const ports = [...candidatePorts({ range, prefer: [], avoid: none, occupied, startOffset: offset })];
        const expected = [];
        for (let p = range.from; p <= range.to; p++) if (!occupied.has(p)) expected.push(p);
        expect([...ports].sort((a, b) => a - b)).toEqual(expected);
      }),
    );
  });
});

describe('blocksHost', () => {
  it('without a host, every socket blocks', () => {
    for (const address of ['127.0.0.2', '::1', '10.1.2.3', 'fe80::1']) expect(blocksHost(address, null)).toBe(true);
  });

  it('wildcards cover their family; :: may be dual-stack and covers IPv4 too', () => {
    expect(blocksHost('0.0.0.0', '127.0.0.1')).toBe(true);
    expect(blocksHost('::', '127.0.0.1')).toBe(true);
    expect(blocksHost('0.0.0.0', '::1')).toBe(false);
    expect(blocksHost('127.0.0.2', '0.0.0.0')).toBe(true);
    expect(blocksHost('::1', '0.0.0.0')).toBe(false);
    expect(blocksHost('127.0.0.2', '::')).toBe(true);
  });

  it('specific addresses block only themselves (and their v4-mapped form)', () => {
    expect(blocksHost('127.0.0.2', '127.0.0.1')).toBe(false);
    expect(blocksHost('127.0.0.1', '127.0.0.1')).toBe(true);
    expect(blocksHost('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
    expect(blocksHost('::1', '::1')).toBe(true);
    expect(blocksHost('::2', '::1')).toBe(false);
  });
});
