/**
 * A real dockerd with --userland-proxy=false: no docker-proxy, published ports are DNAT rules in the
 * namespace's nat table, and dockerd itself holds each host port (a reserved, never-accepting
 * listener). The rules are read with the same dumpers the firewall check runs, then interpreted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectContainer, listContainers } from '../../src/forwarders/docker-api.js';
import { containersPublishing } from '../../src/forwarders/containers.js';
import type { DockerEndpoint } from '../../src/forwarders/docker-endpoint.js';
import { readForwarder } from '../../src/forwarders/table.js';
import { natRedirects, redirectsFor } from '../../src/platform/linux/firewall/nat.js';
import { readFirewallRules } from '../../src/platform/linux/firewall/read-rules.js';
import { DockerEngine, dockerSkipReason, httpProbe } from '../helpers/docker-ns.js';
import { argvOf, commOf, holdersOf } from '../helpers/proc-listeners.js';

const skip = dockerSkipReason();
if (skip !== null) console.warn(`[docker-dnat] skipped: ${skip}`);

describe.skipIf(skip !== null)(`published ports as DNAT rules (--userland-proxy=false)${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let engine: DockerEngine;
  let api: DockerEndpoint;

  beforeAll(async () => {
    engine = await DockerEngine.start({ userlandProxy: false });
    console.info(`[docker-dnat] dockerd answered after ${engine.startupMs} ms`);
    api = { kind: 'unix', path: engine.socket };
    engine.run('web', { publish: ['127.0.0.1:8080:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    engine.run('dns', { publish: ['127.0.0.1:5353:53/udp'], command: ['/bin/sleep', '600'] });
  }, 90_000);

  afterAll(() => engine?.stop(), 60_000);

  it('starts no docker-proxy; dockerd holds the port, and the table says where to look', () => {
    expect(engine.processesNamed('docker-proxy')).toEqual([]);
    const holders = holdersOf(engine.netns.inode, 8080);
    expect(holders.map((h) => commOf(h.pid))).toEqual(['dockerd']);
    const reading = readForwarder({ pid: holders[0]?.pid ?? 0, name: 'dockerd', argv: argvOf(holders[0]?.pid ?? 0) });
    expect(reading).toMatchObject({ kind: 'dockerd', destination: ['docker-api', 'nat-rules'], killable: false, forwards: [] });
    expect(holdersOf(engine.netns.inode, 5353, 'udp').map((h) => commOf(h.pid))).toEqual(['dockerd']);
  });

  it('reads the DNAT rules from the live rule set, leading to the container the API names', async () => {
    const read = await readFirewallRules({ netns: engine.netns.name });
    expect(read.sources.filter((s) => s.name === 'nft' || s.name === 'iptables-nft-save').map((s) => s.read)).toEqual([true, true]);
    const { redirects, unreadable } = natRedirects(read.rulesets);
    expect(unreadable).toEqual([]);
    const hits = redirectsFor(redirects, { protocol: 'tcp', address: '127.0.0.1', port: 8080 });
    expect(hits).toHaveLength(1);
    const web = await inspectContainer(api, 'web');
    expect(web.ok).toBe(true);
    if (!web.ok) return;
    expect(hits[0]?.redirect).toMatchObject({ kind: 'dnat', toAddress: web.value.network.ipAddress, toPort: { from: 80, to: 80 }, chain: 'DOCKER', source: 'iptables', backend: 'nft' });
    expect(hits[0]?.redirect.rule).toBe(`-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination ${web.value.network.ipAddress}:80`);
    // Local connections take OUTPUT, whose jump to DOCKER Docker conditions on a local destination.
    expect(hits[0]?.redirect.paths.find((p) => p.hook === 'output')?.jumps).toEqual(['-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER']);
    const udp = redirectsFor(redirects, { protocol: 'udp', address: '127.0.0.1', port: 5353 });
    expect(udp.map((h) => [h.redirect.toPort, h.redirect.protocol])).toEqual([[{ from: 53, to: 53 }, 'udp']]);
    const list = await listContainers(api);
    expect(list.ok && containersPublishing(list.value, { port: 8080, protocol: 'tcp', address: '127.0.0.1' }).map((c) => c.name)).toEqual(['web']);
  });

  it('connections go through the DNAT rule to the container (route_localnet lets 127.0.0.1 leave lo)', () => {
    expect(httpProbe(engine.netns, '127.0.0.1', 8080)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
    expect(engine.netns.run(['sysctl', '-n', 'net.ipv4.conf.docker0.route_localnet']).stdout.trim()).toBe('1');
  });

  it('a stopped container takes its DNAT rule and its reservation with it', async () => {
    engine.run('brief', { publish: ['8086:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    const before = natRedirects((await readFirewallRules({ netns: engine.netns.name })).rulesets);
    expect(redirectsFor(before.redirects, { protocol: 'tcp', address: '127.0.0.1', port: 8086 })).toHaveLength(1);
    expect(holdersOf(engine.netns.inode, 8086).map((h) => commOf(h.pid))).toEqual(['dockerd']);
    engine.docker(['stop', '-t', '1', 'brief']);
    const after = natRedirects((await readFirewallRules({ netns: engine.netns.name })).rulesets);
    expect(redirectsFor(after.redirects, { protocol: 'tcp', address: '127.0.0.1', port: 8086 })).toEqual([]);
    expect(holdersOf(engine.netns.inode, 8086)).toEqual([]);
  });
});
