import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knownHolderOf } from '../../src/platform/known-holders.js';
import { portProxyDeleteCommand, portProxyForward, withPortProxies } from '../../src/platform/win32/port-proxies.js';
import { parsePortProxyRules, portProxyRuleFor, type PortProxyKind, type PortProxyRule } from '../../src/platform/win32/portproxy.js';
import { consoleText } from '../../src/platform/win32/sources.js';
import type { ProcessInfo, Socket } from '../../src/types.js';
import { win32Fixture, win32FixtureBytes } from './win32-fixtures.js';

/**
 * `netsh interface portproxy show all` on the recorded outputs of test/fixtures/win32 (English
 * WSL 2, a Japanese title over English headings, Chinese with `*` and Markdown indentation), on
 * edge cases made from them (each says what was changed), and on generated tables.
 */

const KRUGLE = 'portproxy-show-all.en.krugle-wsl2.txt';
const JAPANESE = 'portproxy-show-all.ja.kumao3-wsl2-docker.txt';
const CHINESE = 'portproxy-show-all.zh.xuxiaowei-indented.txt';

/** What a person reads under the dashes, field by field: written apart from the parser. */
function rowsUnderDashes(text: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim().startsWith('---')) + 1;
  const rows: string[][] = [];
  for (const line of lines.slice(start)) {
    if (line.trim() === '') break;
    rows.push(line.trim().split(/\s+/));
  }
  return rows;
}

const asFields = (rule: PortProxyRule): string[] => [rule.listenAddress, String(rule.listenPort), rule.connectAddress, String(rule.connectPort)];

