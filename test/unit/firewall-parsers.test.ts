import { describe, expect, it } from 'vitest';
import { parseIptablesSave, tokenize } from '../../src/platform/linux/firewall/iptables-save.js';
import { parseNftJson } from '../../src/platform/linux/firewall/nft-json.js';
import { formatNftRule } from '../../src/platform/linux/firewall/nft-text.js';
import { fixture } from './firewall-fixtures.js';

describe('parseIptablesSave on captured output', () => {
  it('reads tables, policies, user chains and rules of iptables-nft-save', () => {
    const save = parseIptablesSave(fixture('user-chain.iptables-nft-save.txt'));
    expect(save.backend).toBe('nft');
    expect(save.unparsed).toEqual([]);
    const filter = save.tables[0];
    expect(filter?.name).toBe('filter');
    expect(filter?.chains).toEqual([
      { name: 'INPUT', policy: 'ACCEPT' },
      { name: 'FORWARD', policy: 'ACCEPT' },
      { name: 'OUTPUT', policy: 'ACCEPT' },
      { name: 'guard', policy: null },
    ]);
    expect(filter?.rules[2]).toEqual({
      chain: 'guard',
      line: '-A guard -s 127.0.0.0/8 ! -d 127.0.0.0/24 -p tcp -j DROP',
      options: [
        { module: null, option: '-s', negated: false, values: ['127.0.0.0/8'] },
        { module: null, option: '-d', negated: true, values: ['127.0.0.0/24'] },
        { module: null, option: '-p', negated: false, values: ['tcp'] },
      ],
      modules: [],
      target: { name: 'DROP', goto: false, options: [] },
      unparsable: false,
    });
  });

  it('tells the legacy back-end by its header, and reads an empty dump as no tables', () => {
    expect(parseIptablesSave(fixture('legacy.iptables-legacy-save.txt')).backend).toBe('legacy');
    expect(parseIptablesSave(fixture('input-drop.iptables-legacy-save.txt'))).toEqual({ backend: null, tables: [], unparsed: [], incompatible: [] });
  });

  it('keeps module options with their module and target options with the target', () => {
    const save = parseIptablesSave(fixture('output-multiport.iptables-nft-save.txt'));
    const rule = save.tables[0]?.rules[0];
    expect(rule?.modules).toEqual(['multiport', 'conntrack']);
    expect(rule?.options.slice(2)).toEqual([
      { module: 'multiport', option: '--dports', negated: false, values: ['80,443,19000:19100'] },
      { module: 'conntrack', option: '--ctstate', negated: false, values: ['NEW'] },
    ]);
    expect(rule?.target).toEqual({ name: 'REJECT', goto: false, options: ['--reject-with', 'tcp-reset'] });
  });

  it('unquotes comments with escaped quotes', () => {
    const save = parseIptablesSave(fixture('policy-drop.iptables-nft-save.txt'));
    const comment = save.tables[0]?.rules.flatMap((r) => r.options).find((o) => o.option === '--comment');
    expect(comment?.values).toEqual(['ssh "admin" access']);
  });
});

describe('parseIptablesSave edge cases', () => {
  it('strips `iptables-save -c` counters and reads goto and old-style negation', () => {
    const save = parseIptablesSave('*filter\n:INPUT DROP [5:300]\n[3:180] -A INPUT -p tcp -m tcp --dport ! 22 -g other\nCOMMIT\n');
    const rule = save.tables[0]?.rules[0];
    expect(rule?.line).toBe('-A INPUT -p tcp -m tcp --dport ! 22 -g other');
    expect(rule?.options[1]).toEqual({ module: 'tcp', option: '--dport', negated: true, values: ['22'] });
    expect(rule?.target).toEqual({ name: 'other', goto: true, options: [] });
  });

  it('keeps a rule it cannot parse in its chain (so it is reported), and lines outside tables as unparsed', () => {
    const save = parseIptablesSave('garbage\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "unterminated -j DROP\nCOMMIT\n# Table `nat\' is incompatible, use \'nft\' tool.\n');
    expect(save.unparsed).toEqual(['garbage']);
    expect(save.tables[0]?.rules[0]?.unparsable).toBe(true);
    expect(save.incompatible).toEqual(['nat']);
  });

  it('tokenizes quotes and backslash escapes like iptables-save writes them', () => {
    expect(tokenize('-m comment --comment "a \\"b\\" c" -j ACCEPT')).toEqual(['-m', 'comment', '--comment', 'a "b" c', '-j', 'ACCEPT']);
    expect(tokenize('--comment "open')).toBeNull();
  });
});

describe('parseNftJson', () => {
  it('reads tables, sets, base chains with priority and policy, and rules', () => {
    const ruleset = parseNftJson(fixture('nft-inet.nft.json'));
    const table = ruleset?.tables[0];
    expect(table?.family).toBe('inet');
    expect(table?.name).toBe('pdfw');
    expect(table?.sets.get('blocked_ports')).toEqual([16000, { range: [16100, 16200] }]);
    expect(table?.chains.map((c) => [c.name, c.hook, c.priority, c.policy])).toEqual([
      ['input', 'input', -10, 'drop'],
      ['extra', null, 0, 'accept'],
      ['output', 'output', 0, 'accept'],
    ]);
    expect(table?.rules.filter((r) => r.chain === 'input')).toHaveLength(7);
  });

  it('sees the tables iptables-nft made, with xt expressions for extensions', () => {
    const ruleset = parseNftJson(fixture('output-multiport.nft.json'));
    const filter = ruleset?.tables.find((t) => t.family === 'ip' && t.name === 'filter');
    expect(JSON.stringify(filter?.rules[0]?.expr)).toContain('"xt"');
  });

  it('returns null for text that is not nft JSON', () => {
    expect(parseNftJson('table inet x {}')).toBeNull();
    expect(parseNftJson('{"other": []}')).toBeNull();
  });

  it('rebuilds rule text the way nft lists it (without counters)', () => {
    const ruleset = parseNftJson(fixture('input-drop.nft.json'));
    const rule = ruleset?.tables.find((t) => t.family === 'ip')?.rules[0];
    expect(formatNftRule(rule?.expr ?? [])).toBe('iifname "lo" tcp dport 18080 counter drop');
  });
});
