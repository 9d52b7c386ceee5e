/**
 * Forwarders' command lines → forwards. Command lines come from real processes (the Docker and
 * ssh/socat integration tests read them live from /proc; the Debian ones below were copied from
 * those runs), from public issues and documentation (cited at each case), and from the programs'
 * own grammars (ssh(1), socat(1), kubectl port-forward --help) for the edge cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDockerProxyArgv } from '../../src/forwarders/docker-proxy.js';
import { parseGoFlags } from '../../src/forwarders/go-flags.js';
import { parseKubectlArgv } from '../../src/forwarders/kubectl.js';
import { parseSocatAddress, parseSocatArgv } from '../../src/forwarders/socat.js';
import { forwardFields, parseForwardSpec } from '../../src/forwarders/ssh-spec.js';
import { parseSshArgv, splitConfigLine } from '../../src/forwarders/ssh.js';
import type { ArgvForwards, Forward } from '../../src/forwarders/types.js';

const words = (line: string): string[] => line.split(' ');
const forwards = (result: ArgvForwards): readonly Forward[] => {
  if (!result.ok) throw new Error(`expected forwards, got: ${result.reason}`);
  return result.forwards;
};
const ends = (f: Forward) => [f.from.address, f.from.port, f.from.protocol, f.to.host, f.to.port];

describe('docker-proxy', () => {
  it('reads Debian docker.io 20.10\'s command line (as the live docker-proxy in this repository\'s Docker tests)', () => {
    const result = parseDockerProxyArgv(words('/usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port 8080 -container-ip 172.17.0.2 -container-port 80'));
    expect(forwards(result)).toEqual([
      {
        kind: 'docker-proxy',
        listensOn: 'this-host',
        from: { address: '127.0.0.1', port: 8080, protocol: 'tcp' },
        to: { host: '172.17.0.2', port: 80 },
        stop: 'docker stop $(docker ps -q --filter publish=8080/tcp)',
      },
    ]);
    expect(forwards(parseDockerProxyArgv(words('/usr/sbin/docker-proxy -proto tcp -host-ip :: -host-port 8081 -container-ip 172.17.0.3 -container-port 80'))).map(ends)).toEqual([['::', 8081, 'tcp', '172.17.0.3', 80]]);
  });

  it('reads Docker 27+\'s -use-listen-fd (moby/moby#48132; flags as moby\'s integration/networking/port_mapping_linux_test.go parses them)', () => {
    const result = parseDockerProxyArgv(words('/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080 -container-ip 172.17.0.2 -container-port 80 -use-listen-fd'));
    expect(forwards(result).map(ends)).toEqual([['0.0.0.0', 8080, 'tcp', '172.17.0.2', 80]]);
  });

  it('reads udp, Go\'s --flag=value spellings, and rootlesskit-docker-proxy\'s identical flags', () => {
    expect(forwards(parseDockerProxyArgv(words('docker-proxy --proto=udp --host-ip=127.0.0.1 -host-port=5353 -container-ip 172.17.0.4 --container-port 53'))).map(ends)).toEqual([['127.0.0.1', 5353, 'udp', '172.17.0.4', 53]]);
    expect(forwards(parseDockerProxyArgv(words('rootlesskit-docker-proxy -container-ip 172.17.0.2 -container-port 80 -host-ip 0.0.0.0 -host-port 8080 -proto tcp'))).map(ends)).toEqual([['0.0.0.0', 8080, 'tcp', '172.17.0.2', 80]]);
  });

  it('gives no forward for sctp, missing flags, or an unknown flag that may take a value', () => {
    expect(parseDockerProxyArgv(words('docker-proxy -proto sctp -host-ip 0.0.0.0 -host-port 9 -container-ip 172.17.0.2 -container-port 9')).ok).toBe(false);
    expect(parseDockerProxyArgv(words('docker-proxy -proto tcp -host-port 8080'))).toEqual({ ok: false, reason: 'docker-proxy command line without -host-port, -container-ip and -container-port' });
    expect(parseDockerProxyArgv(words('docker-proxy -new-flag 5 -host-port 8080 -container-ip 172.17.0.2 -container-port 80')).ok).toBe(false);
    // An unknown boolean followed by another flag is harmless.
    expect(parseDockerProxyArgv(words('docker-proxy -new-bool -host-port 8080 -container-ip 172.17.0.2 -container-port 80')).ok).toBe(true);
  });

  it('leaves the listening address to the socket table when -host-ip is missing (its default changed between versions)', () => {
    expect(forwards(parseDockerProxyArgv(words('docker-proxy -host-port 8080 -container-ip 172.17.0.2 -container-port 80')))[0]?.from.address).toBeNull();
  });
});

describe('Go flag syntax', () => {
  const spec = { values: new Set(['a']), booleans: new Set(['b']) };
  it('stops at -- and at the first non-flag, and rejects bad syntax', () => {
    expect(parseGoFlags(['-a', '1', '--', '-b'], spec)).toEqual({ ok: true, flags: new Map([['a', '1']]), rest: ['-b'] });
    expect(parseGoFlags(['-b=false', 'x', '-a', '2'], spec)).toEqual({ ok: true, flags: new Map([['b', 'false']]), rest: ['x', '-a', '2'] });
    expect(parseGoFlags(['---a', '1'], spec).ok).toBe(false);
    expect(parseGoFlags(['-a'], spec).ok).toBe(false);
  });
});

describe('ssh forwarding specifications (ssh(1), readconf.c parse_forward)', () => {
  it('splits fields on colons, keeps bracketed IPv6 literal, honours backslashes and marks paths', () => {
    expect(forwardFields('[::1]:8080:[fd00::2]:80')?.map((f) => f.text)).toEqual(['::1', '8080', 'fd00::2', '80']);
    expect(forwardFields('8080:host\\:x:80')?.map((f) => f.text)).toEqual(['8080', 'host:x', '80']);
    expect(forwardFields('2375:/var/run/docker.sock')?.map((f) => f.isPath)).toEqual([false, true]);
    expect(forwardFields('[::1:8080:h:80')).toBeNull();
    expect(forwardFields('a:b:c:d:e')).toBeNull();
  });

  it('reads every -L shape and rejects what ssh rejects', () => {
    expect(parseForwardSpec('8080:localhost:80', 'local')).toEqual({ listen: { kind: 'tcp', host: null, port: 8080 }, connect: { kind: 'tcp', host: 'localhost', port: 80 } });
    expect(parseForwardSpec('127.0.0.1:8080:db:5432', 'local')?.listen).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8080 });
    expect(parseForwardSpec('8080:/run/app.sock', 'local')?.connect).toEqual({ kind: 'path', path: '/run/app.sock' });
    expect(parseForwardSpec('/tmp/l.sock:db:5432', 'local')?.listen).toEqual({ kind: 'path', path: '/tmp/l.sock' });
    expect(parseForwardSpec('8080', 'local')).toBeNull();
    expect(parseForwardSpec('0:h:80', 'local')).toBeNull();
    expect(parseForwardSpec('http:h:80', 'local')).toBeNull();
    expect(parseForwardSpec('${PORT}:h:80', 'local')).toBeNull();
  });

  it('reads -R with port 0 and the reverse SOCKS form, and -D', () => {
    expect(parseForwardSpec('0:localhost:22', 'remote')?.listen).toEqual({ kind: 'tcp', host: null, port: 0 });
    expect(parseForwardSpec('1080', 'remote')).toEqual({ listen: { kind: 'tcp', host: null, port: 1080 }, connect: null });
    expect(parseForwardSpec('127.0.0.1:1080', 'dynamic')).toEqual({ listen: { kind: 'tcp', host: '127.0.0.1', port: 1080 }, connect: null });
    expect(parseForwardSpec('1080:h:80', 'dynamic')).toBeNull();
  });
});

describe('ssh command lines', () => {
  const sshForwards = (line: string | string[]) => forwards(parseSshArgv(Array.isArray(line) ? line : words(line), 4242));

  it('reads every spelling of a local forward the brief lists', () => {
    expect(sshForwards('ssh -N -L 8080:localhost:80 deploy@web1').map(ends)).toEqual([[null, 8080, 'tcp', 'localhost', 80]]);
    expect(sshForwards('ssh -N -L127.0.0.1:8080:host:80 web1').map(ends)).toEqual([['127.0.0.1', 8080, 'tcp', 'host', 80]]);
    expect(sshForwards(['ssh', '-N', '-L', '[::1]:8080:host:80', 'web1']).map(ends)).toEqual([['::1', 8080, 'tcp', 'host', 80]]);
    expect(sshForwards(['ssh', '-N', '-oLocalForward=8080 localhost:80', 'web1']).map(ends)).toEqual([[null, 8080, 'tcp', 'localhost', 80]]);
    expect(sshForwards(['ssh', '-N', '-o', 'LocalForward 127.0.0.1:8081 [::1]:81', 'web1']).map(ends)).toEqual([['127.0.0.1', 8081, 'tcp', '::1', 81]]);
    expect(sshForwards(['ssh', '-o', 'localforward = "8082" "localhost:82"', 'web1']).map(ends)).toEqual([[null, 8082, 'tcp', 'localhost', 82]]);
  });

  it('reads clustered flags, options after the destination, several forwards, and the stop command', () => {
    const found = sshForwards('ssh -fNTL9000:db:5432 -p 2222 admin@jump -L 9001:cache:6379 -R 7000:localhost:3000');
    expect(found.map((f) => [f.kind, f.listensOn, ...ends(f), f.via, f.stop])).toEqual([
      ['ssh-local', 'this-host', null, 9000, 'tcp', 'db', 5432, 'admin@jump', 'kill 4242'],
      ['ssh-local', 'this-host', null, 9001, 'tcp', 'cache', 6379, 'admin@jump', 'kill 4242'],
      ['ssh-remote', 'ssh-server', null, 7000, 'tcp', 'localhost', 3000, 'admin@jump', 'kill 4242'],
    ]);
  });

  it('stops reading options at the remote command and at --', () => {
    expect(sshForwards('ssh web1 ls -L 8080:h:80')).toEqual([]);
    expect(sshForwards('ssh -- web1 -L 8080:h:80')).toEqual([]);
  });

  it('says where ssh binds: * for an empty address or -g / GatewayPorts yes, null for the default', () => {
    expect(sshForwards('ssh -L :8080:h:80 web1')[0]?.from.address).toBe('*');
    expect(sshForwards('ssh -L *:8080:h:80 web1')[0]?.from.address).toBe('*');
    expect(sshForwards('ssh -g -L 8080:h:80 web1')[0]?.from.address).toBe('*');
    expect(sshForwards('ssh -o GatewayPorts=yes -o GatewayPorts=no -L 8080:h:80 web1')[0]?.from.address).toBe('*');
    expect(sshForwards('ssh -L localhost:8080:h:80 web1')[0]?.from.address).toBe('localhost');
    // -R binds on the server; -g does not change that.
    expect(sshForwards('ssh -g -R 8080:h:80 web1')[0]?.from.address).toBeNull();
  });

  it('keeps Unix sockets, SOCKS proxies, specs it cannot read and control commands as notes', () => {
    const result = parseSshArgv(['ssh', '-D', '1080', '-L', '2375:/var/run/docker.sock', '-L', '/tmp/s:h:80', '-L', '${P}:h:80', 'web1'], 7);
    expect(result.ok && result.forwards.map((f) => [f.from.port, f.to.host, f.to.port, f.to.socketPath])).toEqual([[2375, '/var/run/docker.sock', null, '/var/run/docker.sock']]);
    expect(result.ok && result.notes).toEqual([
      '-L /tmp/s:h:80 listens on the Unix socket /tmp/s, not on a port',
      '-L ${P}:h:80 is not read (an environment variable, a service name, or a form ssh would reject): its forward is unknown',
      '-D 1080 is a SOCKS proxy on port 1080: each connection names its own destination',
    ]);
    expect(parseSshArgv(words('ssh -O forward -L 8080:h:80 web1'))).toEqual({ ok: true, forwards: [], notes: ['a control command (-O forward) to a master connection: the master process holds the forwards'] });
    expect(forwards(parseSshArgv(words('ssh -R 0:localhost:22 web1')))[0]?.from.port).toBeNull();
  });

  it('is not ssh\'s command line: an unknown option, a missing argument, no destination', () => {
    expect(parseSshArgv(words('ssh -% web1'))).toEqual({ ok: false, reason: 'ssh has no option -%' });
    expect(parseSshArgv(words('ssh -N -L'))).toEqual({ ok: false, reason: 'ssh option -L without its argument' });
    expect(parseSshArgv(words('ssh -N'))).toEqual({ ok: false, reason: 'ssh command line without a destination' });
  });

  it('splits ssh_config lines like readconf.c', () => {
    expect(splitConfigLine('LocalForward=8080 localhost:80')).toEqual({ keyword: 'localforward', args: ['8080', 'localhost:80'] });
    expect(splitConfigLine('  GatewayPorts   yes')).toEqual({ keyword: 'gatewayports', args: ['yes'] });
    expect(splitConfigLine('=x')).toBeNull();
  });
});

describe('socat command lines', () => {
  const socat = (line: string) => parseSocatArgv(words(line), 77);

  it('reads the relays of docker/cli#1193 (lower-case types, tcp and udp)', () => {
    expect(forwards(socat('socat tcp-listen:443,fork tcp:172.18.0.3:443')).map(ends)).toEqual([[null, 443, 'tcp', '172.18.0.3', 443]]);
    expect(forwards(socat('socat udp-listen:443,fork udp:172.18.0.3:443')).map(ends)).toEqual([[null, 443, 'udp', '172.18.0.3', 443]]);
  });

  it('reads xw-z/docker-socat README\'s TCP and UNIX-CONNECT relays', () => {
    expect(forwards(socat('socat TCP-LISTEN:2376,reuseaddr,fork TCP:127.0.0.1:2375')).map((f) => [...ends(f), f.stop])).toEqual([[null, 2376, 'tcp', '127.0.0.1', 2375, 'kill 77']]);
    expect(forwards(socat('socat TCP-LISTEN:2376,reuseaddr,fork UNIX-CONNECT:/var/run/docker.sock'))[0]?.to).toEqual({ host: '/var/run/docker.sock', port: null, socketPath: '/var/run/docker.sock' });
  });

  it('gives no forward for microsoft/WSL#7150\'s listener that talks to stdio', () => {
    expect(socat('socat TCP4-LISTEN:9999,bind=127.0.0.1,fork -')).toEqual({ ok: true, forwards: [], notes: ['socat listens on port 9999 and passes each connection to STDIO, not to a network address'] });
  });

  it('reads bind=, TCP4/TCP6 listeners, bracketed IPv6 targets, short types, options and either order', () => {
    expect(forwards(socat('socat -d -d TCP4-LISTEN:8080,bind=127.0.0.1,fork,reuseaddr TCP:localhost:80')).map(ends)).toEqual([['127.0.0.1', 8080, 'tcp', 'localhost', 80]]);
    expect(forwards(socat('socat TCP6-LISTEN:8080,fork TCP6:[::1]:80')).map(ends)).toEqual([['::', 8080, 'tcp', '::1', 80]]);
    expect(forwards(socat('socat -6 TCP-L:8080,fork TCP:[fd00::1]:80,connect-timeout=5')).map(ends)).toEqual([['::', 8080, 'tcp', 'fd00::1', 80]]);
    expect(forwards(socat('socat -lf /tmp/socat.log -b8192 -T 30 TCP:10.0.0.1:5432 TCP4-LISTEN:15432,fork')).map(ends)).toEqual([['0.0.0.0', 15432, 'tcp', '10.0.0.1', 5432]]);
    expect(forwards(socat('socat UDP4-LISTEN:5353,fork UDP:10.0.0.53:53')).map(ends)).toEqual([['0.0.0.0', 5353, 'udp', '10.0.0.53', 53]]);
    expect(forwards(socat('socat TCP-LISTEN:8443,fork OPENSSL:example.org:443,verify=0')).map(ends)).toEqual([[null, 8443, 'tcp', 'example.org', 443]]);
  });

  it('gives no forward when it cannot read the command line', () => {
    expect(socat('socat TCP-LISTEN:http,fork TCP:h:80').ok).toBe(false);
    expect(socat('socat TCP-LISTEN:8080 TCP:h:80 EXTRA').ok).toBe(false);
    expect(socat('socat --bogus TCP-LISTEN:8080 TCP:h:80').ok).toBe(false);
    expect(socat("socat TCP-LISTEN:8080 'EXEC:cat'").ok).toBe(false);
    expect(socat('socat TCP-LISTEN:8080,fork TCP:h:http')).toEqual({ ok: true, forwards: [], notes: ['socat listens on port 8080 and passes each connection to TCP, not to a network address'] });
    expect(socat('socat STDIO TCP:h:80')).toEqual({ ok: true, forwards: [], notes: ['neither socat address listens on a port'] });
  });

  it('takes an address apart', () => {
    expect(parseSocatAddress('TCP-LISTEN:8080,fork,bind=[::1]')).toEqual({ type: 'tcp-listen', params: ['8080'], options: new Map([['fork', ''], ['bind', '[::1]']]) });
    expect(parseSocatAddress('TCP:a!!TCP:b')).toBeNull();
  });
});

describe('kubectl port-forward command lines (examples of kubectl port-forward --help, kubernetes.io reference)', () => {
  const kube = (line: string) => parseKubectlArgv(words(line), 31);
  const rows = (line: string) => forwards(kube(line)).map((f) => [f.from.address, f.from.port, f.to.host, f.to.port, f.to.portName ?? null]);

  it('reads each documented example', () => {
    expect(rows('kubectl port-forward pod/mypod 5000 6000')).toEqual([['localhost', 5000, 'pod/mypod', 5000, null], ['localhost', 6000, 'pod/mypod', 6000, null]]);
    expect(rows('kubectl port-forward deployment/mydeployment 5000 6000').map((r) => r[2])).toEqual(['deployment/mydeployment', 'deployment/mydeployment']);
    expect(rows('kubectl port-forward service/myservice 8443:https')).toEqual([['localhost', 8443, 'service/myservice', null, 'https']]);
    expect(rows('kubectl port-forward pod/mypod 8888:5000')).toEqual([['localhost', 8888, 'pod/mypod', 5000, null]]);
    expect(rows('kubectl port-forward --address 0.0.0.0 pod/mypod 8888:5000')).toEqual([['0.0.0.0', 8888, 'pod/mypod', 5000, null]]);
    expect(rows('kubectl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000')).toEqual([['localhost', 8888, 'pod/mypod', 5000, null], ['10.19.21.23', 8888, 'pod/mypod', 5000, null]]);
    expect(rows('kubectl port-forward pod/mypod :5000')).toEqual([['localhost', null, 'pod/mypod', 5000, null]]);
  });

  it('reads the namespace and context wherever the flags are, a bare pod name, and names the stop', () => {
    const [first] = forwards(kube('kubectl -n shop --context=prod port-forward web-7d9f 8080:80 --pod-running-timeout=2m'));
    expect(first?.to.resource).toEqual({ kind: 'pod', name: 'web-7d9f', namespace: 'shop', context: 'prod' });
    expect(first?.stop).toBe('kill 31');
    expect(forwards(kube('kubectl port-forward svc/api 9090:9090 --namespace=staging -v=6'))[0]?.to.resource?.namespace).toBe('staging');
    expect(forwards(kube('kubectl port-forward -nstaging svc/api 9090'))[0]?.to.resource?.namespace).toBe('staging');
  });

  it('gives no forward for flags it does not know, other subcommands, and bad port specs', () => {
    expect(kube('kubectl port-forward --new-flag x pod/a 80').ok).toBe(false);
    expect(kube('kubectl get pods').ok).toBe(false);
    expect(kube('kubectl port-forward pod/a 80:90:100').ok).toBe(false);
    expect(kube('kubectl port-forward pod/a https').ok).toBe(false);
    expect(kube('kubectl port-forward a/b/c 80').ok).toBe(false);
  });
});

describe('parsers on arbitrary command lines (property)', () => {
  const argv = fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('-L', '-R', '-o', '-p', '--', '8080:h:80', '[::1]:1:h:2', 'TCP-LISTEN:1', 'TCP:h:2', 'port-forward', '-host-port', '-container-ip', '1')), { maxLength: 10 });

  it('never throw, and every forward they return has ports in range that appear in the command line', () => {
    fc.assert(
      fc.property(argv, (args) => {
        for (const [program, parse] of [
          ['ssh', parseSshArgv],
          ['socat', parseSocatArgv],
          ['kubectl', parseKubectlArgv],
          ['docker-proxy', parseDockerProxyArgv],
        ] as const) {
          const result = parse([program, ...args], 1);
          if (!result.ok) continue;
          const text = args.join(' ');
          for (const f of result.forwards) {
            for (const port of [f.from.port, f.to.port]) {
              if (port !== null && (port < 1 || port > 65535 || !text.includes(String(port)))) return false;
            }
          }
        }
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
