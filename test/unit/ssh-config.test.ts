/**
 * The ssh client configuration: the line parser on real configuration text (OpenSSH's regression
 * tests, kevinburke/ssh_config's and augeas' fixtures: test/fixtures/ssh-config/SOURCES.md), the
 * Include walk on real files in a temporary home, and the declared forwards checked against what
 * the real ssh says it would set up (`ssh -G`), plus edge cases and properties.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { declaredSshForwards, forwardAppliesTo } from '../../src/forwarders/ssh-config-forwards.js';
import { parseSshConfig, parseSshConfigLine, splitSshArguments } from '../../src/platform/common/ssh-config.js';
import { readSshConfigThrough, readUserSshConfig } from '../../src/platform/common/ssh-config-read.js';
import { liveReader, replayReader } from '../../src/platform/snapshot/reader.js';
import { redactSnapshot } from '../../src/platform/snapshot/redact.js';
import type { Snapshot, SnapshotSource } from '../../src/platform/snapshot/format.js';
import type { SshClientConfigRead } from '../../src/platform/types.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/ssh-config/${name}`, import.meta.url), 'utf8');
const directives = (text: string) => parseSshConfig(text).map((l) => ('keyword' in l ? [l.line, l.keyword, ...l.args] : [l.line, 'ERROR', l.error]));

/** A configuration held in memory, as the platform would return it (one file, nothing included). */
const oneFile = (text: string, path = '/home/ann/.ssh/config'): SshClientConfigRead => ({ ok: true, main: path, files: [{ path, read: { ok: true, lines: parseSshConfig(text) } }], includes: [] });

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});
/** A temporary home with `.ssh/` files (relative paths), for the real reader. */
function homeWith(files: Readonly<Record<string, string>>): string {
  const home = mkdtempSync(join(tmpdir(), 'pd-sshcfg-'));
  homes.push(home);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(home, '.ssh', posix.dirname(path)), { recursive: true });
    writeFileSync(join(home, '.ssh', path), text.replaceAll('$HOME', home));
  }
  return home;
}

describe('parseSshConfig on real configuration text', () => {
  it("kevinburke/ssh_config config1: trailing comments end a Host line, quoted ProxyCommand words stay one argument, indented comments are comments", () => {
    const lines = directives(fixture('kevinburke-config1'));
    expect(lines[0]).toEqual([1, 'host', 'localhost', '127.0.0.1']);
    expect(lines).toContainEqual([15, 'host', 'wopr']);
    expect(lines).toContainEqual([17, 'proxycommand', 'sh', '-c', 'ssh proxy1 -qW %h:22 || ssh proxy2 -qW %h:22']);
    expect(lines).toContainEqual([19, 'host', 'dhcp-??']);
    expect(lines).toContainEqual([24, 'host', '[my', 'boxes]', '[*.mydomain]']);
    expect(lines.some((l) => l[1] === 'ERROR')).toBe(false);
    // Commented-out directives under `Host *` are not directives.
    expect(lines.some((l) => l[1] === 'controlmaster')).toBe(false);
  });

  it('kevinburke/ssh_config eol-comments and dos-lines: comments after values, CRLF line ends', () => {
    expect(directives(fixture('kevinburke-eol-comments'))).toEqual([
      [1, 'host', 'example'],
      [2, 'hostname', 'example.com'],
      [3, 'forwardx11timeout', '52w'],
      [6, 'addressfamily', 'inet'],
      [7, 'port', '4242'],
    ]);
    const dos = directives(fixture('kevinburke-dos-lines'));
    expect(dos.slice(0, 3)).toEqual([
      [2, 'host', 'wap'],
      [3, 'hostname', 'wap.example.org'],
      [4, 'port', '22'],
    ]);
  });

  it('kevinburke/ssh_config eqsign: `Key=Value`, `Key =Value`, `Key= Value`', () => {
    expect(directives(fixture('kevinburke-eqsign'))).toEqual([
      [1, 'host', 'test.test'],
      [2, 'port', '1234'],
      [3, 'port2', '5678'],
      [4, 'compression', 'yes'],
    ]);
  });

  it("OpenSSH's cfginclude regression configs: `Match host=b # comment`, negated criteria, Include with a trailing comment", () => {
    const lines = directives(fixture('cfginclude/ssh_config.i'));
    expect(lines).toContainEqual([4, 'match', 'host=b']);
    expect(lines).toContainEqual([12, 'match', 'host=m', '!user', 'xxxyfake']);
    expect(lines).toContainEqual([13, 'include', '/OBJ/ssh_config.i.*']);
    expect(lines).toContainEqual([16, 'hostname', 'dd']);
  });

  it('augeas test_ssh: the LocalForward under `Host *` applies to every connection; RemoteForward is not a local port', () => {
    const config = oneFile(fixture('augeas-test_ssh.conf'));
    const found = declaredSshForwards(config, { port: 3001, host: '127.0.0.1' });
    expect(found.declarations).toEqual([
      {
        kind: 'local',
        file: '/home/ann/.ssh/config',
        line: 17,
        text: 'LocalForward 3001 remotehost:3000',
        listen: { address: null, port: 3001 },
        to: { host: 'remotehost', port: 3000 },
        blocks: [{ file: '/home/ann/.ssh/config', line: 8, text: 'Host *', keyword: 'host', args: ['*'] }],
        scope: 'every-host',
        alias: null,
        patterns: [],
        unevaluated: [],
      },
    ]);
    expect(declaredSshForwards(config, { port: 2221, host: null }).declarations).toEqual([]);
    expect(declaredSshForwards(config, { port: 20023, host: null }).declarations).toEqual([]);
  });
});

