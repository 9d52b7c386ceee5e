/**
 * The same Docker Engine API client against Podman's compatible service (rootful, CNI), and what a
 * published port looks like there: conmon holds the host port, CNI's portmap writes the DNAT rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersPublishing } from '../../src/forwarders/containers.js';
import { containerLogs, engineVersion, inspectContainer, listContainers } from '../../src/forwarders/docker-api.js';
import type { DockerEndpoint } from '../../src/forwarders/docker-endpoint.js';
import { readForwarder } from '../../src/forwarders/table.js';
import { natRedirects, redirectsFor } from '../../src/platform/linux/firewall/nat.js';
import { readFirewallRules } from '../../src/platform/linux/firewall/read-rules.js';
import { httpProbe } from '../helpers/ns-tools.js';
import { PodmanService, podmanSkipReason } from '../helpers/podman-ns.js';
import { argvOf, commOf, holdersOf, listenersInNetnsOf } from '../helpers/proc-listeners.js';

const skip = podmanSkipReason();
if (skip !== null) console.warn(`[docker-podman] skipped: ${skip}`);

describe.skipIf(skip !== null)(`Podman's Docker-compatible API${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let podman: PodmanService;
  let api: DockerEndpoint;

  beforeAll(async () => {
    podman = await PodmanService.start();
    console.info(`[docker-podman] podman system service answered after ${podman.startupMs} ms`);
    api = { kind: 'unix', path: podman.socket };
    podman.run('web', { publish: ['127.0.0.1:8080:80'], command: ['/bin/httpd', '-f', '-p', '127.0.0.1:80', '-h', '/www'] });
    podman.run('ok', { publish: ['8081:80'], command: ['/bin/sh', '-c', 'echo serving; echo "warning: no config" >&2; exec httpd -f -p 80 -h /www'] });
  }, 120_000);

  afterAll(() => podman?.stop(), 60_000);

  it('says it is Podman, and answers the same endpoints', async () => {
    // Podman's /version runs conmon and runc to ask theirs: the first answer can take over a second.
    expect(await engineVersion(api, { timeoutMs: 10_000 })).toMatchObject({ ok: true, value: { podman: true } });
    const list = await listContainers(api);
    expect(list.ok && list.value.map((c) => [c.name, c.state]).sort()).toEqual([
      ['ok', 'running'],
      ['web', 'running'],
    ]);
    const web = list.ok ? list.value.find((c) => c.name === 'web') : undefined;
    expect(web?.ports).toEqual([{ containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1', protocol: 'tcp' }]);
    expect(list.ok && containersPublishing(list.value, { port: 8081, protocol: 'tcp', address: '127.0.0.1' }).map((c) => c.name)).toEqual(['ok']);
  });

  it('inspects state, address, bindings and the container pid', async () => {
    const web = await inspectContainer(api, 'web');
    expect(web.ok).toBe(true);
    if (!web.ok) return;
    expect(web.value.state).toMatchObject({ status: 'running', running: true, health: null, error: null });
    expect(web.value.network.ipAddress).toMatch(/^10\.89\.0\.\d+$/);
    expect(web.value.network.ports).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }]);
    expect(listenersInNetnsOf(web.value.state.pid ?? 0).map((l) => `${l.address}:${l.port}`)).toEqual(['127.0.0.1:80']);
  });

  it('reads the logs through the compatible endpoint, stdout and stderr apart', async () => {
    const logs = await containerLogs(api, 'ok', { tail: 10 });
    expect(logs.ok && [...logs.value].sort((a, b) => a.stream.localeCompare(b.stream))).toEqual([
      { stream: 'stderr', text: 'warning: no config' },
      { stream: 'stdout', text: 'serving' },
    ]);
  });

  it('conmon holds the published port; its command line names the container and the right stop', () => {
    const holders = holdersOf(podman.netns.inode, 8080);
    expect(holders.map((h) => commOf(h.pid))).toEqual(['conmon']);
    const reading = readForwarder({ pid: holders[0]?.pid ?? 0, name: 'conmon', argv: argvOf(holders[0]?.pid ?? 0) });
    expect(reading).toMatchObject({ kind: 'podman-conmon', destination: ['docker-api', 'nat-rules'], killable: false, stop: 'podman stop web', container: { name: 'web' } });
    expect(reading?.container?.id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the DNAT rule CNI wrote leads to the address the API gives', async () => {
    const web = await inspectContainer(api, 'web');
    const { redirects, unreadable } = natRedirects((await readFirewallRules({ netns: podman.netns.name })).rulesets);
    expect(unreadable).toEqual([]);
    const hits = redirectsFor(redirects, { protocol: 'tcp', address: '127.0.0.1', port: 8080 });
    expect(hits.map((h) => [h.redirect.toAddress, h.redirect.toPort?.from, h.redirect.chain.startsWith('CNI-DN-')])).toEqual([[web.ok ? web.value.network.ipAddress : '?', 80, true]]);
    const output = hits[0]?.redirect.paths.find((p) => p.hook === 'output');
    expect(output?.jumps[0]).toBe('-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT');
    expect(output?.jumps[1]).toMatch(/^-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment .* -m multiport --dports 8080 -j CNI-DN-/);
    // The published port of the healthy container answers through the rule.
    expect(httpProbe(podman.netns, '127.0.0.1', 8081)).toMatchObject({ connected: true, reply: 'HTTP/1.1 200 OK' });
  });
});
