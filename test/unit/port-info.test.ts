import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ianaRange, portInfo } from '../../src/actions/port-info.js';
import { BROWSER_UNSAFE_PORTS, CURATED_SERVICES, curatedServices, isBrowserUnsafePort, knownSquatters } from '../../src/data/services.js';
import { PortdoctorError } from '../../src/errors.js';
import { parseEtcServices } from '../../src/platform/common/etc-services.js';
import { renderPortInfo } from '../../src/render/port-info.js';

const servicesFixture = new URL('../fixtures/system/services.txt', import.meta.url).pathname;

describe('parseEtcServices', () => {
  it('parses the captured Debian /etc/services excerpt', () => {
    const entries = parseEtcServices(readFileSync(servicesFixture, 'utf8'));
    expect(entries.find((e) => e.port === 22)).toEqual({ name: 'ssh', port: 22, protocol: 'tcp', aliases: [], comment: 'SSH Remote Login Protocol' });
    expect(entries.find((e) => e.name === 'discard' && e.protocol === 'udp')).toEqual({ name: 'discard', port: 9, protocol: 'udp', aliases: ['sink', 'null'], comment: null });
    expect(entries.find((e) => e.port === 5432)).toMatchObject({ name: 'postgresql', aliases: ['postgres'], comment: 'PostgreSQL Database' });
    expect(entries.every((e) => e.port >= 1 && e.port <= 65535)).toBe(true);
  });

  it('skips comments, blank and malformed lines', () => {
    expect(parseEtcServices('# only a comment\n\nbroken 22\nbig 70000/tcp\nweird 22/\nok 7/TCP x # c\n')).toEqual([
      { name: 'ok', port: 7, protocol: 'tcp', aliases: ['x'], comment: 'c' },
    ]);
  });
});

describe('ianaRange', () => {
  it('draws the boundaries of RFC 6335', () => {
    expect([0, 1023, 1024, 49151, 49152, 62893, 65535].map(ianaRange)).toEqual([
      'well-known', 'well-known', 'registered', 'registered', 'dynamic', 'dynamic', 'dynamic',
    ]);
  });
});

describe('curated data', () => {
  it('has the browser bad-port list of the Fetch standard, sorted and unique', () => {
    expect(BROWSER_UNSAFE_PORTS.length).toBe(new Set(BROWSER_UNSAFE_PORTS).size);
    expect([...BROWSER_UNSAFE_PORTS].sort((a, b) => a - b)).toEqual(BROWSER_UNSAFE_PORTS);
    for (const port of [6000, 6665, 6669, 10080, 22, 5060]) expect(isBrowserUnsafePort(port)).toBe(true);
    for (const port of [3000, 5173, 8080, 6670, 62893]) expect(isBrowserUnsafePort(port)).toBe(false);
  });

  it('names the dev servers people ask about', () => {
    const first = (port: number): string | undefined => curatedServices(port)[0]?.name;
    expect([3000, 5173, 4200, 5432, 6379, 27017, 9229].map(first)).toEqual(['dev-server', 'vite', 'angular', 'postgresql', 'redis', 'mongodb', 'node-inspector']);
    expect(curatedServices(3000)[0]?.description).toMatch(/React.*Express.*Rails|Express.*React.*Rails/);
    expect(CURATED_SERVICES.length).toBeGreaterThanOrEqual(60);
    for (const s of CURATED_SERVICES) expect(s.from <= s.to && s.from >= 1 && s.to <= 65535).toBe(true);
  });

  it('knows the squatters and fills the port into their fixes', () => {
    expect(knownSquatters(5000, 'macos').map((s) => s.name)).toContain('AirPlay Receiver (macOS ControlCenter)');
    expect(knownSquatters(7000, 'macos').some((s) => s.fix.includes('AirDrop & Handoff'))).toBe(true);
    expect(knownSquatters(62893, 'windows').find((s) => s.platform === 'windows')?.fix).toContain('excludedportrange protocol=tcp');
    expect(knownSquatters(3000, 'linux').map((s) => s.scope)).toEqual(['any-port']);
    expect(knownSquatters(3000, 'linux')[0]?.fix).toContain('publish=3000');
  });

  it("puts the examined system's squatters first and marks the other systems' ones", async () => {
    const onMac = knownSquatters(5000, 'macos');
    expect(onMac.map((s) => [s.name, s.elsewhere])).toEqual([
      ['AirPlay Receiver (macOS ControlCenter)', false],
      ['Docker (docker-proxy / Docker Desktop)', false],
    ]);
    const onLinux = knownSquatters(5000, 'linux');
    expect(onLinux.map((s) => [s.name, s.elsewhere])).toEqual([
      ['Docker (docker-proxy / Docker Desktop)', false],
      ['AirPlay Receiver (macOS ControlCenter)', true],
    ]);
    // The library's original one-argument call marks nothing and keeps the table's order.
    expect(knownSquatters(5000).map((s) => [s.name, s.elsewhere])).toEqual([
      ['AirPlay Receiver (macOS ControlCenter)', false],
      ['Docker (docker-proxy / Docker Desktop)', false],
    ]);
    expect(knownSquatters(5432, 'macos').find((s) => s.name === 'distribution PostgreSQL')?.elsewhere).toBe(true);
    expect(knownSquatters(5432, 'linux').find((s) => s.name === 'distribution PostgreSQL')?.elsewhere).toBe(false);
    // portInfo on this (Linux) machine: AirPlay is another system's, listed apart, never as a squatter here.
    const text = renderPortInfo(await portInfo(5000, { servicesPath: servicesFixture }), { color: false });
    expect(text).toMatch(/On other systems\n {4}AirPlay Receiver \(macOS ControlCenter\) \[macos\]/);
    expect(text).not.toMatch(/Squatters/);
  });
});

