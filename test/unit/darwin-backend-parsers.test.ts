import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDockerPs, parsePortsText } from '../../src/platform/darwin/docker-ps.js';
import { parsePfRules, parsePfSkippedInterfaces } from '../../src/platform/darwin/firewall.js';
import { evaluatePf } from '../../src/platform/darwin/firewall-load.js';
import { homebrewServiceOf } from '../../src/platform/darwin/homebrew.js';
import { parseLaunchctlList } from '../../src/platform/darwin/launchctl.js';
import { parseIdentities } from '../../src/platform/darwin/process-control.js';
import { parsePsState, stateLetter } from '../../src/platform/darwin/ps-state.js';
import { instantOf, parseUtcOffset } from '../../src/platform/darwin/tz.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';

describe('ps states', () => {
  it('`ps axu` of macOS 10.14.6 (jc): PID and STAT found by the header, every line read', () => {
    const text = darwinFixture('ps-axu-osx-10.14.6-jc.txt');
    const states = parsePsState(text);
    expect(states.size).toBe(text.trim().split('\n').length - 1);
    expect(states.get(1046)).toBe('S');
    expect(states.get(112)).toBe('Ss');
    expect(new Set([...states.values()].map(stateLetter))).toEqual(new Set(['S', 'R', 'Z']));
  });

  it('`pid= stat=` lines (no header), any pid and stat: read back exactly', () => {
    const stat = fc.tuple(fc.constantFrom('I', 'R', 'S', 'T', 'U', 'Z'), fc.stringMatching(/^[s+<NEWX]{0,3}$/)).map(([a, b]) => a + b);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 99999 }), stat), { selector: ([pid]) => pid, maxLength: 30 }), (rows) => {
        const text = rows.map(([pid, s]) => `${String(pid).padStart(5)} ${s}`).join('\n');
        expect([...parsePsState(text)]).toEqual(rows);
      }),
    );
  });

  it('letters in Linux’s vocabulary: idle is sleeping, U is uninterruptible (D), unknown is ?', () => {
    expect(['Ss', 'I', 'R+', 'T', 'U', 'Z', 'X'].map(stateLetter)).toEqual(['S', 'S', 'R', 'T', 'D', 'Z', '?']);
  });
});

