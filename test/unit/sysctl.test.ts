import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPortSettings } from '../../src/collectors/port-settings.js';
import {
  inSpans,
  parseBooleanSysctl,
  parseEphemeralRange,
  parseIntegerSysctl,
  parseReservedPorts,
  readSysctl,
  sysctlPath,
} from '../../src/platform/linux/sysctl.js';

describe('sysctl parsers', () => {
  it('reads the ephemeral range the way the kernel prints it (tab separated)', () => {
    expect(parseEphemeralRange('32768\t60999\n')).toEqual({ from: 32768, to: 60999 });
    expect(parseEphemeralRange('1024 65535')).toEqual({ from: 1024, to: 65535 });
  });

  it('rejects ranges that are not two ordered ports', () => {
    for (const text of ['', '32768', '60999 32768', '1 2 3', 'a b', '1 70000', '-1 5']) {
      expect(parseEphemeralRange(text)).toBeNull();
    }
  });

  it('reads reserved ports: empty, single ports and ranges', () => {
    expect(parseReservedPorts('\n')).toEqual([]);
    expect(parseReservedPorts('8080\n')).toEqual([{ from: 8080, to: 8080 }]);
    expect(parseReservedPorts('8080,9000-9010,62893\n')).toEqual([
      { from: 8080, to: 8080 },
      { from: 9000, to: 9010 },
      { from: 62893, to: 62893 },
    ]);
  });

  it('refuses a reserved list with any malformed item rather than half-answering', () => {
    for (const text of ['8080,', 'x', '9010-9000', '1-2-3', '70000']) expect(parseReservedPorts(text)).toBeNull();
  });

  it('round-trips any list of spans written the kernel way', () => {
    const span = fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 200 })).map(([from, width]) => ({ from, to: Math.min(65535, from + width) }));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 20 }), (spans) => {
        const text = `${spans.map((s) => (s.from === s.to ? `${s.from}` : `${s.from}-${s.to}`)).join(',')}\n`;
        expect(parseReservedPorts(text)).toEqual(spans);
        for (const s of spans) expect(inSpans(s.from, spans) && inSpans(s.to, spans)).toBe(true);
      }),
    );
  });

  it('reads integer and boolean knobs', () => {
    expect(parseIntegerSysctl('1024\n')).toBe(1024);
    expect(parseIntegerSysctl('0')).toBe(0);
    expect(parseIntegerSysctl('x')).toBeNull();
    expect(parseBooleanSysctl('1\n')).toBe(true);
    expect(parseBooleanSysctl('0\n')).toBe(false);
    expect(parseBooleanSysctl('2')).toBeNull();
  });

  it('maps dotted names onto /proc/sys paths', () => {
    expect(sysctlPath('net.ipv4.ip_local_port_range')).toBe('/proc/sys/net/ipv4/ip_local_port_range');
    expect(sysctlPath('net.ipv6.conf.lo.disable_ipv6', '/x')).toBe('/x/sys/net/ipv6/conf/lo/disable_ipv6');
  });
});

describe('reading this machine', () => {
  it('agrees with the files under /proc/sys read directly', async () => {
    const settings = await collectPortSettings();
    expect(settings.ok).toBe(true);
    if (!settings.ok) return;
    const [from, to] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    expect(settings.value.ephemeralRange).toEqual({ from, to });
    expect(settings.value.unprivilegedPortStart).toBe(Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')));
    expect(settings.value.ipv6.bindv6only).toBe(readFileSync('/proc/sys/net/ipv6/bindv6only', 'utf8').trim() === '1');
    expect(settings.value.defaulted).toEqual([]);
  });

  it('reports a missing sysctl as a value, not a throw', async () => {
    const read = await readSysctl('net.ipv4.no_such_knob');
    expect(read).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('collectPortSettings on a copied /proc tree', () => {
  let root: string;
  const write = async (name: string, text: string): Promise<void> => {
    const path = join(root, 'sys', ...name.split('.'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  };
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pd-sysctl-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('fails as a value when there is no /proc/sys at all', async () => {
    const settings = await collectPortSettings({ procRoot: join(root, 'nothing') });
    expect(settings.ok).toBe(false);
    if (!settings.ok) expect(settings.reason).toContain('ip_local_port_range');
  });

  it('takes the kernel default for knobs an old kernel lacks, and says so; IPv6 absent', async () => {
    await write('net.ipv4.ip_local_port_range', '40000\t50000\n');
    const settings = await collectPortSettings({ procRoot: root });
    expect(settings).toMatchObject({
      ok: true,
      value: {
        ephemeralRange: { from: 40000, to: 50000 },
        reservedPorts: [],
        unprivilegedPortStart: 1024,
        ipv6: { available: false, disabledOnLo: null, bindv6only: null },
        defaulted: ['net.ipv4.ip_local_reserved_ports', 'net.ipv4.ip_unprivileged_port_start'],
      },
    });
  });

  it('reads every knob when present', async () => {
    await write('net.ipv4.ip_local_reserved_ports', '62893,8000-8010\n');
    await write('net.ipv4.ip_unprivileged_port_start', '80\n');
    await write('net.ipv6.conf.lo.disable_ipv6', '1\n');
    await write('net.ipv6.conf.all.disable_ipv6', '0\n');
    await write('net.ipv6.bindv6only', '0\n');
    const settings = await collectPortSettings({ procRoot: root });
    expect(settings).toMatchObject({
      ok: true,
      value: {
        reservedPorts: [{ from: 62893, to: 62893 }, { from: 8000, to: 8010 }],
        unprivilegedPortStart: 80,
        ipv6: { available: true, disabledOnLo: true, disabledAll: false, bindv6only: false },
        defaulted: [],
      },
    });
  });
});
