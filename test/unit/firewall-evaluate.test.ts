import { describe, expect, it } from 'vitest';
import { evaluateQuery, loadScenario, v4, v6 } from './firewall-fixtures.js';

/**
 * Each scenario was captured from a real namespace (test/fixtures/firewall/capture.sh); the same
 * rules are checked against real connections in test/integration/firewall.test.ts.
 */
describe('firewall evaluation on captured rule sets', () => {
  it('input-drop: quotes the iptables-save line for an INPUT DROP, not nft text of the same rule', () => {
    const rules = loadScenario('input-drop');
    expect(evaluateQuery(rules, v4('tcp', 18080)).blocked).toEqual({
      verdict: 'drop',
      source: 'iptables',
      backend: 'nft',
      table: 'filter',
      chain: 'INPUT',
      hook: 'input',
      rule: '-A INPUT -i lo -p tcp -m tcp --dport 18080 -j DROP',
      policy: false,
    });
    expect(evaluateQuery(rules, v4('tcp', 18081)).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('udp', 18080)).blocked).toBeNull();
    expect(evaluateQuery(rules, v6('tcp', 18080)).blocked).toBeNull();
    expect(evaluateQuery(rules, v6('udp', 15353)).blocked).toMatchObject({
      verdict: 'reject',
      source: 'ip6tables',
      rule: '-A INPUT -i lo -p udp -m udp --dport 15353 -j REJECT --reject-with icmp6-port-unreachable',
    });
    expect(evaluateQuery(rules, v4('udp', 15353)).blocked).toBeNull();
  });

  it('input-drop: gives the same answer from iptables-nft-save alone when nft cannot be read', () => {
    const rules = loadScenario('input-drop', { nft: false });
    expect(evaluateQuery(rules, v4('tcp', 18080)).blocked?.rule).toBe('-A INPUT -i lo -p tcp -m tcp --dport 18080 -j DROP');
    expect(evaluateQuery(rules, v4('tcp', 18081)).blocked).toBeNull();
  });

  it('output-multiport: multiport lists and ranges, ctstate NEW, and ! -o lo on the output hook', () => {
    for (const nft of [true, false]) {
      const rules = loadScenario('output-multiport', { nft });
      const https = evaluateQuery(rules, v4('tcp', 443));
      expect(https.blocked).toMatchObject({ verdict: 'reject', hook: 'output', chain: 'OUTPUT', source: 'iptables' });
      expect(https.blocked?.rule).toContain('--dports 80,443,19000:19100 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset');
      expect(https.uninterpreted).toEqual([]);
      expect(evaluateQuery(rules, v4('tcp', 19050)).blocked?.verdict).toBe('reject');
      expect(evaluateQuery(rules, v4('tcp', 19101)).blocked).toBeNull();
      expect(evaluateQuery(rules, v4('udp', 80)).blocked).toMatchObject({ verdict: 'drop', rule: '-A OUTPUT -o lo -p udp -m multiport --dports 80,443 -j DROP' });
      expect(evaluateQuery(rules, v4('udp', 19000)).blocked).toBeNull();
      expect(evaluateQuery(rules, v4('tcp', 19200)).blocked).toBeNull();
    }
  });

  it('user-chain: follows jumps, RETURN, address prefixes and negated destinations', () => {
    const rules = loadScenario('user-chain');
    expect(evaluateQuery(rules, v4('tcp', 17005)).blocked).toMatchObject({
      verdict: 'drop',
      chain: 'guard',
      hook: 'input',
      rule: '-A guard -p tcp -m tcp --dport 17000:17010 -j DROP',
    });
    expect(evaluateQuery(rules, v4('tcp', 17005, '127.0.0.2')).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('tcp', 80, '127.0.1.1')).blocked?.rule).toBe('-A guard -s 127.0.0.0/8 ! -d 127.0.0.0/24 -p tcp -j DROP');
    expect(evaluateQuery(rules, v4('tcp', 80, '127.0.0.9')).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('udp', 80, '127.0.1.1')).blocked).toBeNull();
    expect(evaluateQuery(rules, v6('tcp', 17001)).blocked).toMatchObject({ verdict: 'reject', source: 'ip6tables', chain: 'guard6' });
    expect(evaluateQuery(rules, v6('tcp', 17002)).blocked).toBeNull();
  });

  it('policy-drop: a DROP policy decides when no rule accepts; ESTABLISHED,RELATED does not accept a new connection', () => {
    const rules = loadScenario('policy-drop');
    expect(evaluateQuery(rules, v4('tcp', 5000)).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('tcp', 5000, '127.0.0.2')).blocked).toEqual({
      verdict: 'drop',
      source: 'iptables',
      backend: 'nft',
      table: 'filter',
      chain: 'INPUT',
      hook: 'input',
      rule: '-P INPUT DROP',
      policy: true,
    });
    expect(evaluateQuery(rules, v4('tcp', 22, '127.0.0.2')).blocked).toBeNull();
    expect(evaluateQuery(rules, v6('tcp', 5000)).blocked).toBeNull();
  });

  it('nft-inet: sets, ranges, th dport, iif, vmap with jump/return, policies and the output hook', () => {
    const rules = loadScenario('nft-inet');
    const at16000 = evaluateQuery(rules, v4('tcp', 16000)).blocked;
    expect(at16000).toEqual({
      verdict: 'reject',
      source: 'nft',
      backend: null,
      table: 'inet pdfw',
      chain: 'input',
      hook: 'input',
      rule: 'iifname "lo" tcp dport @blocked_ports reject with tcp reset',
      policy: false,
    });
    expect(evaluateQuery(rules, v6('tcp', 16150)).blocked?.verdict).toBe('reject');
    expect(evaluateQuery(rules, v4('udp', 16305)).blocked).toMatchObject({ verdict: 'drop', rule: 'iifname "lo" meta l4proto { tcp, udp } th dport 16300-16310 drop' });
    expect(evaluateQuery(rules, v6('tcp', 16400)).blocked?.rule).toBe('iif lo ip6 daddr @loop6 tcp dport { 16400, 16401 } reject with icmpv6 port-unreachable');
    expect(evaluateQuery(rules, v4('tcp', 16400)).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('tcp', 16500)).blocked).toMatchObject({ verdict: 'drop', rule: 'iifname "lo" tcp dport vmap { 16500 : drop, 16501 : jump extra }' });
    expect(evaluateQuery(rules, v4('tcp', 16501)).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('tcp', 16501, '127.0.0.2')).blocked).toMatchObject({ verdict: 'reject', chain: 'extra', rule: 'reject with icmpx admin-prohibited' });
    expect(evaluateQuery(rules, v4('udp', 16600)).blocked).toMatchObject({ verdict: 'drop', hook: 'output', chain: 'output' });
    expect(evaluateQuery(rules, v4('tcp', 16700)).blocked).toMatchObject({ hook: 'output', rule: 'oifname "lo" tcp dport 16700 drop' });
    expect(evaluateQuery(rules, v4('tcp', 16701)).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('tcp', 5000)).uninterpreted).toEqual([]);
  });

  it('legacy: rules in the legacy back-end apply alongside nf_tables', () => {
    const rules = loadScenario('legacy');
    expect(evaluateQuery(rules, v4('tcp', 18443)).blocked).toMatchObject({ verdict: 'reject', source: 'iptables', backend: 'legacy', table: 'filter' });
    expect(evaluateQuery(rules, v6('tcp', 18443)).blocked).toMatchObject({
      verdict: 'drop',
      source: 'ip6tables',
      backend: 'legacy',
      hook: 'output',
      rule: '-A OUTPUT -o lo -p tcp -m tcp --dport 18443 -j DROP',
    });
    expect(evaluateQuery(rules, v4('tcp', 18444)).blocked).toBeNull();
  });

  it('nft-in-iptables-table: nft rules inside `ip filter` are read from nft, not from iptables-nft-save\'s lossy lines', () => {
    const save = loadScenario('nft-in-iptables-table', { nft: false }).iptablesNft;
    // The trap this guards against: iptables-nft-save prints the set lookup as a bare "-p tcp -j DROP".
    expect(save?.tables[0]?.rules.map((r) => r.line)).toContain('-A INPUT -p tcp -j DROP');
    const rules = loadScenario('nft-in-iptables-table');
    expect(evaluateQuery(rules, v4('tcp', 15000)).blocked).toMatchObject({ source: 'nft', table: 'ip filter', chain: 'INPUT', rule: 'tcp dport @blocked drop' });
    expect(evaluateQuery(rules, v4('tcp', 15001)).blocked?.verdict).toBe('drop');
    expect(evaluateQuery(rules, v4('tcp', 15002)).blocked).toBeNull();
    expect(evaluateQuery(rules, v4('tcp', 15003)).blocked).toBeNull();
  });

  it('unknown-matches: owner, limit, mark and NFQUEUE are reported, never turned into a false "blocked"', () => {
    for (const nft of [true, false]) {
      const rules = loadScenario('unknown-matches', { nft });
      const owner = evaluateQuery(rules, v4('tcp', 18500));
      expect(owner.blocked).toBeNull();
      expect(owner.uninterpreted.join('\n')).toContain('--uid-owner 0');
      const limited = evaluateQuery(rules, v4('tcp', 18501));
      expect(limited.blocked).toBeNull();
      expect(limited.uninterpreted.join('\n')).toContain('-m limit --limit 1/sec');
      expect(evaluateQuery(rules, v4('tcp', 18502)).uninterpreted.join('\n')).toContain('--mark 0x1');
      const queued = evaluateQuery(rules, v4('tcp', 18503));
      expect(queued.blocked).toBeNull();
      expect(queued.uninterpreted.join('\n')).toContain('NFQUEUE');
      expect(evaluateQuery(rules, v4('tcp', 18504))).toEqual({ blocked: null, uninterpreted: [] });
    }
  });
});
