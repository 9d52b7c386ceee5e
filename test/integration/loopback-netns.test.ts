import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distUrl, ensureBuilt } from '../helpers/built-dist.js';

const root = process.getuid?.() === 0;

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: 20_000, env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/**
 * The probe that runs inside the namespace: it imports the compiled modules and prints what they
 * see, plus real binds, as one JSON document. Run with `ip netns exec NS node probe.mjs`.
 */
const PROBE = `
const { collectLoopback } = await import(${JSON.stringify(distUrl('collectors/loopback.ts'))});
const { collectPortSettings } = await import(${JSON.stringify(distUrl('collectors/port-settings.ts'))});
const { tryBind } = await import(${JSON.stringify(distUrl('collectors/bind-check.ts'))});
const { readHostsFile } = await import(${JSON.stringify(distUrl('collectors/hosts.ts'))});
const { localhostEntries } = await import(${JSON.stringify(distUrl('platform/common/hosts-file.ts'))});
const { portInfo } = await import(${JSON.stringify(distUrl('actions/port-info.ts'))});
if (process.argv[2] === 'no-ip') process.env.PATH = '/nonexistent';
const hosts = await readHostsFile();
console.log(JSON.stringify({
  loopback: await collectLoopback(),
  settings: await collectPortSettings(),
  bind127001: await tryBind({ address: '127.0.0.1', port: 0, protocol: 'tcp' }),
  bindV6: await tryBind({ address: '::1', port: 0, protocol: 'tcp' }),
  localhost: hosts.ok ? localhostEntries(hosts.entries) : hosts,
  info40050: await portInfo(40050),
  info79: await portInfo(79),
}));
`;

interface ProbeOutput {
  loopback: { ok: true; value: Record<string, unknown> & { ipv4: { address: string; prefixLength: number }[]; ipv6: { address: string }[]; notes: string[] } };
  settings: { ok: boolean; value?: Record<string, unknown> };
  bind127001: { ok: boolean; code?: string };
  bindV6: { ok: boolean; code?: string };
  localhost: unknown;
  info40050: Record<string, unknown>;
  info79: Record<string, unknown>;
}