describe('portInfo on this machine', () => {
  it('62893 is dynamic, and outside the ephemeral range this kernel uses', async () => {
    const info = await portInfo(62893);
    const [from, to] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    expect(info.range).toBe('dynamic');
    expect(info.ephemeralRange).toEqual({ from, to });
    expect(info.ephemeral).toBe(62893 >= from! && 62893 <= to!);
    expect(info.settingsSource).toBe('kernel');
    expect(Object.keys(info).slice(0, 6)).toEqual(['port', 'range', 'ephemeral', 'reserved', 'privileged', 'services']);
  });

  it('22 is well-known, privileged here, and known to both sources', async () => {
    const info = await portInfo(22);
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    expect(info.privileged).toBe(22 < start);
    expect(info.services.map((s) => `${s.name}/${s.protocol} ${s.source}`)).toEqual(expect.arrayContaining(['ssh/tcp curated', 'ssh/tcp /etc/services']));
    expect(info.browserUnsafe).toBe(true);
  });

  it('rejects numbers that are not ports', async () => {
    for (const bad of [0, -1, 65536, 1.5, Number.NaN]) await expect(portInfo(bad)).rejects.toBeInstanceOf(PortdoctorError);
  });
});

describe('portInfo with a given /proc tree and services file', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pd-portinfo-'));
    await mkdir(join(root, 'sys/net/ipv4'), { recursive: true });
    await writeFile(join(root, 'sys/net/ipv4/ip_local_port_range'), '1024\t65535\n');
    await writeFile(join(root, 'sys/net/ipv4/ip_local_reserved_ports'), '3000-3005,62893\n');
    await writeFile(join(root, 'sys/net/ipv4/ip_unprivileged_port_start'), '0\n');
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('answers from those settings', async () => {
    const info = await portInfo(62893, { procRoot: root, servicesPath: servicesFixture });
    expect(info).toMatchObject({ port: 62893, range: 'dynamic', ephemeral: true, reserved: true, privileged: false, settingsSource: 'kernel' });
    expect((await portInfo(80, { procRoot: root })).privileged).toBe(false);
  });

  it('falls back to Linux defaults, and says so, when there is no /proc/sys', async () => {
    const info = await portInfo(62893, { procRoot: join(root, 'none'), servicesPath: join(root, 'no-services') });
    expect(info).toMatchObject({ ephemeral: false, reserved: false, settingsSource: 'linux-defaults', services: [] });
    expect(info.notes[0]).toMatch(/Linux defaults/);
  });

  it('agrees with the spans for any port (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 65535 }), async (port) => {
        const info = await portInfo(port, { procRoot: root, servicesPath: servicesFixture });
        expect(info.reserved).toBe((port >= 3000 && port <= 3005) || port === 62893);
        expect(info.ephemeral).toBe(port >= 1024);
        expect(info.privileged).toBe(false);
        expect(info.range).toBe(ianaRange(port));
      }),
      { numRuns: 50 },
    );
  });
});

describe('renderPortInfo', () => {
  it('prints a short readable block without colour codes when colour is off', async () => {
    const text = renderPortInfo(await portInfo(5173, { servicesPath: servicesFixture }), { color: false });
    expect(text.split('\n')[0]).toBe('Port 5173');
    expect(text).toContain('IANA range  registered (1024-49151)');
    expect(text).toContain('vite/tcp: Vite dev server');
    expect(text).not.toContain('\u001b[');
    expect(text.split('\n').every((line) => !/\s$/.test(line))).toBe(true);
  });
});