describe('parseSshConfigLine edge cases (readconf.c / misc.c argv_split)', () => {
  it.each([
    ['LocalForward 8080 db:5432', ['localforward', '8080', 'db:5432']],
    ['  localforward=8080 db:5432', ['localforward', '8080', 'db:5432']],
    ['LOCALFORWARD = 8080\tdb:5432   ', ['localforward', '8080', 'db:5432']],
    ['Host "my host" other # comment', ['host', 'my host', 'other']],
    ["Host 'single quoted'", ['host', 'single quoted']],
    ['IdentityFile ~/.ssh/a\\ b', ['identityfile', '~/.ssh/a b']],
    ['ProxyCommand nc %h %p#not-a-comment', ['proxycommand', 'nc', '%h', '%p#not-a-comment']],
    ['Port=22=', ['port', '22=']],
  ])('%s', (line, expected) => {
    const parsed = parseSshConfigLine(line, 1);
    expect(parsed !== null && 'keyword' in parsed ? [parsed.keyword, ...parsed.args] : parsed).toEqual(expected);
  });

  it('blank lines and comments are not directives; what ssh rejects is an error, not a guess', () => {
    expect(parseSshConfigLine('   ', 1)).toBeNull();
    expect(parseSshConfigLine('# LocalForward 8080 x:1', 1)).toBeNull();
    expect(parseSshConfigLine('\t#indented', 1)).toBeNull();
    expect(parseSshConfigLine('Host "unclosed', 4)).toEqual({ line: 4, error: 'invalid quotes' });
    expect(parseSshConfigLine('LocalForward', 5)).toEqual({ line: 5, error: 'no argument after keyword "LocalForward"' });
    expect(splitSshArguments('a "b c" d')).toEqual(['a', 'b c', 'd']);
  });

  it('property: keyword case and the `=`/whitespace separator never change the directive', () => {
    const keyword = fc.constantFrom('LocalForward', 'DynamicForward', 'Host', 'Include', 'HostName').chain((k) => fc.array(fc.boolean(), { minLength: k.length, maxLength: k.length }).map((upper) => [...k].map((c, i) => (upper[i] === true ? c.toUpperCase() : c.toLowerCase())).join('')));
    const separator = fc.constantFrom(' ', '\t', '=', ' =', '= ', ' = ', '\t=\t', '   ');
    const word = fc.stringMatching(/^[A-Za-z0-9.:_[\]*-]{1,12}$/);
    fc.assert(
      fc.property(keyword, separator, fc.array(word, { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '\t', '\r', ' # trailing'), fc.constantFrom('', '  ', '\t'), (k, sep, args, tail, lead) => {
        const parsed = parseSshConfigLine(`${lead}${k}${sep}${args.join(' ')}${tail}`, 7);
        expect(parsed).toEqual({ line: 7, keyword: k.toLowerCase(), args });
      }),
      { numRuns: 300 },
    );
  });
});

describe('declaredSshForwards: blocks, Include, scope', () => {
  it('names the Host alias that brings a forward up, and ignores forwards of other ports', () => {
    const config = oneFile(['Host bastion', '  HostName 203.0.113.9', '', 'Host db db.internal', '  HostName db.internal', '  LocalForward 127.0.0.1:8080 localhost:5432', '  LocalForward 9090 localhost:9090', 'Host *', '  ServerAliveInterval 30'].join('\n'));
    const [d] = declaredSshForwards(config, { port: 8080, host: '127.0.0.1' }).declarations;
    expect(d).toMatchObject({ line: 6, alias: 'db', scope: 'named-hosts', listen: { address: '127.0.0.1', port: 8080 }, to: { host: 'localhost', port: 5432 }, blocks: [{ line: 4, text: 'Host db db.internal' }] });
    expect(declaredSshForwards(config, { port: 8081, host: '127.0.0.1' }).declarations).toEqual([]);
    // Bound to 127.0.0.1: a client of ::1 does not reach it.
    expect(declaredSshForwards(config, { port: 8080, host: '::1' }).declarations).toEqual([]);
  });

  it('a wildcard Host names no alias; a negated pattern is not an alias; Match host gives one; Match exec only "may" apply', () => {
    const config = oneFile(
      ['Host *.internal !bastion.internal', '  LocalForward 8080 web:80', 'Match originalhost jump exec "test -f ~/.vpn-up"', '  DynamicForward 1080', 'Match host=stage,!prod', '  LocalForward 8443 localhost:443', 'Match all', '  LocalForward 7000 localhost:7000'].join('\n'),
    );
    expect(declaredSshForwards(config, { port: 8080, host: null }).declarations[0]).toMatchObject({ alias: null, scope: 'named-hosts', patterns: ['Host *.internal !bastion.internal'] });
    expect(declaredSshForwards(config, { port: 1080, host: null }).declarations[0]).toMatchObject({ kind: 'dynamic', alias: 'jump', scope: 'may', unevaluated: ['exec test -f ~/.vpn-up'], to: null });
    expect(declaredSshForwards(config, { port: 8443, host: null }).declarations[0]).toMatchObject({ alias: 'stage', scope: 'named-hosts' });
    expect(declaredSshForwards(config, { port: 7000, host: null }).declarations[0]).toMatchObject({ alias: null, scope: 'every-host' });
  });

  it('follows Include (relative to ~/.ssh, globs, sorted) inside the including Host block; a Host in an included file ends with that file', async () => {
    const home = homeWith({
      config: ['Include conf.d/*.conf', 'Host work', '  Include work/tunnels', 'Host other', '  User x', ''].join('\n'),
      'conf.d/10-db.conf': ['Host db', '  LocalForward 5433 localhost:5432', ''].join('\n'),
      'conf.d/.hidden.conf': 'LocalForward 5433 hidden:1\n',
      'conf.d/notes.txt': 'LocalForward 5433 txt:1\n',
      'work/tunnels': ['LocalForward 8080 intranet:80', 'Host sub', '  LocalForward 8080 sub:80', ''].join('\n'),
    });
    const config = await readSshConfigThrough(liveReader(), join(home, '.ssh', 'config'), home, posix);
    expect(config.ok && config.includes.map((i) => [i.pattern, i.matched.ok ? i.matched.files.map((f) => f.slice(home.length)) : i.matched.reason])).toEqual([
      ['conf.d/*.conf', ['/.ssh/conf.d/10-db.conf']],
      ['work/tunnels', ['/.ssh/work/tunnels']],
    ]);
    expect(declaredSshForwards(config, { port: 5433, host: null }).declarations.map((d) => [d.alias, d.text])).toEqual([['db', 'LocalForward 5433 localhost:5432']]);
    const work = declaredSshForwards(config, { port: 8080, host: null }).declarations;
    expect(work.map((d) => [d.alias, d.blocks.map((b) => b.text)])).toEqual([
      ['work', ['Host work']],
      // `Host sub` inside work's Include: both must match one name, and none does.
      [null, ['Host work', 'Host sub']],
    ]);
  });

  it('says what it could not read instead of "no tunnel": an unreadable include, an Include with % tokens, a forward with ${VAR}', async () => {
    const home = homeWith({
      config: ['Include unreadable', 'Include %d/.ssh/by-host/%h', 'Host x', '  LocalForward ${PORT} localhost:1', '  LocalForward 8080 localhost:1', ''].join('\n'),
    });
    mkdirSync(join(home, '.ssh', 'unreadable')); // a directory where a file should be: EISDIR, even for root
    const found = declaredSshForwards(await readSshConfigThrough(liveReader(), join(home, '.ssh', 'config'), home, posix), { port: 8080, host: null });
    expect(found.declarations).toHaveLength(1);
    expect(found.unread).toEqual([
      { what: join(home, '.ssh', 'unreadable'), reason: 'could not be read (EISDIR)' },
      { what: `Include %d/.ssh/by-host/%h (${join(home, '.ssh', 'config')} line 2)`, reason: 'not expanded: it holds % tokens, which depend on the host ssh connects to' },
    ]);
    expect(found.unparsed).toEqual([{ file: join(home, '.ssh', 'config'), line: 4, text: 'LocalForward ${PORT} localhost:1' }]);
  });

  it('no ~/.ssh/config at all: nothing declared and nothing unread', async () => {
    const home = homeWith({});
    const found = declaredSshForwards(await readSshConfigThrough(liveReader(), join(home, '.ssh', 'config'), home, posix), { port: 8080, host: null });
    expect(found).toMatchObject({ exists: false, declarations: [], unread: [] });
  });

  it("OpenSSH's cfginclude configs: each Include glob matches the three files, in order, and nothing is declared", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-sshcfg-'));
    homes.push(dir);
    for (const name of ['ssh_config.i', 'ssh_config.i.0', 'ssh_config.i.1', 'ssh_config.i.2']) writeFileSync(join(dir, name), fixture(`cfginclude/${name}`).replaceAll('/OBJ', dir));
    const config = await readSshConfigThrough(liveReader(), join(dir, 'ssh_config.i'), dir, posix);
    expect(config.ok && config.includes.map((i) => (i.matched.ok ? i.matched.files.map((f) => f.slice(dir.length + 1)) : i.matched.reason))).toEqual(Array(6).fill(['ssh_config.i.0', 'ssh_config.i.1', 'ssh_config.i.2']));
    expect(declaredSshForwards(config, { port: 22, host: null })).toMatchObject({ exists: true, declarations: [], unread: [], errors: [] });
  });
});