describe.skipIf(!root)('loopback, sysctls and hosts inside a network namespace (needs root: ip netns add, sysctl -w)', () => {
  const ns = `pd-pi-${randomBytes(4).toString('hex')}`;
  let dir = '';
  let probeFile = '';

  const probe = async (mode = ''): Promise<ProbeOutput> =>
    JSON.parse(await run('ip', ['netns', 'exec', ns, process.execPath, probeFile, ...(mode === '' ? [] : [mode])])) as ProbeOutput;
  const inNs = (...args: string[]): Promise<string> => run('ip', ['netns', 'exec', ns, ...args]);
  /** Ground truth: `ip -j addr show dev lo` in the namespace, read without our parser. */
  const groundTruth = async (): Promise<{ flags: string[]; ipv4: string[]; ipv6: string[] }> => {
    const [lo] = JSON.parse(await run('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', 'lo'])) as { flags: string[]; addr_info: { family: string; local: string; prefixlen: number }[] }[];
    const of = (family: string): string[] => (lo?.addr_info ?? []).filter((a) => a.family === family).map((a) => `${a.local}/${a.prefixlen}`);
    return { flags: lo?.flags ?? [], ipv4: of('inet'), ipv6: of('inet6') };
  };
  const addresses = (list: { address: string; prefixLength?: number }[]): string[] => list.map((a) => `${a.address}/${a.prefixLength}`);

  beforeAll(async () => {
    await ensureBuilt(['collectors/loopback.ts', 'collectors/port-settings.ts', 'collectors/bind-check.ts', 'collectors/hosts.ts', 'platform/common/hosts-file.ts', 'actions/port-info.ts']);
    dir = await mkdtemp(join(tmpdir(), 'pd-netns-'));
    probeFile = join(dir, 'probe.mjs');
    await writeFile(probeFile, PROBE);
    await run('ip', ['netns', 'add', ns]);
    // `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts inside the namespace.
    await mkdir(`/etc/netns/${ns}`, { recursive: true });
    await writeFile(`/etc/netns/${ns}/hosts`, '127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.1.2.3 localhost.localdomain   # wrong on purpose\n');
  });

  afterAll(async () => {
    await run('ip', ['netns', 'del', ns]).catch(() => undefined);
    await rm(`/etc/netns/${ns}`, { recursive: true, force: true });
    // Remove /etc/netns itself only when empty (another test may be using it).
    await rmdir('/etc/netns').catch(() => undefined);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('a new namespace: lo is down with no addresses; ::1 cannot be bound, yet 127.0.0.1 can', async () => {
    const out = await probe();
    const truth = await groundTruth();
    expect(truth.flags).not.toContain('UP');
    expect(out.loopback).toMatchObject({ ok: true, value: { up: false, running: false, operstate: 'down', ipv4Source: 'ip', has127001: false, hasIpv6Loopback: false } });
    expect(addresses(out.loopback.value.ipv4)).toEqual(truth.ipv4);
    expect(out.loopback.value.ipv6).toEqual([]);
    // A kernel quirk worth knowing: until lo has had an address, the namespace has no local
    // routing table, inet_addr_type() then classifies every IPv4 address as broadcast, and the
    // bind succeeds. Connecting to it fails later (ENETUNREACH). has127001 stays false: correct.
    expect(out.bind127001).toMatchObject({ ok: true });
    expect(out.bindV6).toMatchObject({ ok: false, code: 'EADDRNOTAVAIL' });
  });

  it('the hosts file of the namespace, with a wrong localhost line', async () => {
    const out = await probe();
    expect(out.localhost).toEqual([
      { name: 'localhost', address: '127.0.0.1', family: 4, line: 1, loopback: true },
      { name: 'localhost', address: '::1', family: 6, line: 2, loopback: true },
      { name: 'ip6-localhost', address: '::1', family: 6, line: 2, loopback: true },
      { name: 'localhost.localdomain', address: '10.1.2.3', family: 4, line: 3, loopback: false },
    ]);
  });

  it('lo up: 127.0.0.1/8 and ::1, both bindable', async () => {
    await inNs('ip', 'link', 'set', 'lo', 'up');
    const out = await probe();
    const truth = await groundTruth();
    expect(truth.ipv4).toEqual(['127.0.0.1/8']);
    expect(out.loopback.value).toMatchObject({ up: true, running: true, operstate: 'unknown', has127001: true, hasIpv6Loopback: true, ipv6Disabled: false });
    expect(addresses(out.loopback.value.ipv4)).toEqual(truth.ipv4);
    expect(addresses(out.loopback.value.ipv6 as { address: string; prefixLength: number }[])).toEqual(truth.ipv6);
    expect(out.bind127001.ok).toBe(true);
    expect(out.bindV6.ok).toBe(true);
  });

  it('without `ip`, IPv4 comes from os.networkInterfaces() and the note says so', async () => {
    const out = await probe('no-ip');
    expect(out.loopback.value).toMatchObject({ ipv4Source: 'os.networkInterfaces', up: true, has127001: true });
    expect(addresses(out.loopback.value.ipv4)).toEqual((await groundTruth()).ipv4);
    expect(out.loopback.value.notes.join(' ')).toMatch(/omits interfaces that are down/);
  });

  it('disable_ipv6 on lo: ::1 is gone and cannot be bound', async () => {
    await inNs('sysctl', '-q', '-w', 'net.ipv6.conf.lo.disable_ipv6=1');
    const out = await probe();
    expect((await groundTruth()).ipv6).toEqual([]);
    expect(out.loopback.value).toMatchObject({ ipv6Disabled: true, hasIpv6Loopback: false, ipv6: [] });
    expect(out.settings).toMatchObject({ ok: true, value: { ipv6: { disabledOnLo: true } } });
    expect(out.bindV6).toMatchObject({ ok: false, code: 'EADDRNOTAVAIL' });
    expect(out.bind127001.ok).toBe(true);
  });

  it('extra 127.0.0.2/8: listed; and has127001 follows what a bind of 127.0.0.1 can do', async () => {
    await inNs('ip', 'addr', 'add', '127.0.0.2/8', 'dev', 'lo');
    let out = await probe();
    expect(addresses(out.loopback.value.ipv4)).toEqual((await groundTruth()).ipv4);
    expect(addresses(out.loopback.value.ipv4)).toEqual(['127.0.0.1/8', '127.0.0.2/8']);

    // Only 127.0.0.2/8 (deleting the primary 127.0.0.1/8 also deletes its secondaries, hence the
    // flush and re-add): the kernel still makes the whole /8 local, so 127.0.0.1 binds.
    await inNs('ip', 'addr', 'flush', 'dev', 'lo');
    await inNs('ip', 'addr', 'add', '127.0.0.2/8', 'dev', 'lo');
    out = await probe();
    expect(addresses(out.loopback.value.ipv4)).toEqual(['127.0.0.2/8']);
    expect(addresses(out.loopback.value.ipv4)).toEqual((await groundTruth()).ipv4);
    expect(out.loopback.value['has127001']).toBe(true);
    expect(out.bind127001.ok).toBe(true);

    // 127.0.0.2/32: 127.0.0.1 is no longer an address here.
    await inNs('ip', 'addr', 'flush', 'dev', 'lo');
    await inNs('ip', 'addr', 'add', '127.0.0.2/32', 'dev', 'lo');
    out = await probe();
    expect(addresses(out.loopback.value.ipv4)).toEqual(['127.0.0.2/32']);
    expect(out.loopback.value['has127001']).toBe(false);
    expect(out.bind127001).toMatchObject({ ok: false, code: 'EADDRNOTAVAIL' });
  });

  it('lo set down again: IPv4 addresses stay (ip shows them), os.networkInterfaces() hides them', async () => {
    await inNs('ip', 'link', 'set', 'lo', 'down');
    const truth = await groundTruth();
    expect(truth.ipv4.length).toBeGreaterThan(0);
    const viaIp = await probe();
    expect(viaIp.loopback.value).toMatchObject({ up: false, running: false, operstate: 'down' });
    expect(addresses(viaIp.loopback.value.ipv4)).toEqual(truth.ipv4);
    const viaNode = await probe('no-ip');
    expect(viaNode.loopback.value).toMatchObject({ up: false, ipv4Source: 'os.networkInterfaces', ipv4: [] });
  });

  it('port sysctls are per namespace, and portInfo answers from them', async () => {
    await inNs('sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=40000 40100');
    await inNs('sysctl', '-q', '-w', 'net.ipv4.ip_local_reserved_ports=40050,41000-41010');
    await inNs('sysctl', '-q', '-w', 'net.ipv4.ip_unprivileged_port_start=80');
    const out = await probe();
    expect(out.settings).toMatchObject({
      ok: true,
      value: { ephemeralRange: { from: 40000, to: 40100 }, reservedPorts: [{ from: 40050, to: 40050 }, { from: 41000, to: 41010 }], unprivilegedPortStart: 80, defaulted: [] },
    });
    expect(out.info40050).toMatchObject({ port: 40050, range: 'registered', ephemeral: true, reserved: true, privileged: false });
    expect(out.info79).toMatchObject({ range: 'well-known', privileged: true, ephemeral: false });
    // …while our own namespace is untouched.
    const { collectPortSettings } = await import('../../src/collectors/port-settings.js');
    const here = await collectPortSettings();
    expect(here.ok && here.value.ephemeralRange.from).not.toBe(40000);
  });
});