function rulesOf(text: string): PortProxyRule[] {
  const parsed = parsePortProxyRules(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

const listener = (address: string, port: number, protocol: 'tcp' | 'udp' = 'tcp'): Pick<Socket, 'protocol' | 'family' | 'address' | 'port'> => ({ protocol, family: address.includes(':') ? 'ipv6' : 'ipv4', address, port });

describe('recorded netsh interface portproxy show all', () => {
  it('English, WSL 2 (krugle): the six v4tov4 rules to the WSL address, exactly as the rows read', () => {
    const text = win32Fixture(KRUGLE);
    const rules = rulesOf(text);
    expect(rules.map(asFields)).toEqual(rowsUnderDashes(text));
    expect(rules).toHaveLength(6);
    expect(rules.every((rule) => rule.kind === 'v4tov4' && rule.listenAddress === '0.0.0.0' && rule.connectAddress === '172.22.123.246' && rule.connectPort === rule.listenPort)).toBe(true);
    expect(rules.map((rule) => rule.listenPort)).toEqual([443, 80, 9100, 5000, 8080, 5668]);
  });

  it('Japanese title over English headings (kumao3): one rule to the machine’s own loopback', () => {
    expect(rulesOf(win32Fixture(JAPANESE))).toEqual([{ kind: 'v4tov4', listenAddress: '0.0.0.0', listenPort: 12375, connectAddress: '127.0.0.1', connectPort: 2375 }]);
  });

  it('Chinese title and headings, every line indented (xuxiaowei): the "*" listen address is kept as written', () => {
    const text = win32Fixture(CHINESE);
    expect(text).toContain('侦听 ipv4:');
    expect(rulesOf(text)).toEqual([{ kind: 'v4tov4', listenAddress: '*', listenPort: 13333, connectAddress: '127.0.0.1', connectPort: 12333 }]);
  });

  const iconv = (codePage: string): boolean => spawnSync('iconv', ['-f', 'UTF-8', '-t', codePage], { input: 'ipv4' }).status === 0;
  it.skipIf(!iconv('CP932') || !iconv('CP936'))('in the console code pages netsh writes (932, 936, made with iconv from the recorded text; skipped without iconv): the same rules, with CRLF', () => {
    for (const [file, codePage] of [[JAPANESE, 932], [CHINESE, 936]] as const) {
      const text = win32Fixture(file);
      const oem = spawnSync('iconv', ['-f', 'UTF-8', '-t', `CP${codePage}`], { input: text.replaceAll('\n', '\r\n') });
      expect(oem.status).toBe(0);
      expect(oem.stdout.equals(Buffer.from(text))).toBe(false);
      const decoded = consoleText({ bytes: oem.stdout }, { codePage, reason: null });
      expect(decoded.doubt).toBeNull();
      expect(rulesOf(decoded.text)).toEqual(rulesOf(text));
    }
  });

  it('the fixtures are byte for byte what the pages hold (UTF-8, LF, no BOM)', () => {
    for (const file of [KRUGLE, JAPANESE, CHINESE]) {
      const bytes = win32FixtureBytes(file);
      expect(bytes.includes('\r')).toBe(false);
      expect(bytes[0]).not.toBe(0xef);
    }
  });
});

describe('which socket a rule makes', () => {
  const krugle = rulesOf(win32Fixture(KRUGLE));
  const star = rulesOf(win32Fixture(CHINESE));

  it('the listen address and port, in the rule’s listening family, TCP only', () => {
    expect(portProxyRuleFor(krugle, listener('0.0.0.0', 5000))).toEqual({ kind: 'rule', rule: krugle[3] });
    expect(portProxyRuleFor(krugle, listener('::', 5000))).toEqual({ kind: 'none' });
    expect(portProxyRuleFor(krugle, listener('127.0.0.1', 5000))).toEqual({ kind: 'none' });
    expect(portProxyRuleFor(krugle, listener('0.0.0.0', 5000, 'udp'))).toEqual({ kind: 'none' });
    // 500 and 50000 are not 5000: ports are numbers.
    expect(portProxyRuleFor(krugle, listener('0.0.0.0', 500))).toEqual({ kind: 'none' });
    expect(portProxyRuleFor(krugle, listener('0.0.0.0', 50000))).toEqual({ kind: 'none' });
  });

  it('"*" is every address of the listening family', () => {
    expect(portProxyRuleFor(star, listener('0.0.0.0', 13333))).toMatchObject({ kind: 'rule' });
    expect(portProxyRuleFor(star, listener('::', 13333))).toEqual({ kind: 'none' });
  });

  it('a listen host name cannot be resolved for another machine: unsure, never a match or a "no"', () => {
    // The Chinese recording with its "*" replaced by a host name (an edit, not a recording).
    const named = rulesOf(win32Fixture(CHINESE).replace('*              ', 'localhost      '));
    expect(named[0]?.listenAddress).toBe('localhost');
    expect(portProxyRuleFor(named, listener('127.0.0.1', 13333))).toMatchObject({ kind: 'unsure', reason: expect.stringContaining('"localhost"') });
  });

  it('IPv6 listen addresses compare in canonical form (a v6tov4 table made from the recorded frame)', () => {
    const text = win32Fixture(KRUGLE).replace('Listen on ipv4:', 'Listen on ipv6:').replace('0.0.0.0         443 ', '0:0:0:0:0:0:0:1 443 ');
    const rules = rulesOf(text);
    expect(rules[0]).toMatchObject({ kind: 'v6tov4', listenAddress: '0:0:0:0:0:0:0:1' });
    expect(portProxyRuleFor(rules, listener('::1', 443))).toEqual({ kind: 'rule', rule: rules[0] });
    expect(portProxyRuleFor(rules, listener('0.0.0.0', 80))).toEqual({ kind: 'none' });
    expect(portProxyRuleFor(rules, listener('::', 80))).toEqual({ kind: 'none' });
  });
});

describe('outputs that are not a rule table give no answer', () => {
  const krugle = win32Fixture(KRUGLE);

  it('nothing but blank lines is "no rules"', () => {
    expect(parsePortProxyRules('')).toEqual({ ok: true, value: [] });
    expect(parsePortProxyRules('\r\n')).toEqual({ ok: true, value: [] });
  });

  it('another netsh table (recorded dynamicport and excludedportrange outputs) is not taken for rules', () => {
    expect(parsePortProxyRules(win32Fixture('dynamicport-tcp.en.usbipd-53.txt'))).toMatchObject({ ok: false, reason: expect.stringContaining('dashed line') });
    expect(parsePortProxyRules(win32Fixture('excludedportrange-tcp.en.chocolatey-68.txt'))).toMatchObject({ ok: false });
  });

  it('a row with more than four fields (a Korean page appended "<- …" to one) spoils the answer, with its line', () => {
    const edited = krugle.replace('0.0.0.0         80          172.22.123.246  80', '0.0.0.0         80          172.22.123.246  80 <- note');
    expect(parsePortProxyRules(edited)).toEqual({ ok: false, reason: 'line 7 "0.0.0.0         80          172.22.123.246  80 <- note": 6 fields, not listen address, listen port, connect address, connect port' });
  });

  it('a port that is no port, a title without ipv4/ipv6 twice, headings missing, a stray line: no answer', () => {
    expect(parsePortProxyRules(krugle.replace('  9100', ' 91000'))).toMatchObject({ ok: false, reason: expect.stringContaining('not a port number') });
    expect(parsePortProxyRules(krugle.replace('Connect to ipv4:', 'Connect to:'))).toMatchObject({ ok: false, reason: expect.stringContaining('does not name ipv4/ipv6 twice') });
    expect(parsePortProxyRules(krugle.replace('Address         Port        Address         Port\n', ''))).toMatchObject({ ok: false });
    expect(parsePortProxyRules(`${krugle}The following command was not found\n`)).toMatchObject({ ok: false, reason: expect.stringContaining('belongs to no table') });
  });

  it('a host name longer than its column leaves one space: still four fields (as a Chinese page shows for gzsc.myqnapcloud.cn)', () => {
    const edited = krugle.replace('172.22.123.246  5668', 'very-long-name.example.internal 5668');
    expect(rulesOf(edited).at(-1)).toEqual({ kind: 'v4tov4', listenAddress: '0.0.0.0', listenPort: 5668, connectAddress: 'very-long-name.example.internal', connectPort: 5668 });
  });
});

// Tables in the recorded frame with generated rules, spacing, indentation, line ends and titles.
const octet = fc.nat(255);
const ipv4 = fc.tuple(octet, octet, octet, octet).map((p) => p.join('.'));
const ipv6 = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((g) => g.map((n) => n.toString(16)).join(':'));
const hostName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6})?$/);
const port = fc.integer({ min: 1, max: 65535 });
const space = fc.integer({ min: 1, max: 12 }).map((n) => ' '.repeat(n));
const kind = fc.constantFrom<PortProxyKind>('v4tov4', 'v4tov6', 'v6tov4', 'v6tov6');
const addressOf = (family: '4' | '6'): fc.Arbitrary<string> => fc.oneof(family === '4' ? ipv4 : ipv6, hostName);
const section = kind.chain((k) =>
  fc.record({
    kind: fc.constant(k),
    rules: fc.array(fc.record({ listenAddress: fc.oneof(addressOf(k[1] as '4' | '6'), fc.constant('*')), listenPort: port, connectAddress: addressOf(k[5] as '4' | '6'), connectPort: port }), { minLength: 1, maxLength: 5 }),
    // Titles in the shapes recorded (English, Chinese, Japanese word order); headings likewise.
    title: fc.constantFrom('Listen on ipvL:             Connect to ipvC:', '侦听 ipvL:                 连接到 ipvC:', 'ipvL をリッスンする:         ipvC に接続する:'),
    heading: fc.constantFrom('Address         Port        Address         Port', '地址            端口        地址            端口'),
    gaps: fc.array(space, { minLength: 4, maxLength: 4 }),
  }),
);