const sshSkip = existsSync('/usr/bin/ssh') ? null : 'needs openssh-client (/usr/bin/ssh) for `ssh -G`';
if (sshSkip !== null) console.warn(`[ssh-config] oracle test skipped: ${sshSkip}`);

describe.skipIf(sshSkip !== null)(`the forwards agree with what ssh itself would set up (ssh -G)${sshSkip === null ? '' : ` (skipped: ${sshSkip})`}`, () => {
  it('for each host name, the ports ssh -G lists are the declarations that apply to it', async () => {
    const home = homeWith({
      config: [
        'Host db',
        '  LocalForward 6001 localhost:5432',
        'Host web web2',
        '  LocalForward=6002 localhost:80',
        '  Include $HOME/.ssh/extra.conf',
        'Match host stage',
        '  DynamicForward 6004',
        'Host !db *',
        '  LocalForward 6005 localhost:1',
        'Host *',
        '  LocalForward 6006 localhost:2',
        '',
      ].join('\n'),
      'extra.conf': ['LocalForward 6003 localhost:3', 'Host web2', '  LocalForward 6007 localhost:7', ''].join('\n'),
    });
    const file = join(home, '.ssh', 'config');
    const config = await readSshConfigThrough(liveReader(), file, home, posix);
    for (const host of ['db', 'web', 'web2', 'stage', 'other']) {
      const g = execFileSync('/usr/bin/ssh', ['-G', '-F', file, host], { encoding: 'utf8', timeout: 10_000 });
      const fromSsh = [...g.matchAll(/^(?:localforward|dynamicforward) (\d+)/gm)].map((m) => Number(m[1])).sort();
      const ours = [6001, 6002, 6003, 6004, 6005, 6006, 6007].filter((port) => declaredSshForwards(config, { port, host: null }).declarations.some((d) => forwardAppliesTo(d.blocks, host) === true));
      expect(ours, host).toEqual(fromSsh);
    }
  });
});

