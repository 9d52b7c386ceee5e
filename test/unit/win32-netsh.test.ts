import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { excludedRangeFor, parseDynamicPortRange, parseExcludedPortRanges, type ExcludedPortRange } from '../../src/platform/win32/netsh.js';
import { win32Fixture } from './win32-fixtures.js';

const winnat = (from: number, to: number): ExcludedPortRange => ({ from, to, administered: false });
const admin = (from: number, to: number): ExcludedPortRange => ({ from, to, administered: true });

describe('parseExcludedPortRanges on recorded netsh output', () => {
  it.each([
    { file: 'excludedportrange-tcp.en.otel-10839-before.txt', ranges: [winnat(80, 80), winnat(5986, 5986), winnat(47001, 47001), winnat(56638, 56737), winnat(56738, 56837)] },
    { file: 'excludedportrange-tcp.en.otel-10839-after.txt', ranges: [winnat(80, 80), winnat(5986, 5986), winnat(47001, 47001), admin(55679, 55679)] },
    {
      file: 'excludedportrange-tcp.en.chocolatey-68.txt',
      ranges: [
        winnat(5357, 5357), admin(50000, 50059), winnat(51940, 52039), winnat(52040, 52139), winnat(55954, 56053), winnat(56054, 56153), winnat(56154, 56253),
        winnat(56254, 56353), winnat(56354, 56453), winnat(56454, 56553), winnat(56654, 56753), winnat(56754, 56853), winnat(56854, 56953), winnat(56954, 57053),
        winnat(57054, 57153), winnat(57154, 57253),
      ],
    },
    { file: 'excludedportrange-tcp.en.docker-1707-before.txt', ranges: [winnat(80, 80), winnat(443, 443), winnat(5357, 5357), winnat(37408, 37408), winnat(58699, 58708), winnat(58709, 58718), winnat(61157, 61166), winnat(61167, 61176)] },
    {
      file: 'excludedportrange-tcp.zh.iridescent.txt',
      ranges: [
        winnat(1203, 1302), admin(1433, 1433), winnat(1434, 1533), winnat(1534, 1633), winnat(1789, 1888), winnat(1889, 1988), winnat(5357, 5357),
        winnat(5426, 5426), winnat(5796, 5895), winnat(6260, 6359), admin(10362, 10363), admin(50000, 50059), winnat(54235, 54235), winnat(54236, 54236),
      ],
    },
    { file: 'excludedportrange-udp.en.otel-contrib-10872.log.txt', ranges: [winnat(56030, 56129), winnat(56130, 56229)] },
  ])('$file', ({ file, ranges }) => {
    expect(parseExcludedPortRanges(win32Fixture(file))).toEqual({ ok: true, value: ranges });
  });

  it('Spanish, pasted without its title and footnote: the 24 ranges under the dashes', () => {
    const result = parseExcludedPortRanges(win32Fixture('excludedportrange-tcp.es.wsl-5306-partial.txt'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toHaveLength(24);
    expect(result.value[0]).toEqual(winnat(1025, 1124));
    // The user's app wanted 25340: inside 25313–25412, reserved by WinNAT.
    expect(excludedRangeFor(25340, result.value)).toEqual(winnat(25313, 25412));
    expect(excludedRangeFor(25500, result.value)).toBeNull();
  });

  it('docker/for-win#1707: `docker run -p 8080:80` adds a one-port range that is not administered', () => {
    const before = parseExcludedPortRanges(win32Fixture('excludedportrange-tcp.en.docker-1707-before.txt'));
    const after = parseExcludedPortRanges(win32Fixture('excludedportrange-tcp.en.docker-1707-after.txt'));
    expect(before.ok && after.ok).toBe(true);
    if (!before.ok || !after.ok) return;
    expect(after.value.filter((range) => !before.value.some((old) => old.from === range.from && old.to === range.to))).toEqual([winnat(8080, 8080)]);
    expect(excludedRangeFor(8080, before.value)).toBeNull();
  });

  it('reads the same with CRLF line ends', () => {
    const text = win32Fixture('excludedportrange-tcp.zh.iridescent.txt');
    expect(parseExcludedPortRanges(text.replace(/\n/g, '\r\n'))).toEqual(parseExcludedPortRanges(text));
  });
});

describe('parseExcludedPortRanges edge cases', () => {
  it('an empty table is an answer: nothing is excluded', () => {
    expect(parseExcludedPortRanges('\nProtocol tcp Port Exclusion Ranges\n\nStart Port    End Port\n----------    --------\n\n* - Administered port exclusions.\n')).toEqual({ ok: true, value: [] });
  });

  it('no table is no answer (an error message, in any language, is not "nothing excluded")', () => {
    for (const text of ['', 'The requested operation requires elevation (Run as administrator).\r\n', 'Der folgende Befehl wurde nicht gefunden: interface ipv4 show excludedportrange.']) {
      expect(parseExcludedPortRanges(text).ok).toBe(false);
    }
  });

  it('refuses a table with a row it cannot read rather than leave a range out', () => {
    for (const row of ['      5000', '      5001        5000', '     65000       70000', '         0          10', '      5000        5100     **', '      5000        5100  x']) {
      const result = parseExcludedPortRanges(`Start Port    End Port\n----------    --------\n      1000        1000\n${row}\n`);
      expect(result.ok, row).toBe(false);
    }
  });

  it('reads back any list of ranges written netsh\'s way', () => {
    const range = fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 500 }), fc.boolean()).map(([from, width, administered]) => ({ from, to: Math.min(65535, from + width), administered }));
    fc.assert(
      fc.property(fc.array(range, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (ranges, eol) => {
        const rows = ranges.map((r) => `${String(r.from).padStart(10)}  ${String(r.to).padStart(10)}${r.administered ? '     *' : '      '}`);
        const text = ['', 'Protocol tcp Port Exclusion Ranges', '', 'Start Port    End Port', '----------    --------', ...rows, '', '* - Administered port exclusions.', ''].join(eol);
        expect(parseExcludedPortRanges(text)).toEqual({ ok: true, value: ranges });
        for (const r of ranges) expect(excludedRangeFor(r.to, ranges)).not.toBeNull();
      }),
    );
  });
});