describe('generated tables (fast-check)', () => {
  it('every rule comes back, whatever the spacing, indentation, line ends and number of tables', () => {
    fc.assert(
      fc.property(fc.array(section, { minLength: 1, maxLength: 4 }), fc.constantFrom('', '   ', '\t'), fc.constantFrom('\n', '\r\n'), (sections, indent, eol) => {
        const lines: string[] = [''];
        for (const s of sections) {
          lines.push(indent + s.title.replace('ipvL', `ipv${s.kind[1]}`).replace('ipvC', `ipv${s.kind[5]}`), '', indent + s.heading, `${indent}--------------- ----------  --------------- ----------`);
          for (const r of s.rules) lines.push(indent + [r.listenAddress, r.listenPort, r.connectAddress, r.connectPort].map((field, i) => `${field}${s.gaps[i] ?? ' '}`).join(''));
          lines.push('');
        }
        const expected = sections.flatMap((s) => s.rules.map((r) => ({ kind: s.kind, ...r })));
        expect(parsePortProxyRules(lines.join(eol))).toEqual({ ok: true, value: expected });
      }),
      { numRuns: 300 },
    );
  });

  it('without its dashed line, a table with rules is never read as rules or as "no rules"', () => {
    fc.assert(
      fc.property(section, (s) => {
        const text = ['', s.title.replace('ipvL', 'ipv4').replace('ipvC', 'ipv4'), '', s.heading, ...s.rules.map((r) => `${r.listenAddress} ${r.listenPort} ${r.connectAddress} ${r.connectPort}`), ''].join('\r\n');
        expect(parsePortProxyRules(text).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the forward and the label of an IP Helper listener', () => {
  const svchost: ProcessInfo = { pid: 35644, ppid: 900, name: 'svchost.exe', command: 'svchost.exe', user: '?', uid: -1, state: '?', startedAt: null, container: null, details: { os: 'win32', executable: 'C:\\Windows\\system32\\svchost.exe', services: ['iphlpsvc'] } };
  const socket = (address: string, port: number, processes: readonly ProcessInfo[] = [svchost]): Socket => ({ ...listener(address, port), remoteAddress: null, remotePort: null, state: 'LISTEN', uid: -1, user: '?', queue: { recv: 0, send: 0 }, ownerHidden: false, processes });
  const krugle = { ok: true as const, rules: rulesOf(win32Fixture(KRUGLE)) };

  it('a rule on the socket: forward to the rule’s connect address, stopped by deleting the rule', () => {
    expect(portProxyForward(krugle, socket('0.0.0.0', 5000))).toEqual({
      forwarder: 'netsh-portproxy',
      description: expect.stringContaining('(v4tov4)'),
      source: ['netsh-portproxy'],
      to: { host: '172.22.123.246', port: 5000 },
      stop: 'netsh interface portproxy delete v4tov4 listenport=5000 listenaddress=0.0.0.0',
      killable: false,
    });
    expect(portProxyDeleteCommand({ kind: 'v4tov4', listenAddress: '*', listenPort: 13333 })).toBe('netsh interface portproxy delete v4tov4 listenport=13333');
    expect(portProxyForward(krugle, socket('::', 5000))).toBeNull();
  });

  it('rules not read: the label stays, with no destination, and says it is unconfirmed', () => {
    const forward = portProxyForward({ ok: false, reason: 'netsh-portproxy: not in the snapshot' }, socket('0.0.0.0', 5000));
    expect(forward).toMatchObject({ forwarder: 'netsh-portproxy', to: null, killable: false, unread: expect.stringMatching(/^unconfirmed port proxy: netsh-portproxy: not in the snapshot;/) });
  });

  it('only listeners of an IP Helper svchost are joined, and the rules are read only when one is there', async () => {
    let reads = 0;
    const read = async () => {
      reads++;
      return { read: krugle, unread: [] };
    };
    const node: ProcessInfo = { ...svchost, pid: 4242, name: 'node.exe', details: { os: 'win32', executable: null, services: [] } };
    expect((await withPortProxies([socket('0.0.0.0', 5000, [node])], read)).sockets[0]).not.toHaveProperty('forward');
    expect(reads).toBe(0);
    const joined = await withPortProxies([socket('0.0.0.0', 5000), socket('::', 5000), socket('0.0.0.0', 8080, [node])], read);
    expect(reads).toBe(1);
    expect(joined.sockets.map((s) => s.forward?.to ?? null)).toEqual([{ host: '172.22.123.246', port: 5000 }, null, null]);
  });

  it('knownHolderOf: a port proxy on a rule’s socket (with the delete command), a service host elsewhere, unconfirmed without rules', () => {
    const onRule = socket('0.0.0.0', 5000);
    const forward = portProxyForward(krugle, onRule)!;
    const holder = knownHolderOf('win32', svchost, 5000, { address: '0.0.0.0', forward });
    expect(holder).toMatchObject({ id: 'portproxy', kill: 'refuse', what: 'a netsh port proxy (iphlpsvc, hosted by svchost)' });
    expect(holder?.fix).toBe("Delete the rule (elevated): 'netsh interface portproxy delete v4tov4 listenport=5000 listenaddress=0.0.0.0'; it forwards port 5000 to 172.22.123.246:5000. Or use another port.");
    expect(holder).not.toHaveProperty('unconfirmed');
    expect(knownHolderOf('win32', svchost, 5000, { address: '::' })?.id).toBe('service-host');
    const unread = portProxyForward({ ok: false, reason: 'netsh-portproxy: not in the snapshot' }, onRule)!;
    const unconfirmed = knownHolderOf('win32', svchost, 5000, { address: '0.0.0.0', forward: unread });
    expect(unconfirmed).toMatchObject({ id: 'portproxy', what: 'a netsh port proxy (iphlpsvc, hosted by svchost) (unconfirmed)', unconfirmed: expect.stringContaining('not in the snapshot') });
    expect(unconfirmed?.fix).toContain("'netsh interface portproxy delete v4tov4 listenport=5000 listenaddress=0.0.0.0'");
    expect(unconfirmed?.detail).toContain('Not confirmed: unconfirmed port proxy');
  });
});
