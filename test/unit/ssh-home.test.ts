import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sshConfigHome } from '../../src/platform/linux/ssh-home.js';

/** This machine's own /etc/passwd: real entries, whatever the distribution wrote. */
const passwd = readFileSync('/etc/passwd', 'utf8');
const firstUser = passwd.split('\n').map((line) => line.split(':')).find((f) => f.length >= 7 && f[0] !== 'root' && f[5]?.startsWith('/'));

describe('whose ssh configuration: the person at the keyboard', () => {
  it('as root under sudo, the invoking user (SUDO_USER) from /etc/passwd', () => {
    expect(firstUser, 'this /etc/passwd has a user besides root').toBeDefined();
    const [name, , , , , home] = firstUser!;
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: name }, passwd, fallback: '/root' })).toBe(home);
  });

  it('keeps HOME when not root, not under sudo, under `sudo` by root itself, or when the user is unknown', () => {
    const name = firstUser?.[0] ?? 'daemon';
    expect(sshConfigHome({ uid: 1000, env: { SUDO_USER: name }, passwd, fallback: '/home/me' })).toBe('/home/me');
    expect(sshConfigHome({ uid: 0, env: {}, passwd, fallback: '/root' })).toBe('/root');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: 'root' }, passwd, fallback: '/root' })).toBe('/root');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: '' }, passwd, fallback: '/root' })).toBe('/root');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: 'no-such-user-pd' }, passwd, fallback: '/root' })).toBe('/root');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: name }, passwd: null, fallback: '/root' })).toBe('/root');
    expect(sshConfigHome({ uid: null, env: { SUDO_USER: name }, passwd, fallback: 'C:\\Users\\me' })).toBe('C:\\Users\\me');
  });

  it('matches the whole name, first entry wins, and ignores lines that are not entries', () => {
    const text = ['# a comment', 'ann:x:1000:1000:Ann:/home/ann:/bin/bash', 'annette:x:1001:1001::/home/annette:/bin/sh', 'ann:x:1002:1002::/home/ann2:/bin/sh', 'bob:x:1003', 'carl:x:1004:1004::relative:/bin/sh', ''].join('\n');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: 'ann' }, passwd: text, fallback: '/root' })).toBe('/home/ann');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: 'annette' }, passwd: text, fallback: '/root' })).toBe('/home/annette');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: 'bob' }, passwd: text, fallback: '/root' })).toBe('/root');
    expect(sshConfigHome({ uid: 0, env: { SUDO_USER: 'carl' }, passwd: text, fallback: '/root' })).toBe('/root');
  });

  it('never answers a home that is not some entry’s absolute home field, or the fallback', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), fc.stringMatching(/^\/[a-z/]{0,12}$/)), { maxLength: 8 }), fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), (entries, user) => {
        const text = entries.map(([name, home], i) => `${name}:x:${1000 + i}:${1000 + i}::${home}:/bin/sh`).join('\n');
        const answer = sshConfigHome({ uid: 0, env: { SUDO_USER: user }, passwd: text, fallback: '/fallback' });
        const first = entries.find(([name]) => name === user);
        expect(answer).toBe(user === 'root' || first === undefined ? '/fallback' : first[1]);
      }),
    );
  });
});