describe('time zone of lstart', () => {
  it('every ±hhmm offset, and the instant it makes of a local time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), (minutes) => {
        const abs = Math.abs(minutes);
        const text = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}\n`;
        const parsed = parseUtcOffset(text);
        expect(parsed === 0 ? 0 : parsed).toBe(minutes === 0 ? 0 : minutes);
        const local = { year: 2026, month: 9, day: 7, hour: 14, minute: 55, second: 26 };
        expect(Date.parse(instantOf(local, minutes)) + minutes * 60_000).toBe(Date.UTC(2026, 8, 7, 14, 55, 26));
      }),
    );
    expect(['', 'CEST', '+2', '+2400', '+0160'].map(parseUtcOffset)).toEqual([null, null, null, null, null]);
  });
});

describe('launchctl list', () => {
  it('a Mac’s `launchctl list | head -n 10`: running jobs with their pids; loaded-but-idle ones (-) left out', () => {
    expect([...parseLaunchctlList(darwinFixture('launchctl-list-head-macos.txt'))]).toEqual([
      [2439, 'com.apple.progressd'],
      [2626, 'com.apple.cloudphotod'],
      [3897, 'com.apple.MENotificationService'],
      [623, 'com.apple.Finder'],
      [739, 'com.apple.homed'],
      [1069, 'com.apple.dataaccess.dataaccessd'],
    ]);
  });

  it('apps a person opened and anonymous jobs are not services', () => {
    // Label shapes of `launchctl list` as peer tools quote them (SOURCES.md): application.<bundle>.<n>, <addr>.anonymous.<name>.
    const parsed = parseLaunchctlList('PID\tStatus\tLabel\n76197\t0\tapplication.com.spotify.client.138353159.138353956\n55\t-\t0x7ffb0dc015f0.anonymous.launchctl\n663\t0\tcom.apple.sharingd\n');
    expect([...parsed]).toEqual([[663, 'com.apple.sharingd']]);
  });
});

describe('docker ps --format {{json .}}', () => {
  it('two running containers (mongo-express, mongodb): names, images, both families of each published port', () => {
    const { containers, problems } = parseDockerPs(darwinFixture('docker-ps-json-mongo.txt'));
    expect(problems).toEqual([]);
    expect(containers.map((c) => [c.name, c.image, c.state, c.published.map((p) => `${p.hostAddress}:${p.hostPort}->${p.containerPort}/${p.protocol}`)])).toEqual([
      // hostAddress '::' printed as `${address}:${port}`
      ['mongo-express', 'mongo-express:latest', 'running', ['0.0.0.0:8081->8081/tcp', ':::8081->8081/tcp']],
      ['mongodb', 'mongo', 'running', ['0.0.0.0:27017->27017/tcp', ':::27017->27017/tcp']],
    ]);
  });

  it('the Ports spellings of the CLI: [::]:, ranges, exposed-only, and a line that is not JSON', () => {
    expect(parsePortsText('[::]:5432->5432/tcp, 80/tcp, 127.0.0.1:8000-8001->9000-9001/udp')).toEqual([
      { hostAddress: '::', hostPort: 5432, containerPort: 5432, protocol: 'tcp' },
      { hostAddress: '127.0.0.1', hostPort: 8000, containerPort: 9000, protocol: 'udp' },
      { hostAddress: '127.0.0.1', hostPort: 8001, containerPort: 9001, protocol: 'udp' },
    ]);
    expect(parseDockerPs('Cannot connect to the Docker daemon\n').problems).toEqual(['line 1 is not JSON']);
  });
});

describe('Homebrew services', () => {
  it('from the launchd label, or from a Homebrew prefix under launchd (parent pid 1) only', () => {
    expect(homebrewServiceOf('homebrew.mxcl.postgresql@16', '/opt/homebrew/opt/postgresql@16/bin/postgres', 1)).toBe('postgresql@16');
    expect(homebrewServiceOf(null, '/usr/local/Cellar/redis/7.2.4/bin/redis-server 127.0.0.1:6379', 1)).toBe('redis');
    expect(homebrewServiceOf(null, '/opt/homebrew/opt/redis/bin/redis-server', 4242)).toBeNull();
    expect(homebrewServiceOf('com.apple.Finder', '/opt/homebrew/opt/redis/bin/redis-server', 1)).toBeNull();
    expect(homebrewServiceOf(null, '/usr/local/bin/node server.js', 1)).toBeNull();
  });
});

describe('pf', () => {
  it('`pfctl -s Interfaces -v` of a Mac where Internet Sharing set skip on lo0; not root: unknown', () => {
    expect(parsePfSkippedInterfaces(darwinFixture('pfctl-s-interfaces-v-skip-lo0.txt'))).toEqual(['lo0']);
    expect(parsePfSkippedInterfaces('pfctl: /dev/pf: Permission denied\n')).toBeNull();
  });

  const to = (port: number, address = '127.0.0.1') => ({ protocol: 'tcp' as const, family: address.includes(':') ? ('ipv6' as const) : ('ipv4' as const), address, port });

  it('recorded rule sets: Apple’s anchors are rules not read; `block drop in all` (every interface) is not interpreted', () => {
    const apple = evaluatePf(parsePfRules(darwinFixture('pfctl-s-rules-internet-sharing.txt')), to(3000));
    expect(apple).toEqual({ blocked: null, uninterpreted: [], anchors: ['com.apple/*', 'com.apple.internet-sharing'] });
    const blockIn = evaluatePf(parsePfRules(darwinFixture('pfctl-s-rules-block-in-osx-10.10.txt')), to(3000));
    expect(blockIn.blocked).toBeNull();
    expect(blockIn.uninterpreted).toEqual(['block drop in all', 'pass out all flags S/SA keep state']);
  });

  it('rules on lo0 that clearly match decide: last match wins, quick at once, return is a reject; others stay uninterpreted', () => {
    // pf.conf rules as `pfctl -sr` prints them (pf.conf(5) grammar); no Mac is at hand to load them.
    const rules = parsePfRules(
      [
        'block drop in on lo0 proto tcp from any to any port = 3000',
        'pass in on lo0 proto tcp from any to any port = 3000 flags S/SA keep state',
        'block return in quick on lo0 inet proto tcp from any to 127.0.0.1 port = 4000',
        'block drop in quick on lo0 proto tcp from any to any port 5000:5010',
        'block drop in quick on en0 proto tcp from any to any port = 6000',
        'block drop out quick on lo0 inet6 all',
      ].join('\n'),
    );
    expect(evaluatePf(rules, to(3000)).blocked).toBeNull();
    expect(evaluatePf(rules, to(4000)).blocked).toMatchObject({ verdict: 'reject', source: 'pf', hook: 'input', rule: 'block return in quick on lo0 inet proto tcp from any to 127.0.0.1 port = 4000' });
    expect(evaluatePf(rules, to(5005)).blocked).toBeNull();
    expect(evaluatePf(rules, to(5005)).uninterpreted).toContain('block drop in quick on lo0 proto tcp from any to any port 5000:5010');
    expect(evaluatePf(rules, to(6000)).blocked).toBeNull();
    expect(evaluatePf(rules, to(7000, '::1')).blocked).toMatchObject({ verdict: 'drop', hook: 'output', rule: 'block drop out quick on lo0 inet6 all' });
    expect(evaluatePf(rules, to(7000)).blocked).toBeNull();
    // Each direction is judged on its own: a pass out does not undo a block in.
    const split = parsePfRules('block drop in on lo0 proto tcp from any to any port = 8000\npass out on lo0 proto tcp from any to any port = 8000\n');
    expect(evaluatePf(split, to(8000)).blocked).toMatchObject({ chain: 'in', rule: 'block drop in on lo0 proto tcp from any to any port = 8000' });
  });
});

describe('kill identities', () => {
  it('`ps -o pid=,ppid=,uid=,lstart=`: pid → ppid, uid, lstart; a line of another locale is not an identity', () => {
    const text = '  724     1   501 Mon Sep  7 14:55:26 2026\n 1441     1    74 Tue Sep  8 09:01:02 2026\n14879     1   501 2026년 9월 6일 일요일 23시 59분 26초\n';
    expect([...parseIdentities(text)]).toEqual([
      [724, { ppid: 1, uid: 501, lstart: 'Mon Sep 7 14:55:26 2026' }],
      [1441, { ppid: 1, uid: 74, lstart: 'Tue Sep 8 09:01:02 2026' }],
    ]);
  });
});
