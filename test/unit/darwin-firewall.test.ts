import { describe, expect, it } from 'vitest';
import { parsePfInfo, parsePfRules, parseSocketFilterFw } from '../../src/platform/darwin/firewall.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';

describe('Application Firewall (socketfilterfw)', () => {
  it('macOS 26.5.2 runner: `--getglobalstate; --getblockall` both off', () => {
    expect(parseSocketFilterFw(darwinFixture('socketfilterfw-globalstate-blockall-disabled-macos26.txt'))).toEqual({ enabled: false, stealth: null, blockAll: false, unrecognised: [] });
  });

  it('one Mac with the firewall on, stealth off, specific connections allowed (three commands, one output each)', () => {
    const text = ['socketfilterfw-getglobalstate-enabled.txt', 'socketfilterfw-getstealthmode-disabled.txt', 'socketfilterfw-getblockall-specific.txt'].map(darwinFixture).join('');
    expect(parseSocketFilterFw(text)).toEqual({ enabled: true, stealth: false, blockAll: false, unrecognised: [] });
  });

  it('the other wordings other projects quote (State = 2, stealth "is on", "Block all ENABLED!")', () => {
    // Quoted by several peer parsers (see SOURCES.md); no single recording holds them all.
    expect(parseSocketFilterFw('Firewall is blocking all non-essential incoming connections. (State = 2)\nFirewall stealth mode is on\n')).toEqual({
      enabled: true,
      stealth: true,
      blockAll: true,
      unrecognised: [],
    });
    expect(parseSocketFilterFw('Block all ENABLED!\nFirewall stealth mode is off\n')).toMatchObject({ enabled: null, stealth: false, blockAll: true });
  });

  it('what it does not know stays unknown, and is handed back', () => {
    const result = parseSocketFilterFw('Firewall is enabled.\nsocketfilterfw: permission denied\n');
    expect(result).toEqual({ enabled: null, stealth: null, blockAll: null, unrecognised: ['Firewall is enabled.', 'socketfilterfw: permission denied'] });
  });
});

describe('pf: pfctl -s info', () => {
  it('disabled on macOS 26.5.2 (with the ALTQ notices of stderr), enabled on OS X 10.10', () => {
    expect(parsePfInfo(darwinFixture('pfctl-s-info-disabled-macos26.txt'))).toEqual({ enabled: false });
    expect(parsePfInfo(darwinFixture('pfctl-s-info-enabled-osx-10.10.txt'))).toEqual({ enabled: true });
  });

  it('no status line (not root) is unknown, not "disabled"', () => {
    expect(parsePfInfo('pfctl: /dev/pf: Permission denied\n')).toEqual({ enabled: null });
    expect(parsePfInfo('')).toEqual({ enabled: null });
  });
});

describe('pf: pfctl -s rules', () => {
  it('the default ruleset of macOS 26.5.2: two Apple anchors, nothing else', () => {
    expect(parsePfRules(darwinFixture('pfctl-s-rules-default-macos26.txt'))).toEqual([
      { kind: 'anchor', text: 'scrub-anchor "com.apple/*" all fragment reassemble', anchorType: 'scrub-anchor', name: 'com.apple/*' },
      { kind: 'anchor', text: 'anchor "com.apple/*" all', anchorType: 'anchor', name: 'com.apple/*' },
    ]);
  });

  it('a hand-written `block in` / `pass out` ruleset of OS X 10.10', () => {
    const rules = parsePfRules(darwinFixture('pfctl-s-rules-block-in-osx-10.10.txt'));
    expect(rules.map((r) => r.kind)).toEqual(['anchor', 'filter', 'filter', 'anchor']);
    expect(rules[1]).toMatchObject({ action: 'block', direction: 'in', quick: false, interface: null, onLoopback: false, protocol: null, ports: [] });
    expect(rules[2]).toMatchObject({ action: 'pass', direction: 'out', quick: false, ports: [] });
  });

  it('the Application Firewall anchor with stealth mode on: ICMP echo requests dropped', () => {
    const rules = parsePfRules(darwinFixture('pfctl-a-appfirewall-stealth-rules-osx-10.10.txt'));
    expect(rules.map((r) => (r.kind === 'filter' ? `${r.action} ${r.direction} ${r.family} ${r.protocol}` : r.kind))).toEqual([
      'scrub',
      'block in inet icmp',
      'block in inet icmp',
      'block in inet6 ipv6-icmp',
    ]);
  });

  it('the AirDrop anchor: pass rules on p2p0 with a port', () => {
    const rules = parsePfRules(darwinFixture('pfctl-a-airdrop-rules-osx-10.10.txt'));
    expect(rules).toMatchObject([
      { kind: 'filter', action: 'pass', direction: 'in', interface: 'p2p0', family: 'inet6', protocol: 'udp', ports: [5353], portsUninterpreted: false },
      { kind: 'filter', action: 'pass', direction: 'out', interface: 'p2p0', protocol: 'tcp', ports: [] },
    ]);
  });

  it('a quick rule on lo0 (quoted from a macOS 26.6 capture with ctrld), ranges and unknown lines', () => {
    const rules = parsePfRules(
      [
        'pass in quick on lo0 reply-to lo0 inet proto udp from any to 127.0.0.1 port = 5354',
        'block drop in quick on lo0 proto tcp from any to any port 3000:3010',
        'set skip on lo0',
      ].join('\n'),
    );
    expect(rules[0]).toMatchObject({ kind: 'filter', action: 'pass', quick: true, interface: 'lo0', onLoopback: true, family: 'inet', protocol: 'udp', ports: [5354] });
    expect(rules[1]).toMatchObject({ kind: 'filter', action: 'block', quick: true, onLoopback: true, ports: [], portsUninterpreted: true });
    expect(rules[2]).toEqual({ kind: 'uninterpreted', text: 'set skip on lo0' });
  });
});
