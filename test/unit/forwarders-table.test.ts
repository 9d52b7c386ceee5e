/**
 * The table of known forwarders: recognition by program name and command-line shape, what each is,
 * how to stop it, and joining docker-proxy forwards with the Docker API's container list (recorded
 * from a real dockerd, test/fixtures/docker).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { containerOfForward, containersPublishing, withContainer } from '../../src/forwarders/containers.js';
import { decodeContainerList } from '../../src/forwarders/docker-api-decode.js';
import { parseDockerProxyArgv } from '../../src/forwarders/docker-proxy.js';
import { forwarderEntry, forwardForSocket, FORWARDERS, programName, readForwarder } from '../../src/forwarders/table.js';
import type { Forward } from '../../src/forwarders/types.js';

const words = (line: string): string[] => line.split(' ');

describe('recognising forwarders', () => {
  it('by argv[0] (path, case, .exe) or by comm when argv is empty', () => {
    expect(programName('/usr/sbin/docker-proxy')).toBe('docker-proxy');
    expect(programName('C:\\Program Files\\WSL\\wslrelay.exe')).toBe('wslrelay');
    expect(forwarderEntry({ pid: 1, name: 'docker-proxy', argv: [] })?.kind).toBe('docker-proxy');
    // comm is cut at 15 characters.
    expect(forwarderEntry({ pid: 1, name: 'com.docker.back', argv: [] })?.kind).toBe('docker-desktop');
    expect(forwarderEntry({ pid: 1, name: 'rootlesskit-doc', argv: [] })?.kind).toBe('docker-proxy');
  });

  it('knows Docker Desktop\'s backend as seen on macOS (docker/for-mac#4906, #5895)', () => {
    const reading = readForwarder({ pid: 55311, name: 'com.docker.backend', argv: ['/Applications/Docker.app/Contents/MacOS/com.docker.backend', '-watchdog', '-native-api'] });
    expect(reading).toMatchObject({ kind: 'docker-desktop', destination: ['docker-api'], killable: false, forwards: [], unread: null });
    expect(reading?.stop).toMatch(/^docker stop/);
  });

  it('knows WSL 2\'s relay (microsoft/WSL#10601: wslrelay.exe holding a dead server\'s port)', () => {
    const reading = readForwarder({ pid: 17584, name: 'wslrelay.exe', argv: ['C:\\Program Files\\WSL\\wslrelay.exe', '--mode', '1'] });
    expect(reading).toMatchObject({ kind: 'wslrelay', destination: ['same-port-in-vm'], killable: false });
  });

  it('knows rootless Docker\'s rootlesskit (rootless-containers/rootlesskit#197 command line)', () => {
    const argv = words('rootlesskit --net=slirp4netns --mtu=65520 --slirp4netns-sandbox=auto --slirp4netns-seccomp=auto --disable-host-loopback --port-driver=builtin --copy-up=/etc --copy-up=/run --propagation=rslave bash');
    expect(readForwarder({ pid: 9, name: 'rootlesskit', argv })).toMatchObject({ kind: 'rootlesskit', destination: ['docker-api'], killable: false, forwards: [] });
  });

  it('knows dockerd holding a published port itself (userland-proxy: false, observed in this repository\'s Docker tests)', () => {
    expect(readForwarder({ pid: 13536, name: 'dockerd', argv: ['/usr/sbin/dockerd', '--userland-proxy=false'] })).toMatchObject({ kind: 'dockerd', destination: ['docker-api', 'nat-rules'], killable: false });
  });

  it('knows rootful Podman\'s conmon and the container its command line names (argv of a live conmon, Podman 4.3, this repository\'s Podman test)', () => {
    const id = '601cc67f288036c171ba43d96a5ee9f86813b3aa40725b8511cab11e6c5be05b';
    const argv = ['/usr/bin/conmon', '--api-version', '1', '-c', id, '-u', id, '-r', '/usr/bin/runc', '-b', `/tmp/pd-podman-OcIbfG/root/vfs-containers/${id}/userdata`, '-p', `/tmp/pd-podman-OcIbfG/run/vfs-containers/${id}/userdata/pidfile`, '-n', 'web', '--exit-dir', '/tmp/pd-podman-OcIbfG/tmp/exits', '--full-attach', '-l', `k8s-file:/tmp/pd-podman-OcIbfG/root/vfs-containers/${id}/userdata/ctr.log`, '--log-level', 'warning', '--exit-command', '/usr/bin/podman', '--exit-command-arg', '--root', '--exit-command-arg', '-n', '--exit-command-arg', 'not-the-name'];
    expect(readForwarder({ pid: 29098, name: 'conmon', argv })).toMatchObject({ kind: 'podman-conmon', container: { id, name: 'web' }, stop: 'podman stop web', killable: false, destination: ['docker-api', 'nat-rules'] });
    expect(readForwarder({ pid: 1, name: 'conmon', argv: ['conmon', '--cid=abc', '--name=db'] })?.container).toEqual({ id: 'abc', name: 'db' });
    expect(readForwarder({ pid: 1, name: 'conmon', argv: ['conmon', '--api-version', '1'] })).toMatchObject({ container: null, stop: expect.stringMatching(/^podman stop <container>/) });
  });

  it('takes kubectl only when it port-forwards, and ssh/socat with their forwards and kill', () => {
    expect(forwarderEntry({ pid: 1, name: 'kubectl', argv: words('kubectl get pods') })).toBeUndefined();
    expect(readForwarder({ pid: 31, name: 'kubectl', argv: words('kubectl.exe port-forward svc/web 8080:80') })?.forwards[0]?.to.host).toBe('svc/web');
    expect(readForwarder({ pid: 4242, name: 'ssh', argv: words('ssh -N -L 8080:localhost:80 web1') })).toMatchObject({ kind: 'ssh', killable: true, stop: 'kill 4242', unread: null });
    expect(readForwarder({ pid: 77, name: 'socat', argv: words('socat TCP-LISTEN:8080,fork TCP:127.0.0.1:80') })?.forwards).toHaveLength(1);
  });

  it('reports why the command line gave nothing, and ignores programs that are not forwarders', () => {
    expect(readForwarder({ pid: 5, name: 'docker-proxy', argv: ['docker-proxy'] })?.unread).toBe('docker-proxy command line without -host-port, -container-ip and -container-port');
    expect(readForwarder({ pid: 5, name: 'ssh', argv: [] })?.unread).toBe('the command line could not be read');
    expect(readForwarder({ pid: 5, name: 'nginx', argv: ['nginx: master process'] })).toBeNull();
  });

  it('every entry says what it is, where its destination is and how to stop it', () => {
    for (const entry of FORWARDERS) {
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.destination.length).toBeGreaterThan(0);
      expect(entry.stop(123)).not.toBe('');
      // Only programs whose forward dies with them may be signalled; Docker's would be recreated or break the engine's state.
      expect(entry.killable).toBe(['ssh', 'socat', 'kubectl-port-forward'].includes(entry.kind));
    }
  });
});

describe('which forward a listening socket belongs to', () => {
  const ssh = readForwarder({ pid: 1, name: 'ssh', argv: ['ssh', '-L', '127.0.0.1:8080:a:80', '-L', '[::1]:8080:b:80', '-L', '9090:c:90', 'h'] })?.forwards ?? [];
  const kube = readForwarder({ pid: 2, name: 'kubectl', argv: words('kubectl port-forward pod/x :5000') })?.forwards ?? [];

  it('matches port, protocol and address (localhost covers both loopbacks, null any)', () => {
    expect(forwardForSocket(ssh, { address: '127.0.0.1', port: 8080, protocol: 'tcp' })?.to.host).toBe('a');
    expect(forwardForSocket(ssh, { address: '::1', port: 8080, protocol: 'tcp' })?.to.host).toBe('b');
    expect(forwardForSocket(ssh, { address: '::1', port: 9090, protocol: 'tcp' })?.to.host).toBe('c');
    expect(forwardForSocket(ssh, { address: '127.0.0.1', port: 8080, protocol: 'udp' })).toBeNull();
    expect(forwardForSocket(ssh, { address: '10.0.0.1', port: 8080, protocol: 'tcp' })).toBeNull();
  });

  it('takes the one forward whose local port the program picked', () => {
    expect(forwardForSocket(kube, { address: '127.0.0.1', port: 43567, protocol: 'tcp' })?.to.port).toBe(5000);
  });
});

describe('docker-proxy forwards joined with the container list', () => {
  const list = decodeContainerList(JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/docker/containers-all.json', import.meta.url)), 'utf8'))) ?? [];
  const proxy = (line: string): Forward => {
    const result = parseDockerProxyArgv(words(line));
    if (!result.ok || result.forwards[0] === undefined) throw new Error('no forward');
    return result.forwards[0];
  };

  it('names the container and the exact stop command', () => {
    const forward = withContainer(proxy('docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8080 -container-ip 172.17.0.2 -container-port 80'), list);
    expect(forward.to.container?.name).toBe('web');
    expect(forward.to.container?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(forward.stop).toBe('docker stop web');
    expect(containerOfForward(proxy('docker-proxy -proto tcp -host-ip :: -host-port 8081 -container-ip 172.17.0.3 -container-port 80'), list)?.name).toBe('ok');
  });

  it('names nobody for a port no running container publishes (a stale forward), and keeps the generic stop', () => {
    const stale = proxy('docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8082 -container-ip 172.17.0.9 -container-port 80');
    expect(containersPublishing(list, { port: 8082, protocol: 'tcp' })).toEqual([]);
    expect(withContainer(stale, list)).toEqual(stale);
  });

  it('matches a wildcard binding for a loopback address, and not another protocol', () => {
    expect(containersPublishing(list, { port: 8081, protocol: 'tcp', address: '127.0.0.1' }).map((c) => c.name)).toEqual(['ok']);
    expect(containersPublishing(list, { port: 8081, protocol: 'udp' })).toEqual([]);
  });
});
