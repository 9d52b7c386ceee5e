/**
 * collectFirewall against real rule sets in namespaces we build, checked against the ground truth:
 * inside each namespace a real listener is started and a real connection attempted. "Blocked" must
 * mean the connection really fails (timeout or EPERM for DROP, a reset or ICMP error for REJECT), "not blocked" that it works.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectFirewall, type FirewallQuery } from '../../src/collectors/firewall.js';
import { publicDist } from '../helpers/built-dist.js';

const run = promisify(execFile);
const root = process.getuid?.() === 0;

/** Starts a listener and connects to it, all inside the namespace; prints how the attempt ended. */
const PROBE = `
import net from 'node:net';
import dgram from 'node:dgram';
const [proto, family, host, portText] = process.argv.slice(1);
const port = Number(portText);
const done = (result) => { console.log(result); process.exit(0); };
// A REJECT answers with a TCP reset or an ICMP error; each surfaces as one of these codes.
const REJECTED = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EACCES'];
const failed = (e) => done(REJECTED.includes(e.code) ? 'rejected' : String(e.code));
setTimeout(() => done('timeout'), 1000);
if (proto === 'tcp') {
  const server = net.createServer((s) => s.destroy()).listen(port, host, () => {
    const client = net.connect({ host, port });
    client.on('connect', () => done('connected'));
    client.on('error', failed);
  });
  server.on('error', (e) => done('listen-failed ' + e.code));
} else {
  const type = family === 'ipv6' ? 'udp6' : 'udp4';
  const server = dgram.createSocket(type);
  server.on('message', (msg, from) => server.send(msg, from.port, from.address));
  server.bind(port, host, () => {
    const client = dgram.createSocket(type);
    client.on('message', () => done('connected'));
    client.on('error', failed);
    client.connect(port, host, () => {
      client.send('ping');
      // ICMP port-unreachable only surfaces on the next operation on a connected UDP socket.
      setTimeout(() => client.send('ping'), 300);
    });
  });
}
`;

function probe(netns: string, query: FirewallQuery): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '--input-type=module', '-e', PROBE, query.protocol, query.family, query.address, String(query.port)]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim()));
  });
}

const namespaces: string[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'pd-fw-'));

async function namespace(setup: (exec: (...cmd: string[]) => Promise<void>) => Promise<void>): Promise<string> {
  const name = `pd-fw-${randomBytes(4).toString('hex')}`;
  await run('ip', ['netns', 'add', name]);
  namespaces.push(name);
  const exec = async (...cmd: string[]) => {
    await run('ip', ['netns', 'exec', name, ...cmd]);
  };
  await exec('ip', 'link', 'set', 'lo', 'up');
  await setup(exec);
  return name;
}

async function nftScript(exec: (...cmd: string[]) => Promise<void>, script: string): Promise<void> {
  const file = join(scratch, `${randomBytes(4).toString('hex')}.nft`);
  writeFileSync(file, script);
  await exec('nft', '-f', file);
}

const tcp4 = (port: number, address = '127.0.0.1'): FirewallQuery => ({ protocol: 'tcp', family: 'ipv4', address, port });
const udp4 = (port: number, address = '127.0.0.1'): FirewallQuery => ({ protocol: 'udp', family: 'ipv4', address, port });
const tcp6 = (port: number): FirewallQuery => ({ protocol: 'tcp', family: 'ipv6', address: '::1', port });
const udp6 = (port: number): FirewallQuery => ({ protocol: 'udp', family: 'ipv6', address: '::1', port });

interface Case {
  readonly name: string;
  readonly ns: () => string;
  readonly query: FirewallQuery;
  readonly verdict: 'drop' | 'reject' | null;
  readonly rule?: string;
  readonly policy?: boolean;
}

