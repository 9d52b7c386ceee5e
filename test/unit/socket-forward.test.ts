/**
 * The join behind a socket's `forward` field, on recorded answers: the container list of a real
 * dockerd (test/fixtures/docker) and the DNAT rules of the same engine without its userland proxy
 * (test/fixtures/firewall), with docker-proxy, ssh and socat command lines as the live tests saw them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeContainerList, type ContainerSummary } from '../../src/forwarders/docker-api-decode.js';
import { destinationText, forwardText, natQueryFor, socketForward } from '../../src/forwarders/socket-forward.js';
import { readForwarder, type ForwarderReading } from '../../src/forwarders/table.js';
import { natRedirects, redirectsFor } from '../../src/platform/linux/firewall/nat.js';
import type { NatLookup } from '../../src/platform/types.js';
import { loadScenario } from './firewall-fixtures.js';

const list = (file: string): ContainerSummary[] => decodeContainerList(JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/docker/${file}`, import.meta.url)), 'utf8'))) ?? [];
const withProxy = list('containers-all.json');
const withoutProxy = list('containers-userland-proxy-false.json');

function reading(name: string, argv: string[], pid = 812): ForwarderReading {
  const read = readForwarder({ pid, name, argv });
  if (read === null) throw new Error(`${name} is not a forwarder`);
  return read;
}

const proxy = (hostIp: string, hostPort: number, containerIp: string): ForwarderReading =>
  reading('docker-proxy', ['/usr/sbin/docker-proxy', '-proto', 'tcp', '-host-ip', hostIp, '-host-port', String(hostPort), '-container-ip', containerIp, '-container-port', '80']);

describe('docker-proxy', () => {
  it('names the container the engine lists at the forward’s address, and the exact stop', () => {
    const forward = socketForward(proxy('127.0.0.1', 8080, '172.17.0.2'), { protocol: 'tcp', address: '127.0.0.1', port: 8080 }, { containers: { ok: true, value: withProxy }, nat: null });
    expect(forward).toMatchObject({ forwarder: 'docker-proxy', source: ['arguments', 'docker-api'], to: { host: '172.17.0.2', port: 80, container: { name: 'web' } }, stop: 'docker stop web', killable: false });
    expect(forward.unread).toBeUndefined();
    expect(forwardText(forward)).toMatch(/^→ web \([0-9a-f]{12}\) 172\.17\.0\.2:80$/);
  });

  it('without the engine: the destination from the command line, and why the container is not named', () => {
    const forward = socketForward(proxy('127.0.0.1', 8080, '172.17.0.2'), { protocol: 'tcp', address: '127.0.0.1', port: 8080 }, { containers: { ok: false, reason: 'no Docker engine socket at /var/run/docker.sock', hint: '' }, nat: null });
    expect(forward).toMatchObject({ source: ['arguments'], to: { host: '172.17.0.2', port: 80 }, stop: 'docker stop $(docker ps -q --filter publish=8080/tcp)', unread: 'the container engine was not read: no Docker engine socket at /var/run/docker.sock' });
    expect(forwardText(forward)).toBe('→ 172.17.0.2:80');
  });

  it('a proxy no running container publishes through: no container, said so', () => {
    const forward = socketForward(proxy('127.0.0.1', 8086, '172.17.0.250'), { protocol: 'tcp', address: '127.0.0.1', port: 8086 }, { containers: { ok: true, value: withProxy }, nat: null });
    expect(forward.to).toEqual({ host: '172.17.0.250', port: 80 });
    expect(forward.unread).toBe('no single container of the engine publishes this port');
  });
});

describe('dockerd without the userland proxy: the DNAT rule says where, the engine says who', () => {
  const nat = natRedirects(loadScenario('docker-userland-proxy-false'));
  const lookup = (address: string, port: number, protocol: 'tcp' | 'udp' = 'tcp'): NatLookup => ({ matches: redirectsFor(nat.redirects, { protocol, address, port }), unreadable: nat.unreadable });
  const dockerd = reading('dockerd', ['/usr/sbin/dockerd', '-H', 'fd://'], 700);

  it('127.0.0.1:8080 → web through its rule', () => {
    const socket = { protocol: 'tcp' as const, address: '127.0.0.1', port: 8080 };
    const forward = socketForward(dockerd, socket, { containers: { ok: true, value: withoutProxy }, nat: { ok: true, value: lookup('127.0.0.1', 8080) } });
    expect(forward).toMatchObject({ forwarder: 'dockerd', source: ['nat-rules', 'docker-api'], to: { host: '172.17.0.2', port: 80, container: { id: expect.stringMatching(/^31ce05f03917/), name: 'web' } }, stop: 'docker stop web' });
    expect(forward.rule).toMatch(/DNAT --to-destination 172\.17\.0\.2:80$/);
    expect(forwardText(forward)).toBe('→ web (31ce05f03917) 172.17.0.2:80 (DNAT rule)');
  });

  it('a wildcard listener is asked about loopback, where local clients go', () => {
    expect(natQueryFor({ protocol: 'tcp', address: '0.0.0.0', port: 8081 })).toEqual({ protocol: 'tcp', address: '127.0.0.1', port: 8081 });
    expect(natQueryFor({ protocol: 'tcp', address: '::', port: 8081 })).toEqual({ protocol: 'tcp', address: '::1', port: 8081 });
    const forward = socketForward(dockerd, { protocol: 'tcp', address: '0.0.0.0', port: 8081 }, { containers: { ok: true, value: withoutProxy }, nat: { ok: true, value: lookup('127.0.0.1', 8081) } });
    expect(forward.to).toMatchObject({ host: '172.17.0.3', port: 80, container: { name: 'ok' } });
  });

  it('UDP too (-p 127.0.0.1:5353:53/udp)', () => {
    const forward = socketForward(dockerd, { protocol: 'udp', address: '127.0.0.1', port: 5353 }, { containers: { ok: true, value: withoutProxy }, nat: { ok: true, value: lookup('127.0.0.1', 5353, 'udp') } });
    expect(forward.to).toMatchObject({ host: '172.17.0.4', port: 53, container: { name: 'dns' } });
  });

  it("Podman's conmon holding the port: the same join, and podman's own stop", () => {
    const conmon = reading('conmon', ['/usr/bin/conmon', '--api-version', '1', '-c', '31ce05f03917', '-n', 'web'], 701);
    const forward = socketForward(conmon, { protocol: 'tcp', address: '127.0.0.1', port: 8080 }, { containers: { ok: true, value: withoutProxy }, nat: { ok: true, value: lookup('127.0.0.1', 8080) } });
    expect(forward).toMatchObject({ forwarder: 'podman-conmon', to: { container: { name: 'web' } }, stop: 'podman stop web' });
  });

  it('rules unread: the engine alone still names the container and its port', () => {
    const forward = socketForward(dockerd, { protocol: 'tcp', address: '127.0.0.1', port: 8080 }, { containers: { ok: true, value: withoutProxy }, nat: { ok: false, reason: 'Reading firewall rules needs root.', hint: '' } });
    expect(forward).toMatchObject({ source: ['docker-api'], to: { host: '172.17.0.2', port: 80, container: { name: 'web' } }, stop: 'docker stop web' });
  });

  it('neither: no destination, and both reasons', () => {
    const forward = socketForward(dockerd, { protocol: 'tcp', address: '127.0.0.1', port: 8080 }, { containers: { ok: false, reason: 'the Docker engine at unix:///var/run/docker.sock did not answer within 1000 ms', hint: '' }, nat: { ok: false, reason: 'Reading firewall rules needs root.', hint: '' } });
    expect(forward.to).toBeNull();
    expect(forward.unread).toBe('the DNAT rules could not be read: Reading firewall rules needs root.; the container engine was not read: the Docker engine at unix:///var/run/docker.sock did not answer within 1000 ms');
    expect(forwardText(forward)).toMatch(/^→ \? \(the DNAT rules could not be read/);
  });
});

describe('tunnels', () => {
  it('ssh -L: the target as the SSH server sees it, and the server', () => {
    const ssh = reading('ssh', ['/usr/bin/ssh', '-N', '-L', '127.0.0.1:18084:127.0.0.1:18001', 'root@127.0.0.1'], 4242);
    const forward = socketForward(ssh, { protocol: 'tcp', address: '127.0.0.1', port: 18084 }, { containers: null, nat: null });
    expect(forward).toEqual({ forwarder: 'ssh', description: 'an SSH client holding a tunnel (ssh -L / -R / -D)', source: ['arguments'], to: { host: '127.0.0.1', port: 18001 }, via: 'root@127.0.0.1', stop: 'kill 4242', killable: true });
    expect(destinationText(forward)).toBe('127.0.0.1:18001 via root@127.0.0.1');
  });

  it('a socket the command line names no forward for says so', () => {
    const ssh = reading('ssh', ['/usr/bin/ssh', '-N', '-L', '18084:localhost:80', 'web1'], 4242);
    const forward = socketForward(ssh, { protocol: 'tcp', address: '127.0.0.1', port: 9999 }, { containers: null, nat: null });
    expect(forward).toMatchObject({ to: null, unread: 'its command line names no forward for tcp port 9999' });
  });

  it('socat to an IPv6 far end, and kubectl to a pod, in words', () => {
    const socat = reading('socat', ['socat', 'TCP-LISTEN:18102,fork', 'TCP6:[::1]:5432'], 99);
    expect(destinationText(socketForward(socat, { protocol: 'tcp', address: '0.0.0.0', port: 18102 }, { containers: null, nat: null }))).toBe('[::1]:5432');
    const kubectl = reading('kubectl', ['kubectl', 'port-forward', '-n', 'shop', 'svc/db', '15432:5432'], 98);
    expect(forwardText(socketForward(kubectl, { protocol: 'tcp', address: '127.0.0.1', port: 15432 }, { containers: null, nat: null }))).toBe('→ svc/db -n shop:5432');
  });
});