describe('parseDynamicPortRange', () => {
  it('a clean Windows: 49152 + 16384 ports = 49152–65535 (dorssel/usbipd-win#53)', () => {
    expect(parseDynamicPortRange(win32Fixture('dynamicport-tcp.en.usbipd-53.txt'))).toEqual({ ok: true, value: { start: 49152, count: 16384, end: 65535 } });
  });

  it('after the Visual Studio installer moved it: 1024 + 64511 = 1024–65534, read through a log prefix', () => {
    expect(parseDynamicPortRange(win32Fixture('dynamicport-tcp.en.runner-images-1442.log.txt'))).toEqual({ ok: true, value: { start: 1024, count: 64511, end: 65534 } });
  });

  it('the two "label : number" lines in any language, in order', () => {
    // The Chinese labels as blog posts in the code index show them (their repositories could not
    // be named, so they are not fixtures; see SOURCES.md).
    expect(parseDynamicPortRange('协议 tcp 动态端口范围\r\n---------------------------------\r\n启动端口        : 1024\r\n端口数          : 13977\r\n')).toEqual({ ok: true, value: { start: 1024, count: 13977, end: 15000 } });
  });

  it('no answer without exactly two numbers, or for numbers that are no range of ports', () => {
    for (const text of ['', 'The following command was not found: int ipv4 show dynamicport tcp.', 'Start Port : 49152\n', 'a : 1\nb : 2\nc : 3\n', 'Start Port : 0\nNumber of Ports : 10\n', 'Start Port : 65000\nNumber of Ports : 1000\n', 'Start Port : 1024\nNumber of Ports : 0\n']) {
      expect(parseDynamicPortRange(text).ok, text).toBe(false);
    }
  });
});
