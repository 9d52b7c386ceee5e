import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress } from '../../src/address.js';
import { localhostEntries, parseHostsFile, readHostsFile } from '../../src/platform/common/hosts-file.js';

describe('parseHostsFile', () => {
  it('parses the captured /etc/hosts of this machine', () => {
    const entries = parseHostsFile(readFileSync(new URL('../fixtures/system/hosts.txt', import.meta.url), 'utf8'));
    expect(entries).toEqual([
      { address: '127.0.0.1', family: 4, names: ['localhost'], line: 1 },
      { address: '127.0.0.1', family: 4, names: ['runsc'], line: 2 },
      { address: '127.0.0.1', family: 4, names: ['vm'], line: 3 },
    ]);
  });

  it('parses a Debian-style file: comments, tabs, aliases, blank lines, CRLF', () => {
    const text = [
      '# The following lines are desirable for IPv4 capable hosts',
      '127.0.0.1\tlocalhost',
      '127.0.1.1\tbox.example.org\tbox   # the hostname',
      '',
      '::1     localhost ip6-localhost ip6-loopback\r',
      'ff02::1 ip6-allnodes',
      '   # indented comment',
      '10.0.0.7',
      'fe80::1%eth0 router',
      'not-an-ip  strange',
      '192.168.1.5 LocalHost',
    ].join('\n');
    expect(parseHostsFile(text)).toEqual([
      { address: '127.0.0.1', family: 4, names: ['localhost'], line: 2 },
      { address: '127.0.1.1', family: 4, names: ['box.example.org', 'box'], line: 3 },
      { address: '::1', family: 6, names: ['localhost', 'ip6-localhost', 'ip6-loopback'], line: 5 },
      { address: 'ff02::1', family: 6, names: ['ip6-allnodes'], line: 6 },
      { address: 'fe80::1%eth0', family: 6, names: ['router'], line: 9 },
      { address: 'not-an-ip', family: 0, names: ['strange'], line: 10 },
      { address: '192.168.1.5', family: 4, names: ['localhost'], line: 11 },
    ]);
  });

  it('never throws and keeps line numbers within the file, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const lines = text.split('\n').length;
        for (const entry of parseHostsFile(text)) {
          expect(entry.line).toBeGreaterThanOrEqual(1);
          expect(entry.line).toBeLessThanOrEqual(lines);
          expect(entry.names.length).toBeGreaterThan(0);
          expect(entry.address.includes('#')).toBe(false);
        }
      }),
    );
  });
});

describe('localhostEntries', () => {
  it('lists every address given to localhost names, flagging wrong ones', () => {
    const entries = parseHostsFile('127.0.0.1 localhost localhost.localdomain\n::1 ip6-localhost\n192.168.1.5 localhost\n127.0.1.1 box\n');
    expect(localhostEntries(entries)).toEqual([
      { name: 'localhost', address: '127.0.0.1', family: 4, line: 1, loopback: true },
      { name: 'localhost.localdomain', address: '127.0.0.1', family: 4, line: 1, loopback: true },
      { name: 'ip6-localhost', address: '::1', family: 6, line: 2, loopback: true },
      { name: 'localhost', address: '192.168.1.5', family: 4, line: 3, loopback: false },
    ]);
  });

  it('is empty when the file says nothing about localhost', () => {
    expect(localhostEntries(parseHostsFile('10.1.1.1 db\n'))).toEqual([]);
  });

  it('recognises loopback spellings', () => {
    for (const a of ['127.0.0.1', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '::0001', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '::', '::2', '1::1', 'fe80::1%lo', 'localhost', '128.0.0.1', '::ffff:10.0.0.1']) expect(isLoopbackAddress(a)).toBe(false);
  });
});

describe('readHostsFile', () => {
  it('reads a file given by path and reports a missing one as a value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pd-hosts-'));
    try {
      await writeFile(join(dir, 'hosts'), '10.9.9.9 localhost\n');
      const read = await readHostsFile(join(dir, 'hosts'));
      expect(read.ok && localhostEntries(read.entries)[0]?.loopback).toBe(false);
      expect(await readHostsFile(join(dir, 'missing'))).toEqual({ ok: false, path: join(dir, 'missing'), code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
