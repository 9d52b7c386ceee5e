/**
 * DNAT/REDIRECT rules read from real rule sets: a real dockerd with --userland-proxy=false
 * (test/fixtures/docker/capture.sh) and hand-made rules added with iptables, ip6tables, the legacy
 * back-end and native nft (test/fixtures/firewall/capture-nat.sh).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/platform/linux/firewall/iptables-save.js';
import { parseToDestination } from '../../src/platform/linux/firewall/nat-iptables.js';
import { natRedirects, redirectsFor } from '../../src/platform/linux/firewall/nat.js';
import type { NatRedirect } from '../../src/platform/linux/firewall/nat-types.js';
import { loadScenario } from './firewall-fixtures.js';

const brief = (r: NatRedirect) => ({
  kind: r.kind,
  family: r.family,
  protocol: r.protocol,
  dport: r.dport,
  daddr: r.daddr,
  daddrNegated: r.daddrNegated,
  toAddress: r.toAddress,
  toPort: r.toPort,
  conditions: r.conditions,
  source: r.source,
  backend: r.backend,
  chain: r.chain,
  hooks: r.paths.map((p) => p.hook).sort(),
});

describe('DNAT rules of a real dockerd with --userland-proxy=false', () => {
  const reading = natRedirects(loadScenario('docker-userland-proxy-false'));

  it('reads the three published ports from the iptables-nft twin of nft\'s opaque xt targets', () => {
    expect(reading.unreadable).toEqual([]);
    expect(reading.redirects.map(brief)).toEqual([
      { kind: 'dnat', family: 'ipv4', protocol: 'tcp', dport: { from: 8080, to: 8080 }, daddr: '127.0.0.1/32', daddrNegated: false, toAddress: '172.17.0.2', toPort: { from: 80, to: 80 }, conditions: [], source: 'iptables', backend: 'nft', chain: 'DOCKER', hooks: ['output', 'prerouting'] },
      { kind: 'dnat', family: 'ipv4', protocol: 'tcp', dport: { from: 8081, to: 8081 }, daddr: null, daddrNegated: false, toAddress: '172.17.0.3', toPort: { from: 80, to: 80 }, conditions: [], source: 'iptables', backend: 'nft', chain: 'DOCKER', hooks: ['output', 'prerouting'] },
      { kind: 'dnat', family: 'ipv4', protocol: 'udp', dport: { from: 5353, to: 5353 }, daddr: '127.0.0.1/32', daddrNegated: false, toAddress: '172.17.0.4', toPort: { from: 53, to: 53 }, conditions: [], source: 'iptables', backend: 'nft', chain: 'DOCKER', hooks: ['output', 'prerouting'] },
    ]);
  });

  it('quotes each rule as iptables-save prints it and says how OUTPUT reaches the DOCKER chain', () => {
    const web = reading.redirects[0];
    expect(web?.rule).toBe('-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
    expect(web?.paths.find((p) => p.hook === 'output')?.jumps).toEqual(['-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER']);
  });

  it('answers which rule a connection to 127.0.0.1:8080 meets, and that ::1 and other ports meet none', () => {
    const hits = redirectsFor(reading.redirects, { protocol: 'tcp', address: '127.0.0.1', port: 8080 });
    expect(hits.map((h) => [h.redirect.toAddress, h.certain])).toEqual([['172.17.0.2', true]]);
    expect(redirectsFor(reading.redirects, { protocol: 'tcp', address: '::1', port: 8081 })).toEqual([]);
    expect(redirectsFor(reading.redirects, { protocol: 'tcp', address: '127.0.0.1', port: 5353 })).toEqual([]);
    expect(redirectsFor(reading.redirects, { protocol: 'udp', address: '127.0.0.1', port: 5353 }).map((h) => h.redirect.toPort)).toEqual([{ from: 53, to: 53 }]);
  });

  it('reads the same rules from iptables-nft-save alone when nft cannot be read', () => {
    const alone = natRedirects(loadScenario('docker-userland-proxy-false', { nft: false }));
    expect(alone.redirects.map(brief)).toEqual(reading.redirects.map(brief));
  });
});

describe('DNAT rules of a real dockerd with IPv6 and ip6tables', () => {
  it('reads the IPv6 DNAT to the container\'s address in brackets', () => {
    const reading = natRedirects(loadScenario('docker-ipv6'));
    expect(reading.unreadable).toEqual([]);
    const v6 = reading.redirects.filter((r) => r.family === 'ipv6');
    expect(v6.map(brief)).toEqual([
      { kind: 'dnat', family: 'ipv6', protocol: 'tcp', dport: { from: 8085, to: 8085 }, daddr: null, daddrNegated: false, toAddress: 'fd00:dd::242:ac11:2', toPort: { from: 80, to: 80 }, conditions: [], source: 'ip6tables', backend: 'nft', chain: 'DOCKER', hooks: ['output', 'prerouting'] },
    ]);
    expect(redirectsFor(reading.redirects, { protocol: 'tcp', address: '::1', port: 8085 })).toHaveLength(1);
  });
});

describe('hand-made iptables-nft rules (iptables -t nat -A …)', () => {
  const reading = natRedirects(loadScenario('nat-iptables'));
  const byPort = (port: number) => reading.redirects.filter((r) => r.dport !== null && r.dport.from <= port && r.dport.to >= port);

  it('reads DNAT with and without a port, REDIRECT with and without --to-ports, and ip6tables brackets', () => {
    expect(byPort(8080).map((r) => [r.family, r.daddr, r.toAddress, r.toPort])).toEqual([
      ['ipv4', '127.0.0.1/32', '10.0.0.2', { from: 80, to: 80 }],
      ['ipv6', '::1/128', 'fd00::2', { from: 80, to: 80 }],
    ]);
    expect(byPort(5353).map((r) => [r.protocol, r.toAddress, r.toPort])).toEqual([['udp', '10.0.0.3', null]]);
    expect(byPort(3000).map((r) => [r.kind, r.toAddress, r.toPort])).toEqual([['redirect', null, { from: 3001, to: 3001 }]]);
    expect(byPort(3100).map((r) => [r.kind, r.toPort])).toEqual([['redirect', null]]);
    expect(byPort(8081).map((r) => [r.family, r.kind, r.toPort])).toEqual([['ipv6', 'redirect', { from: 8082, to: 8082 }]]);
  });

  it('gives one entry per multiport range, with the target port range', () => {
    expect(reading.redirects.filter((r) => r.toAddress === '10.0.0.4').map((r) => [r.dport, r.toPort])).toEqual([
      [{ from: 9000, to: 9000 }, { from: 9000, to: 9002 }],
      [{ from: 9100, to: 9102 }, { from: 9000, to: 9002 }],
    ]);
  });

  it('keeps conditions it does not interpret, and a negated port stays a condition (not a dport)', () => {
    const owner = reading.redirects.find((r) => r.toAddress === '10.0.0.7');
    expect(owner?.dport).toBeNull();
    expect(owner?.conditions).toEqual(['-m tcp ! --dport 22', '-m owner --uid-owner 1000']);
    expect(redirectsFor(reading.redirects, { protocol: 'tcp', address: '127.0.0.1', port: 22 }).map((h) => [h.redirect.toAddress, h.certain])).toEqual([['10.0.0.7', false]]);
  });

  it('reports an address range (load-balanced) as unreadable instead of picking one address', () => {
    expect(reading.unreadable).toEqual([
      'iptables: -A OUTPUT ! -d 127.0.0.0/8 -p tcp -m tcp --dport 7000 -m comment --comment "to the range" -j DNAT --to-destination 10.0.0.5-10.0.0.6:7000 (--to-destination 10.0.0.5-10.0.0.6:7000 is not one address (an address range is load-balanced))',
    ]);
  });

  it('records the jump from OUTPUT (-o lo) and PREROUTING into the user chain', () => {
    const pd = byPort(8080)[0];
    expect(pd?.chain).toBe('PD');
    expect([...(pd?.paths ?? [])].sort((a, b) => a.hook.localeCompare(b.hook))).toEqual([
      { hook: 'output', jumps: ['-A OUTPUT -o lo -j PD'] },
      { hook: 'prerouting', jumps: ['-A PREROUTING -j PD'] },
    ]);
    expect(byPort(3000)[0]?.paths).toEqual([{ hook: 'output', jumps: [] }]);
  });
});

describe('hand-made legacy iptables rules', () => {
  it('reads both families from the legacy dumps and nothing from nf_tables', () => {
    const reading = natRedirects(loadScenario('nat-legacy'));
    expect(reading.redirects.map((r) => [r.source, r.backend, r.kind, r.toAddress, r.toPort, r.conditions])).toEqual([
      ['iptables', 'legacy', 'dnat', '10.1.0.2', { from: 80, to: 80 }, ['-o lo']],
      ['ip6tables', 'legacy', 'redirect', null, { from: 18080, to: 18080 }, ['-o lo']],
    ]);
  });
});

describe('hand-made native nft rules', () => {
  const reading = natRedirects(loadScenario('nat-nft'));

  it('reads dnat and redirect statements with their daddr, dport sets and families', () => {
    expect(reading.redirects.map((r) => [r.table, r.chain, r.family, r.protocol, r.daddr, r.dport, r.kind, r.toAddress, r.toPort, r.conditions])).toEqual([
      ['ip pdnat', 'out', 'ipv4', 'tcp', '127.0.0.1', { from: 8080, to: 8080 }, 'dnat', '10.2.0.2', { from: 80, to: 80 }, []],
      ['ip pdnat', 'out', 'ipv4', 'tcp', null, { from: 8090, to: 8093 }, 'dnat', '10.2.0.3', null, []],
      ['ip pdnat', 'out', 'ipv4', 'udp', null, { from: 5353, to: 5353 }, 'redirect', null, { from: 5354, to: 5354 }, ['oifname "lo"']],
      ['ip pdnat', 'more', 'ipv4', 'tcp', null, null, 'dnat', '10.2.0.4', { from: 8100, to: 8101 }, []],
      ['inet pdnat6', 'out', 'ipv6', 'tcp', '::1', { from: 8080, to: 8080 }, 'dnat', 'fd00::3', { from: 80, to: 80 }, []],
      ['inet pdnat6', 'out', 'ipv4', 'tcp', null, { from: 8081, to: 8081 }, 'redirect', null, { from: 18081, to: 18081 }, []],
      ['inet pdnat6', 'out', null, 'tcp', null, { from: 8082, to: 8082 }, 'redirect', null, null, []],
    ]);
  });

  it('says the jump into `more` is taken only for tcp dport 8100, and leaves the dnat map unread', () => {
    const more = reading.redirects.find((r) => r.chain === 'more');
    expect(more?.paths).toEqual([{ hook: 'output', jumps: ['tcp dport 8100 jump more'] }]);
    expect(reading.unreadable).toHaveLength(1);
    expect(reading.unreadable[0]).toMatch(/^nft ip pdnat out: tcp dport 8200 .*a map or a range, not one address/);
  });
});

describe('DNAT lines in iptables-save syntax (edge cases)', () => {
  const one = (line: string) => natRedirects({ iptablesNft: null, ip6tablesNft: null, iptablesLegacy: parseIptablesSave(`*nat\n:OUTPUT ACCEPT [0:0]\n${line}\nCOMMIT\n`), ip6tablesLegacy: null, nft: null });

  it('reads --to-destination forms and rejects ranges and doubles', () => {
    expect(parseToDestination('172.17.0.2:80')).toEqual({ toAddress: '172.17.0.2', toPort: { from: 80, to: 80 } });
    expect(parseToDestination('172.17.0.2')).toEqual({ toAddress: '172.17.0.2', toPort: null });
    expect(parseToDestination('[fd00::2]:8080-8090')).toEqual({ toAddress: 'fd00::2', toPort: { from: 8080, to: 8090 } });
    expect(parseToDestination('fd00::2')).toEqual({ toAddress: 'fd00::2', toPort: null });
    expect(parseToDestination(':8080')).toEqual({ toAddress: null, toPort: { from: 8080, to: 8080 } });
    expect(parseToDestination('10.0.0.1-10.0.0.9')).toBeNull();
    expect(parseToDestination('10.0.0.1:90-80')).toBeNull();
    expect(parseToDestination('')).toBeNull();
    expect(one('-A OUTPUT -p tcp --dport 1 -j DNAT --to-destination 10.0.0.1:1 --to-destination 10.0.0.2:1').unreadable).toHaveLength(1);
    expect(one('-A OUTPUT -p tcp --dport 1 -j DNAT').unreadable).toEqual(['iptables: -A OUTPUT -p tcp --dport 1 -j DNAT (DNAT without --to-destination)']);
  });

  it('ignores other targets, and a DNAT rule in a chain no hook reaches has no paths', () => {
    expect(one('-A OUTPUT -p tcp --dport 1 -j ACCEPT').redirects).toEqual([]);
    const orphan = natRedirects({ iptablesNft: null, ip6tablesNft: null, ip6tablesLegacy: null, nft: null, iptablesLegacy: parseIptablesSave('*nat\n:OUTPUT ACCEPT [0:0]\n:LOST - [0:0]\n-A LOST -p tcp --dport 9 -j DNAT --to-destination 10.0.0.9\nCOMMIT\n') });
    expect(orphan.redirects[0]?.paths).toEqual([]);
  });

  it('never throws and never invents a target, whatever the --to-destination text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const parsed = parseToDestination(text);
        if (parsed === null) return true;
        // An address it returns is written in the text; a port range is ordered and in range.
        if (parsed.toAddress !== null && !text.includes(parsed.toAddress)) return false;
        return parsed.toPort === null || (parsed.toPort.from <= parsed.toPort.to && parsed.toPort.to <= 65535);
      }),
    );
  });
});