describe.skipIf(!root)('collectFirewall in real namespaces (needs root: builds network namespaces and firewall rules)', () => {
  let iptNs = '';
  let policyNs = '';
  let nftNs = '';
  let legacyNs = '';
  let unknownNs = '';

  beforeAll(async () => {
    iptNs = await namespace(async (x) => {
      await x('iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '21001', '-j', 'DROP');
      await x('iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '21002', '-j', 'REJECT', '--reject-with', 'tcp-reset');
      await x('iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'udp', '--dport', '21003', '-j', 'REJECT');
      await x('iptables', '-N', 'guard');
      await x('iptables', '-A', 'INPUT', '-i', 'lo', '-j', 'guard');
      await x('iptables', '-A', 'guard', '-d', '127.0.0.2/32', '-j', 'RETURN');
      await x('iptables', '-A', 'guard', '-p', 'tcp', '--dport', '21010:21020', '-j', 'DROP');
      await x('iptables', '-A', 'OUTPUT', '-o', 'lo', '-p', 'tcp', '-m', 'multiport', '--dports', '21030,21031', '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'REJECT', '--reject-with', 'tcp-reset');
      await x('ip6tables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '-d', '::1/128', '--dport', '21001', '-j', 'REJECT', '--reject-with', 'tcp-reset');
      await x('ip6tables', '-A', 'INPUT', '-i', 'lo', '-p', 'udp', '--dport', '21003', '-j', 'DROP');
    });
    policyNs = await namespace(async (x) => {
      await x('iptables', '-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
      await x('iptables', '-A', 'INPUT', '-i', 'lo', '-d', '127.0.0.1', '-j', 'ACCEPT');
      await x('iptables', '-P', 'INPUT', 'DROP');
    });
    nftNs = await namespace(async (x) => {
      await nftScript(
        x,
        `table inet pdfw {
          set blocked { type inet_service; flags interval; elements = { 22000, 22100-22200 } }
          chain input { type filter hook input priority -10; policy drop;
            ct state established,related accept
            iifname "lo" tcp dport @blocked reject with tcp reset
            iifname "lo" meta l4proto { tcp, udp } th dport 22300-22310 drop
            iifname "lo" tcp dport vmap { 22500 : drop, 22501 : jump extra }
            iifname "lo" ip daddr 127.0.0.1 accept
            iifname "lo" ip6 daddr ::1 accept
          }
          chain extra { ip daddr 127.0.0.1 return; reject with icmpx admin-prohibited; }
          chain output { type filter hook output priority 0; policy accept;
            oifname "lo" udp dport 22600 drop
          }
        }`,
      );
    });
    legacyNs = await namespace(async (x) => {
      await x('iptables-legacy', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '23001', '-j', 'REJECT', '--reject-with', 'tcp-reset');
      await x('ip6tables-legacy', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '23002', '-j', 'DROP');
      // An nf_tables rule in the same namespace: both back-ends apply at once.
      await x('iptables-nft', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '23003', '-j', 'DROP');
    });
    unknownNs = await namespace(async (x) => {
      await x('iptables', '-A', 'INPUT', '-i', 'lo', '-p', 'tcp', '--dport', '24001', '-m', 'mark', '--mark', '0x1', '-j', 'DROP');
      await x('iptables', '-A', 'OUTPUT', '-o', 'lo', '-p', 'tcp', '--dport', '24002', '-m', 'owner', '--uid-owner', '0', '-j', 'DROP');
    });
  });

  afterAll(async () => {
    for (const name of namespaces) await run('ip', ['netns', 'del', name]).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  const cases: Case[] = [
    { name: 'iptables INPUT DROP', ns: () => iptNs, query: tcp4(21001), verdict: 'drop', rule: '-A INPUT -i lo -p tcp -m tcp --dport 21001 -j DROP' },
    { name: 'iptables INPUT REJECT tcp-reset', ns: () => iptNs, query: tcp4(21002), verdict: 'reject', rule: '-A INPUT -i lo -p tcp -m tcp --dport 21002 -j REJECT --reject-with tcp-reset' },
    { name: 'iptables UDP REJECT (icmp)', ns: () => iptNs, query: udp4(21003), verdict: 'reject' },
    { name: 'user chain DROP on a port range', ns: () => iptNs, query: tcp4(21015), verdict: 'drop', rule: '-A guard -p tcp -m tcp --dport 21010:21020 -j DROP' },
    { name: 'user chain RETURN for 127.0.0.2', ns: () => iptNs, query: tcp4(21015, '127.0.0.2'), verdict: null },
    { name: 'OUTPUT multiport REJECT', ns: () => iptNs, query: tcp4(21031), verdict: 'reject' },
    { name: 'a port no rule names', ns: () => iptNs, query: tcp4(21040), verdict: null },
    { name: 'ip6tables REJECT on ::1', ns: () => iptNs, query: tcp6(21001), verdict: 'reject' },
    { name: 'ip6tables UDP DROP', ns: () => iptNs, query: udp6(21003), verdict: 'drop' },
    { name: 'policy DROP, lo accepted for 127.0.0.1', ns: () => policyNs, query: tcp4(21100), verdict: null },
    { name: 'policy DROP decides for 127.0.0.2', ns: () => policyNs, query: tcp4(21100, '127.0.0.2'), verdict: 'drop', rule: '-P INPUT DROP', policy: true },
    { name: 'nft named set reject', ns: () => nftNs, query: tcp4(22150), verdict: 'reject', rule: 'iifname "lo" tcp dport @blocked reject with tcp reset' },
    { name: 'nft th dport range drop (udp)', ns: () => nftNs, query: udp4(22305), verdict: 'drop' },
    { name: 'nft vmap drop', ns: () => nftNs, query: tcp6(22500), verdict: 'drop' },
    { name: 'nft vmap jump + return, then accept', ns: () => nftNs, query: tcp4(22501), verdict: null },
    { name: 'nft jump to a rejecting chain', ns: () => nftNs, query: tcp4(22501, '127.0.0.2'), verdict: 'reject' },
    { name: 'nft accepted by daddr', ns: () => nftNs, query: tcp6(22700), verdict: null },
    { name: 'nft output hook drop (udp)', ns: () => nftNs, query: udp4(22600), verdict: 'drop' },
    { name: 'legacy iptables REJECT', ns: () => legacyNs, query: tcp4(23001), verdict: 'reject' },
    { name: 'legacy ip6tables DROP', ns: () => legacyNs, query: tcp6(23002), verdict: 'drop' },
    { name: 'nf_tables rule beside legacy ones', ns: () => legacyNs, query: tcp4(23003), verdict: 'drop' },
  ];

  for (const c of cases) {
    it(`${c.name}: ${c.verdict ?? 'not blocked'}, and a real connection agrees`, async () => {
      const result = await collectFirewall(c.query, { netns: c.ns() });
      if (!result.ok) throw new Error(result.reason);
      const { blocked } = result.value;
      expect(blocked?.verdict ?? null).toBe(c.verdict);
      if (c.rule !== undefined) expect(blocked?.rule).toBe(c.rule);
      if (blocked !== null) expect(blocked.policy).toBe(c.policy ?? false);
      expect(result.value.uninterpreted).toEqual([]);
      const real = await probe(c.ns(), c.query);
      // DROP on input: the SYN/datagram vanishes (timeout). DROP on output: the kernel refuses to
      // send (EPERM) for UDP; TCP retries the SYN (timeout). REJECT: a reset or an ICMP error comes back.
      if (c.verdict === null) expect(real).toBe('connected');
      else if (c.verdict === 'reject') expect(real).toBe('rejected');
      else expect(['timeout', 'EPERM']).toContain(real);
    });
  }

  it('reports rules it cannot evaluate (mark, owner) instead of calling the port blocked, though they do block here', async () => {
    for (const [port, text] of [[24001, '--mark 0x1'], [24002, '--uid-owner 0']] as const) {
      const result = await collectFirewall(tcp4(port), { netns: unknownNs });
      if (!result.ok) throw new Error(result.reason);
      expect(result.value.blocked).toBeNull();
      expect(result.value.uninterpreted.join('\n')).toContain(text);
    }
    // Ground truth: the owner rule does apply to our root-owned probe, which is why it must be reported.
    expect(await probe(unknownNs, tcp4(24002))).not.toBe('connected');
  });

  it('says which sources it read, and reads all of them in well under a second', async () => {
    const started = performance.now();
    const result = await collectFirewall(tcp4(21001), { netns: iptNs });
    const elapsed = performance.now() - started;
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.sources.filter((s) => s.read).map((s) => s.name)).toEqual(
      expect.arrayContaining(['iptables-nft-save', 'ip6tables-nft-save', 'nft']),
    );
    expect(elapsed).toBeLessThan(1000);
  });

  it('unprivileged: no rule set is readable, so ok:false with the root hint (not a crash)', async () => {
    // The child imports the built collector from a world-readable copy of dist/, run as nobody.
    const bundle = join(publicDist(), 'dist', 'collectors', 'firewall.js');
    const script = `const { collectFirewall } = await import(${JSON.stringify(bundle)}); console.log(JSON.stringify(await collectFirewall({ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 80 })));`;
    const { stdout } = await run('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], {
      env: { PATH: '/usr/bin:/bin' },
    });
    const result = JSON.parse(stdout) as { ok: boolean; reason?: string; hint?: string };
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/needs root/);
    expect(result.hint).toMatch(/sudo/);
  });
});
