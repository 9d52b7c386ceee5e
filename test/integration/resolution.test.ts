import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveHost, type Resolution } from '../../src/collectors/resolution.js';
import { createNetns, type Netns } from '../helpers/servers.js';
import { distUrl, ensureBuilt } from '../helpers/built-dist.js';

const root = process.getuid?.() === 0;

describe('resolveHost in this process', () => {
  it('IP literals resolve to themselves, in the right family bucket', async () => {
    const v4 = await resolveHost('127.0.0.1');
    expect(v4).toMatchObject({ literal: true, addresses: [{ address: '127.0.0.1', family: 'ipv4' }], nodeFirst: '127.0.0.1', getaddrinfoFirst: '127.0.0.1', ipv6Addresses: [], error: null });
    const v6 = await resolveHost('::1');
    expect(v6).toMatchObject({ literal: true, addresses: [{ address: '::1', family: 'ipv6' }], ipv4Addresses: [], ipv6Addresses: [{ address: '::1', family: 'ipv6' }] });
  });

  it("localhost: loopback addresses only, Node's first is among them, hints keep families apart", async () => {
    const r = await resolveHost('localhost');
    expect(r.error).toBeNull();
    expect(r.addresses.length).toBeGreaterThan(0);
    for (const { address } of r.addresses) expect(address === '::1' || address.startsWith('127.')).toBe(true);
    expect(r.addresses.map((a) => a.address)).toContain(r.nodeFirst);
    expect(r.getaddrinfoFirst).toBe(r.addresses[0]?.address);
    expect(r.ipv4Addresses.every((a) => a.family === 'ipv4' && net.isIPv4(a.address))).toBe(true);
    expect(r.ipv6Addresses.every((a) => a.family === 'ipv6' && net.isIPv6(a.address))).toBe(true);
    expect(r.autoSelectFamily).toBe(net.getDefaultAutoSelectFamily());
  });
});

describe.skipIf(!root)('resolveHost with a namespace hosts file (needs root: ip netns, /etc/netns)', () => {
  let ns: Netns;

  beforeAll(async () => {
    // The child runs inside the namespace, so it runs the compiled module, not this test's TypeScript.
    await ensureBuilt(['collectors/resolution.ts']);
    // resolv.conf → 127.0.0.1, where no DNS server listens: unknown names fail without leaving the namespace.
    ns = createNetns({ hosts: '127.0.0.1 localhost\n::1 localhost ip6-localhost\n', resolvConf: 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' });
  }, 180_000);
  afterAll(async () => {
    await ns?.[Symbol.asyncDispose]();
  });

  function resolveInNs(host: string, nodeFlags: readonly string[] = []): Resolution {
    const script = `import { resolveHost } from ${JSON.stringify(distUrl('collectors/resolution.ts'))}; console.log(JSON.stringify(await resolveHost(${JSON.stringify(host)})));`;
    return JSON.parse(ns.exec([process.execPath, ...nodeFlags, '--input-type=module', '-e', script])) as Resolution;
  }

  it('localhost with both families: getaddrinfo sorts ::1 first, and Node (verbatim) follows it', () => {
    const r = resolveInNs('localhost');
    expect(r.addresses).toEqual([
      { address: '::1', family: 'ipv6' },
      { address: '127.0.0.1', family: 'ipv4' },
    ]);
    expect(r).toMatchObject({ getaddrinfoFirst: '::1', nodeFirst: '::1', nodeResultOrder: 'verbatim', autoSelectFamily: true, nodeOrder: ['::1', '127.0.0.1'] });
    // glibc quirk, kept verbatim: an AF_INET lookup maps the `::1` hosts line to 127.0.0.1, so `curl -4` gets it twice.
    expect(r.ipv4Addresses.length).toBeGreaterThanOrEqual(1);
    expect(r.ipv4Addresses.every((a) => a.address === '127.0.0.1' && a.family === 'ipv4')).toBe(true);
    expect(r.ipv6Addresses).toEqual([{ address: '::1', family: 'ipv6' }]);
  });

  it('--dns-result-order=ipv4first makes Node and curl disagree', () => {
    const r = resolveInNs('localhost', ['--dns-result-order=ipv4first']);
    expect(r).toMatchObject({ getaddrinfoFirst: '::1', nodeFirst: '127.0.0.1', nodeResultOrder: 'ipv4first' });
  });

  it('without happy eyeballs Node tries only its first address', () => {
    const r = resolveInNs('localhost', ['--no-network-family-autoselection']);
    expect(r).toMatchObject({ autoSelectFamily: false, nodeOrder: ['::1'] });
  });

  it('a name that does not resolve is a value with the resolver code, not a throw', () => {
    const r = resolveInNs('no-such-host.invalid');
    expect(r).toMatchObject({ host: 'no-such-host.invalid', literal: false, addresses: [], nodeFirst: null, getaddrinfoFirst: null });
    expect(r.error?.code).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
    expect(r.error?.message).toContain('no-such-host.invalid');
  });
});
