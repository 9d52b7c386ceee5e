import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCgroup, parseProcStat, parseStatusUid, readProcess } from '../../src/platform/linux/process.js';
import { parsePasswd } from '../../src/platform/linux/users.js';
import { parseNsLink } from '../../src/platform/linux/netns.js';
import { parseSsBacklogs } from '../../src/platform/linux/listen-backlog.js';

describe('parseProcStat', () => {
  it('reads our own /proc/self/stat', () => {
    const stat = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(stat).not.toBeNull();
    expect(stat?.ppid).toBe(process.ppid);
    expect(stat?.state).toBe('R');
  });

  it('finds the fields after a name containing spaces and parentheses', () => {
    const text = '4242 (my (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    expect(parseProcStat(text)).toEqual({ name: 'my (weird) name', state: 'S', ppid: 1, startTicks: 987654 });
  });

  it('rejects text that is not a stat line', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('12 no parens')).toBeNull();
  });
});

describe('parseStatusUid', () => {
  it('reads the real uid', () => {
    expect(parseStatusUid(readFileSync('/proc/self/status', 'utf8'))).toBe(process.getuid?.());
    expect(parseStatusUid('Name:\tx\nUid:\t1000\t1001\t1000\t1000\n')).toBe(1000);
    expect(parseStatusUid('Name:\tx\n')).toBeNull();
  });
});

describe('parseCgroup', () => {
  it('finds systemd units (cgroup v2 and v1)', () => {
    expect(parseCgroup('0::/system.slice/nginx.service\n')).toEqual({ unit: 'nginx.service', container: null });
    expect(parseCgroup('12:pids:/system.slice/redis-server.service\n1:name=systemd:/system.slice/redis-server.service\n').unit).toBe('redis-server.service');
    expect(parseCgroup('0::/user.slice/user-1000.slice/user@1000.service/app.slice/vite.service\n').unit).toBe('vite.service');
    expect(parseCgroup('0::/\n')).toEqual({ unit: null, container: null });
  });

  it('finds container ids of docker, containerd, cri-o and podman', () => {
    const id = 'a'.repeat(40) + '0123456789abcdef01234567';
    expect(parseCgroup(`0::/system.slice/docker-${id}.scope\n`).container).toBe(id);
    expect(parseCgroup(`12:memory:/docker/${id}\n`).container).toBe(id);
    expect(parseCgroup(`0::/kubepods.slice/kubepods-burstable.slice/cri-containerd-${id}.scope\n`).container).toBe(id);
    expect(parseCgroup(`0::/machine.slice/libpod-${id}.scope/container\n`).container).toBe(id);
    expect(parseCgroup(`0::/system.slice/crio-${id}.scope\n`).container).toBe(id);
  });
});

describe('readProcess', () => {
  it('describes our own process', () => {
    const me = readProcess(process.pid);
    expect(me).toMatchObject({ pid: process.pid, ppid: process.ppid, uid: process.getuid?.() });
    expect(me?.command).toContain('node');
    expect(Date.parse(me?.startedAt ?? '')).toBeLessThanOrEqual(Date.now());
    expect(Date.now() - Date.parse(me?.startedAt ?? '')).toBeLessThan(10 * 60_000);
  });

  it('returns null for a pid that does not exist', () => {
    expect(readProcess(2 ** 22 + 1)).toBeNull();
  });
});

describe('small parsers', () => {
  it('parsePasswd maps uids to the first name', () => {
    const map = parsePasswd('root:x:0:0:root:/root:/bin/bash\n# comment\nnobody:x:65534:65534::/:/usr/sbin/nologin\ntoor:x:0:0::/:/bin/sh\n');
    expect(map.get(0)).toBe('root');
    expect(map.get(65534)).toBe('nobody');
  });

  it('parseNsLink reads namespace links', () => {
    expect(parseNsLink('net:[4026531840]')).toBe(4026531840);
    expect(parseNsLink('mnt:[1]')).toBeNull();
  });

  it('parseSsBacklogs reads the backlog by inode', () => {
    const text = 'LISTEN 0      77     127.0.0.1:33961 0.0.0.0:* ino:6788 sk:1 cgroup:/ <->\nLISTEN 3 4096 [::]:80 [::]:* ino:42 sk:2 cgroup:/ v6only:1 <->\n';
    expect([...parseSsBacklogs(text)]).toEqual([
      [6788, 77],
      [42, 4096],
    ]);
  });
});