describe('snapshots of the ssh configuration', () => {
  it('records the files and directory listings, replays them, and --redact hides the home, user names and host names', async () => {
    const home = homeWith({ config: ['Host db.corp.example', '  HostName 10.1.2.3', '  User alice', '  IdentityFile ~/.ssh/id_corp # work key', '  LocalForward 8080 db.corp.example:5432', 'Include conf.d/*', ''].join('\n'), 'conf.d/x': 'Host jump\n  ProxyJump bastion.corp.example\n' });
    const sources = new Map<string, SnapshotSource>();
    await readUserSshConfig(liveReader(sources), null, home, posix);
    expect([...sources.keys()].sort()).toEqual(['ssh-config', `ssh-config-dir:${home}/.ssh/conf.d`, `ssh-config:${home}/.ssh/conf.d/x`]);
    const snapshot: Snapshot = { portdoctor: 'snapshot/1', os: 'linux', release: 'test', capturedAt: '2026-12-06T00:00:00Z', user: { uid: 1000, name: 'alice', elevated: false }, sources: Object.fromEntries(sources) };
    const replayed = await readUserSshConfig(replayReader(snapshot), snapshot, '/elsewhere', posix);
    expect(declaredSshForwards(replayed, { port: 8080, host: null }).declarations[0]).toMatchObject({ alias: 'db.corp.example', file: `${home}/.ssh/config`, line: 5 });

    const redacted = redactSnapshot(snapshot);
    const text = JSON.stringify(redacted);
    for (const secret of ['corp.example', 'alice', 'id_corp', 'work key', 'bastion']) expect(text).not.toContain(secret);
    const again = declaredSshForwards(await readUserSshConfig(replayReader(redacted), redacted, '/elsewhere', posix), { port: 8080, host: null });
    expect(again.declarations[0]).toMatchObject({ alias: 'host1', line: 5, text: 'LocalForward 8080 host1:5432', to: { host: 'host1', port: 5432 } });
    expect(again.filesRead).toHaveLength(2);
  });
});
