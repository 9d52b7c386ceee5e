import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { collectLoopback } from '../../src/collectors/loopback.js';

function ipJson(): Promise<{ flags: string[]; addr_info: { family: string; local: string; prefixlen: number }[] }[]> {
  return new Promise((resolve, reject) => {
    execFile('ip', ['-j', 'addr', 'show', 'dev', 'lo'], { timeout: 5000 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))));
  });
}

describe('collectLoopback in this namespace', () => {
  it('agrees with `ip -j addr show dev lo`', async () => {
    const [truth] = await ipJson();
    const lo = await collectLoopback();
    expect(lo.ok).toBe(true);
    if (!lo.ok || truth === undefined) return;
    expect(lo.value.up).toBe(truth.flags.includes('UP'));
    expect(lo.value.running).toBe(truth.flags.includes('LOWER_UP'));
    const of = (family: string): string[] => truth.addr_info.filter((a) => a.family === family).map((a) => `${a.local}/${a.prefixlen}`).sort();
    expect(lo.value.ipv4.map((a) => `${a.address}/${a.prefixLength}`).sort()).toEqual(of('inet'));
    expect(lo.value.ipv6.map((a) => `${a.address}/${a.prefixLength}`).sort()).toEqual(of('inet6'));
    expect(lo.value.hasIpv6Loopback).toBe(of('inet6').includes('::1/128'));
    expect(lo.value.ipv4Source).toBe('ip');
  });

  it('an interface that does not exist is a value with a hint, not a throw', async () => {
    const missing = await collectLoopback({ name: 'pd-nope0' });
    expect(missing).toMatchObject({ ok: false });
    if (!missing.ok) expect(missing.hint).toContain('no interface named pd-nope0');
  });
});
