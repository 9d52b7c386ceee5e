import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Declaration } from '../../src/config/types.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import type { ContainerFacts, DoctorFacts, ForwardChain, ForwardFacts, InsideListener } from '../../src/doctor/types.js';
import type { ContainerState } from '../../src/forwarders/docker-api-decode.js';
import type { SocketForward } from '../../src/forwarders/types.js';
import { declaredSshForwards } from '../../src/forwarders/ssh-config-forwards.js';
import { bindsOverlap, unboundSshForwards } from '../../src/forwarders/ssh-live-forwards.js';
import type { NamedProcess, NamedProcesses } from '../../src/platform/types.js';
import { parseSshConfig } from '../../src/platform/common/ssh-config.js';
import { FINDING_CODES } from '../../src/rules/index.js';
import type { Finding, Port, Severity, Socket } from '../../src/types.js';
import { CAUSE_CASES } from '../helpers/cause-cases.js';
import { attempt, bareTarget, healthyFacts, http, listener, osListener, PORT, probeOf, proc } from '../helpers/facts.js';

/**
 * Every finding code the doctor can give, each from facts built by hand: a contributor without
 * root, namespaces or servers still exercises every rule. The namespace tests build the same
 * situations for real; these check the rules' logic and wording, including for macOS and Windows.
 */
const decl = (over: Partial<Declaration>): Declaration => ({ file: 'vite.config.js', line: 9, kind: 'vite', role: 'client', host: 'localhost', port: PORT, text: `target: 'http://localhost:${PORT}'`, protocol: 'tcp', network: 'host', service: null, via: null, ...over });
const config = (declarations: Declaration[]): DoctorFacts['config'] => ({ dir: '/tmp/project', chosen: 'option', scan: { declarations, warnings: [], truncated: false, filesScanned: 3, unresolved: [] } });
const refusedEverywhere = probeOf([attempt('::1', 'refused'), attempt('127.0.0.1', 'refused')]);
const bindsOk = ['127.0.0.1', '::1', '0.0.0.0', '::'].map((address) => ({ ok: true as const, address, port: PORT, protocol: 'tcp' as const, dualStack: address === '::' ? true : null }));
const nothingHere: Partial<DoctorFacts> = { sockets: [], probe: refusedEverywhere, binds: bindsOk };
const blockedDrop = (address: string): DoctorFacts['firewall'][number] => ({
  query: { protocol: 'tcp', family: address.includes(':') ? 'ipv6' : 'ipv4', address, port: PORT },
  result: { ok: true, value: { blocked: { verdict: 'drop', source: 'nft', backend: null, table: 'inet filter', chain: 'input', hook: 'input', rule: `tcp dport ${PORT} drop`, policy: false }, sources: [{ name: 'nft', read: true, reason: null }], uninterpreted: [] } },
});


/** Forwards, by hand: docker-proxy on 127.0.0.1:3000 in front of container web (172.17.0.2:80). */
const WEB_ID = '7dbbae57773e0c2b4f0d4f4f3a1c8e9d2b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e';
const running: ContainerState = { status: 'running', running: true, restarting: false, paused: false, oomKilled: false, exitCode: 0, pid: 5151, error: null, startedAt: '2026-12-06T10:00:00Z', finishedAt: null, health: null, healthFailingStreak: null, lastHealthOutput: null };
const inside = (address: string, port = 80): InsideListener => ({ protocol: 'tcp', family: address.includes(':') ? 'ipv6' : 'ipv4', address, port, processes: [{ pid: 5151, name: 'node', command: 'node server.js' }] });
const container = (over: { state?: Partial<ContainerState>; listeners?: InsideListener[] | null; name?: string } = {}): ContainerFacts => ({
  id: WEB_ID,
  name: over.name ?? 'web',
  details: { ok: true, value: { state: { ...running, ...over.state }, restartCount: 0, ipAddress: '172.17.0.2', requestedPorts: [{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: PORT }], networkMode: 'bridge' } },
  listeners: over.listeners === null ? null : { ok: true, value: over.listeners ?? [inside('0.0.0.0')] },
  logs: { ok: true, value: { lines: 12 } },
});
const proxyForward: SocketForward = { forwarder: 'docker-proxy', description: "Docker's userland proxy for a published container port (docker run -p)", source: ['arguments', 'docker-api'], to: { host: '172.17.0.2', port: 80, container: { id: WEB_ID, name: 'web' } }, stop: 'docker stop web', killable: false };
const proxyProc = proc({ pid: 812, name: 'docker-proxy', user: 'root', uid: 0, command: `/usr/sbin/docker-proxy -proto tcp -host-ip 127.0.0.1 -host-port ${PORT} -container-ip 172.17.0.2 -container-port 80` });
const chainOf = (forward: SocketForward, over: Partial<ForwardChain> = {}): ForwardChain => ({ listener: { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: PORT }, holder: { pid: 812, name: 'docker-proxy' }, forward, asked: null, container: null, farProbe: null, publishedBy: ['web'], ...over });
const engineOk: ForwardFacts['engine'] = { endpoint: 'unix:///var/run/docker.sock', read: { ok: true, value: { containers: 3, elapsedMs: 4 } } };
const forwards = (over: Partial<ForwardFacts>): ForwardFacts => ({ chains: [], engine: engineOk, idle: [], natUnreadable: [], elapsedMs: 12, ...over });
/** The symptom of all of them: the connection is accepted, then closed without a word. */
const droppedProbe = probeOf([attempt('127.0.0.1', 'open', http(200, { protocol: 'unknown', answered: false, closedImmediately: true, probeSent: 'none', detail: {} }))], null);
const forwarded = (chain: ForwardChain, over: Partial<DoctorFacts> = {}): DoctorFacts =>
  healthyFacts({
    target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }),
    views: ['client'],
    sockets: [listener({ processes: [proxyProc], uid: 0, user: 'root', forward: chain.forward })],
    probe: droppedProbe,
    resolution: null,
    forwards: forwards({ chains: [chain] }),
    ...over,
  });
const tunnelForward = (kind: 'ssh' | 'socat'): SocketForward => ({ forwarder: kind, description: kind === 'ssh' ? 'an SSH client holding a tunnel (ssh -L / -R / -D)' : 'socat relaying each connection to another address', source: ['arguments'], to: { host: '127.0.0.1', port: 5432 }, ...(kind === 'ssh' ? { via: 'deploy@127.0.0.1' } : {}), stop: 'kill 4242', killable: true });
/** The forwards of port PORT declared in a ~/.ssh/config of this text (parsed by the real parser). */
const declaredIn = (text: string): NonNullable<ForwardFacts['declared']> => declaredSshForwards({ ok: true, main: '/home/ann/.ssh/config', files: [{ path: '/home/ann/.ssh/config', read: { ok: true, lines: parseSshConfig(text) } }], includes: [] }, { port: PORT, host: '127.0.0.1' });
const dbTunnelConfig = `Host db\n  HostName db.internal\n  LocalForward ${PORT} localhost:5432\n`;
/** Running ssh clients as the platform lists them, read by the same code the doctor uses. */
const sshProcess = (argv: string[], over: Partial<NamedProcess> = {}): NamedProcesses => ({ processes: [{ pid: 4242, name: 'ssh', argv, argvExact: true, sameNetns: true, ...over }], examined: 1, partial: null });
const requestedBy = (argv: string[], sockets: Socket[] = [], over: Partial<NamedProcess> = {}): NonNullable<ForwardFacts['requested']> => ({ ok: true, value: unboundSshForwards(sshProcess(argv, over), PORT, sockets) });
const pythonHolder = listener({ processes: [proc({ pid: 999, name: 'python3', command: `python3 -m http.server ${PORT}` })] });
const tunnelArgv = ['ssh', '-N', '-L', `${PORT}:db.internal:5432`, 'deploy@bastion'];
const takenFacts = (argv = tunnelArgv, sockets: Socket[] = [pythonHolder]): DoctorFacts =>
  healthyFacts({ target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], sockets, forwards: forwards({ engine: null, requested: requestedBy(argv, sockets) }) });
const kubectlForward: SocketForward = { forwarder: 'kubectl-port-forward', description: 'kubectl port-forward, a tunnel to a Kubernetes pod through the API server', source: ['arguments'], to: { host: 'pod/db', port: 5432, resource: { kind: 'pod', name: 'db', namespace: 'shop', context: null } }, stop: 'kill 4242', killable: true };
const kubectlLog = (file: string): DoctorFacts['logs'] => ({
  lines: readFileSync(join(import.meta.dirname, '../fixtures/forwarders', file), 'utf8').trimEnd().split('\n').map((text, i) => ({ text, source: '/tmp/pf.log', line: i + 1, finding: null })),
  sources: [{ source: '/tmp/pf.log', read: true, reason: '2 lines read' }],
});
const kubectlChain = chainOf(kubectlForward, { holder: { pid: 4242, name: 'kubectl' }, publishedBy: null });
const noEngine: ForwardFacts['engine'] = { endpoint: 'unix:///var/run/docker.sock', read: { ok: false, reason: 'nothing accepts connections at unix:///var/run/docker.sock: the Docker engine is not running', hint: 'Start the Docker engine.' } };
const natRule = `-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport ${PORT} -j DNAT --to-destination 172.17.0.2:80`;
const natChain: ForwardChain = { listener: null, holder: null, forward: { forwarder: 'nat-rule', description: 'a destination-NAT rule (nat DOCKER)', source: ['nat-rules'], to: { host: '172.17.0.2', port: 80 }, rule: natRule, stop: `Delete the rule: 'iptables -t nat ${natRule.replace('-A ', '-D ')}'.`, killable: false }, asked: '127.0.0.1', container: null, farProbe: null, publishedBy: null };

interface Case {
  readonly name: string;
  readonly code: string;
  readonly severity: Severity;
  readonly facts: DoctorFacts;
  /** More checks on the finding (its wording for the facts' OS, its evidence). */
  readonly check?: (finding: Finding) => void;
}

const CASES: readonly Case[] = [
  { name: 'a bind to an address this machine lacks', code: 'address-not-available', severity: 'error', facts: healthyFacts({ views: ['server'], target: bareTarget({ host: '10.9.9.9', input: `10.9.9.9:${PORT}` }), sockets: [], binds: [{ ok: false, address: '10.9.9.9', port: PORT, protocol: 'tcp', code: 'EADDRNOTAVAIL', message: 'listen EADDRNOTAVAIL' }] }), check: (f) => expect(f.fix).toContain("'ip -br addr'") },
  { name: 'the app on 127.0.0.1 inside its container, behind docker-proxy', code: 'container-loopback-only', severity: 'error', facts: forwarded(chainOf(proxyForward, { container: container({ listeners: [inside('127.0.0.1')] }) })), check: (f) => expect(f.fix).toContain("Make node in container web listen on 0.0.0.0") },
  { name: 'the app on another port inside its container', code: 'container-wrong-port', severity: 'error', facts: forwarded(chainOf(proxyForward, { container: container({ listeners: [inside('::', 8080)] }) })), check: (f) => expect(f.fix).toContain(`'-p 127.0.0.1:${PORT}:8080'`) },
  { name: 'nothing listening inside the container', code: 'container-not-listening', severity: 'error', facts: forwarded(chainOf(proxyForward, { container: container({ listeners: [] }) })) },
  {
    name: 'a stopped container that publishes the port',
    code: 'container-not-running',
    severity: 'error',
    facts: healthyFacts({ ...nothingHere, forwards: forwards({ idle: [container({ state: { status: 'exited', running: false, exitCode: 137, pid: null, finishedAt: '2026-12-06T10:05:00Z' }, listeners: null })] }) }),
    check: (f) => expect(f.fix).toBe("Read why it stopped ('docker logs --tail 50 web'), then start it: 'docker start web'."),
  },
  { name: 'a container failing its health check', code: 'container-unhealthy', severity: 'warning', facts: forwarded(chainOf(proxyForward, { container: container({ state: { health: 'unhealthy', healthFailingStreak: 3, lastHealthOutput: 'curl: (7) Failed to connect' } }) }), { probe: probeOf([attempt('127.0.0.1', 'open')], null) }) },
  { name: 'docker-proxy that no running container publishes through', code: 'stale-forward', severity: 'error', facts: forwarded(chainOf({ ...proxyForward, source: ['arguments'], to: { host: '172.17.0.250', port: 80 }, stop: `docker stop $(docker ps -q --filter publish=${PORT}/tcp)` }, { publishedBy: [] })) },
  { name: 'a DNAT rule left by an engine that died, to a container that is gone', code: 'dnat-target-down', severity: 'error', facts: healthyFacts({ ...nothingHere, target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], probe: probeOf([attempt('127.0.0.1', 'refused')], null), resolution: null, forwards: forwards({ chains: [natChain], engine: noEngine }) }), check: (f) => expect(f.fix).toContain(`'iptables -t nat -D DOCKER`) },
  {
    name: 'an ssh -L tunnel whose far end refuses',
    code: 'tunnel-far-end-down',
    severity: 'error',
    facts: forwarded(chainOf(tunnelForward('ssh'), { holder: { pid: 4242, name: 'ssh' }, publishedBy: null, farProbe: { address: '127.0.0.1', port: 5432, status: 'refused', error: 'ECONNREFUSED' } }), { sockets: [listener({ forward: tunnelForward('ssh') })] }),
    check: (f) => expect(f.detail).toContain('a connect to 127.0.0.1:5432 (the far end, on this host) was refused'),
  },
  {
    name: 'an ssh LocalForward declared in ~/.ssh/config whose ssh is not running',
    code: 'tunnel-not-running',
    severity: 'error',
    facts: healthyFacts({ ...nothingHere, target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], forwards: forwards({ engine: null, declared: declaredIn(dbTunnelConfig) }) }),
    check: (f) => {
      expect(f.detail).toContain(`/home/ann/.ssh/config line 3 declares 'LocalForward ${PORT} localhost:5432' in 'Host db' (line 1)`);
      expect(f.fix).toBe("Start the tunnel: 'ssh -fN db', which sets up the forwards /home/ann/.ssh/config declares for db. Add '-o ExitOnForwardFailure=yes' to see at once if the port cannot be bound.");
      expect(f.evidence).toMatchObject({ file: '/home/ann/.ssh/config', line: 3, alias: 'db', to: { host: 'localhost', port: 5432 }, command: 'ssh -fN db' });
    },
  },
  {
    name: 'an ssh -L whose bind failed because another program holds the port',
    code: 'tunnel-port-taken',
    severity: 'error',
    facts: takenFacts(),
    check: (f) => {
      expect(f.title).toBe(`Port ${PORT} is held by python3 (pid 999), not by the ssh tunnel that asks for it (ssh pid 4242, -L ${PORT}:db.internal:5432)`);
      expect(f.detail).toContain(`python3 (pid 999, user alice) listens on 127.0.0.1:${PORT}, so ssh's bind failed`);
      expect(f.detail).toContain(`A client of 127.0.0.1:${PORT} talks to python3, not to the tunnel.`);
      expect(f.fix).toContain(`stop python3 (pid 999) and restart the tunnel ('kill 4242', then 'ssh -f -N -L ${PORT}:db.internal:5432 deploy@bastion')`);
      expect(f.fix).toContain(`'kill 4242', then 'ssh -f -N -L FREE_PORT:db.internal:5432 deploy@bastion'`);
      expect(f.evidence).toMatchObject({ ssh: { pid: 4242, option: '-L', spec: `${PORT}:db.internal:5432`, listen: { address: null, port: PORT }, holds: [], via: 'deploy@bastion' }, holder: { pids: [999] } });
    },
  },
  {
    name: 'a running ssh whose -L asks for an address this machine does not have (nothing holds the port)',
    code: 'tunnel-not-running',
    severity: 'error',
    facts: healthyFacts({ ...nothingHere, target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], forwards: forwards({ engine: null, requested: requestedBy(['ssh', '-N', '-L', `192.0.2.1:${PORT}:db.internal:5432`, 'deploy@bastion']) }) }),
    check: (f) => {
      expect(f.title).toBe(`Port ${PORT} belongs to an ssh tunnel that is not listening: ssh (pid 4242) runs with -L 192.0.2.1:${PORT}:db.internal:5432 but holds no socket on the port`);
      expect(f.detail).toContain(`192.0.2.1 is not an address of this machine (ssh: 'bind [192.0.2.1]:${PORT}: Cannot assign requested address')`);
      expect(f.fix).toBe(`Restart the tunnel: 'kill 4242', then 'ssh -f -N -L 192.0.2.1:${PORT}:db.internal:5432 deploy@bastion' (if 192.0.2.1 is not an address of this machine, give one it has, or none for loopback). Add '-o ExitOnForwardFailure=yes' so ssh exits when it cannot bind.`);
      expect(f.evidence).toMatchObject({ ssh: { pid: 4242, listen: { address: '192.0.2.1', port: PORT } }, command: `ssh -f -N -L 192.0.2.1:${PORT}:db.internal:5432 deploy@bastion` });
    },
  },
  {
    name: 'kubectl port-forward whose pod is gone (kubectl/issues/686)',
    code: 'kubectl-pod-gone',
    severity: 'error',
    facts: forwarded(kubectlChain, { sockets: [listener({ forward: kubectlForward })], logOwner: { pid: 4242 }, logs: kubectlLog('kubectl-pod-gone.log') }),
    check: (f) => {
      expect(f.detail).toContain('It reported: "E0704 11:58:28.915076   80574 portforward.go:234] lost connection to pod"');
      expect(f.fix).toContain(`'kubectl port-forward pod/db -n shop ${PORT}:5432'`);
    },
  },
  { name: 'the engine behind docker-proxy does not answer', code: 'forward-unreadable', severity: 'warning', facts: forwarded(chainOf({ ...proxyForward, to: { host: '172.17.0.2', port: 80 } }, { publishedBy: null }), { probe: probeOf([attempt('127.0.0.1', 'open')], null), forwards: forwards({ chains: [chainOf({ ...proxyForward, to: { host: '172.17.0.2', port: 80 } }, { publishedBy: null })], engine: noEngine }) }) },
  { name: 'an HTTP 500', code: 'app-error', severity: 'error', facts: healthyFacts({ probe: probeOf([attempt('::1', 'open', http(500)), attempt('127.0.0.1', 'open', http(500))]) }) },
  { name: 'a browser-unsafe port', code: 'browser-unsafe-port', severity: 'warning', facts: healthyFacts({ target: bareTarget({ port: 6000 as Port, input: '6000' }) }) },
  { name: 'a client where Compose publishes other ports', code: 'config-docker-publish', severity: 'error', facts: healthyFacts({ ...nothingHere, config: config([decl({}), decl({ file: 'docker-compose.yml', line: 7, kind: 'compose', role: 'publish', host: null, port: 8080, text: '- "8080:80"' })]) }) },
  { name: 'localhost on one side, one family on the other', code: 'config-localhost', severity: 'warning', facts: healthyFacts({ sockets: [listener()], config: config([decl({})]) }) },
  {
    name: 'a client on one port, the project serving on another',
    code: 'config-mismatch',
    severity: 'error',
    facts: healthyFacts({ ...nothingHere, sockets: [listener({ port: 4000 })], config: config([decl({}), decl({ file: 'server.js', line: 3, kind: 'other', role: 'server', host: null, port: 4000, text: 'app.listen(4000)' })]) }),
    check: (f) => expect(f.fix).toBe(`In vite.config.js line 9, change \`target: 'http://localhost:${PORT}'\` to \`target: 'http://localhost:4000'\` (the port the server uses), or configure the server to listen on ${PORT}.`),
  },
  { name: 'a port in the ephemeral range', code: 'ephemeral-range', severity: 'warning', facts: healthyFacts({ target: bareTarget({ port: 40000 as Port, input: '40000' }), sockets: [listener({ port: 40000 })] }) },
  { name: 'a wildcard listener', code: 'exposed-wildcard', severity: 'warning', facts: healthyFacts({ sockets: [listener({ address: '0.0.0.0' }), listener({ family: 'ipv6', address: '::1', inode: 101 })] }) },
  {
    name: 'an IPv6-only server, an IPv4 client',
    code: 'family-mismatch',
    severity: 'error',
    facts: healthyFacts({ target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], sockets: [listener({ family: 'ipv6', address: '::1' })], probe: probeOf([attempt('127.0.0.1', 'refused')], null), resolution: null }),
  },
  { name: 'a DROP rule and a probe that timed out', code: 'firewall-blocks', severity: 'error', facts: healthyFacts({ probe: probeOf([attempt('::1', 'timeout'), attempt('127.0.0.1', 'timeout')]), firewall: [blockedDrop('::1'), blockedDrop('127.0.0.1')] }), check: (f) => expect(f.fix).toContain('nft delete rule') },
  {
    name: 'rules that could not be read',
    code: 'firewall-unreadable',
    severity: 'info',
    facts: healthyFacts({ firewall: [{ query: { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: PORT }, result: { ok: false, reason: 'Reading firewall rules needs root.', hint: 'Run with sudo.' } }] }),
  },
  {
    name: "ControlCenter on 5000 (macOS's AirPlay Receiver)",
    code: 'known-holder',
    severity: 'warning',
    facts: healthyFacts({ target: bareTarget({ port: 5000 as Port, input: '5000' }), sockets: [osListener({ port: 5000, address: '0.0.0.0', processes: [proc({ name: 'ControlCenter', pid: 512, command: '/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter' })] })] }, 'darwin'),
    check: (f) => expect(f.fix).toContain('AirPlay Receiver'),
  },
  { name: 'a server on 127.0.0.2, a client of 127.0.0.1', code: 'listening-other-address', severity: 'error', facts: healthyFacts({ target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], sockets: [listener({ address: '127.0.0.2' })], probe: probeOf([attempt('127.0.0.1', 'refused')], null), resolution: null }) },
  {
    name: 'localhost does not resolve',
    code: 'localhost-resolution',
    severity: 'error',
    facts: healthyFacts({ resolution: { ...probeOf([]).resolution!, addresses: [], error: { code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND localhost' } } }),
  },
  { name: 'an error in the holder’s log', code: 'log-errors', severity: 'warning', facts: healthyFacts({ logOwner: { pid: 4242 }, logs: { lines: [{ text: 'Error: listen EADDRINUSE: address already in use :::3000', source: '/tmp/app.log', line: 12, finding: 'port-in-use' }], sources: [{ source: '/tmp/app.log', read: true, reason: '40 lines read' }] } }) },
  {
    name: 'lo is down',
    code: 'loopback-down',
    severity: 'error',
    facts: healthyFacts({ loopback: { ok: true, value: { ...(healthyFacts().loopback as Extract<DoctorFacts['loopback'], { ok: true }>).value, up: false, running: false } } }),
    check: (f) => expect(f.fix).toBe('ip link set lo up'),
  },
  { name: 'a full accept queue', code: 'not-accepting', severity: 'error', facts: healthyFacts({ sockets: [listener({ queue: { recv: 600, send: 511 } })], probe: probeOf([attempt('::1', 'refused'), attempt('127.0.0.1', 'timeout')]) }) },
  {
    name: 'a timeout at a live listener, empty queue, every rule read and none drops it',
    code: 'no-answer',
    severity: 'error',
    facts: healthyFacts({ probe: probeOf([attempt('::1', 'timeout'), attempt('127.0.0.1', 'timeout')]) }),
    check: (f) => expect(f.fix).toContain('tc qdisc show dev lo'),
  },
  { name: 'nothing on the port', code: 'nothing-listening', severity: 'error', facts: healthyFacts(nothingHere), check: (f) => expect(f.detail).toContain('so connections are refused') },
  { name: 'a listener in another namespace', code: 'other-netns', severity: 'error', facts: healthyFacts({ ...nothingHere, sockets: [listener({ netns: { id: 4026532000, current: false, name: 'web' } })] }) },
  { name: "another user's listener, unprivileged", code: 'permission-hidden', severity: 'info', facts: healthyFacts({ sockets: [listener({ ownerHidden: true, processes: [], uid: 0, user: 'root' })] }), check: (f) => expect(f.fix).toBe('sudo portdoctor 3000') },
  {
    name: "a port in Windows' excluded ranges",
    code: 'port-excluded',
    severity: 'error',
    facts: healthyFacts(
      {
        ...nothingHere,
        views: ['server'],
        binds: [],
        portSettings: { ok: true, value: { ephemeralRange: { from: 49152, to: 65535 }, reservedPorts: [], unprivilegedPortStart: 0, privilegedApplies: 'none', ipv6: { available: true, disabledOnLo: null, disabledAll: null, bindv6only: null }, defaulted: [], excludedRanges: [{ from: 2980, to: 3079, protocol: 'tcp', family: 'ipv4', administered: false }] } },
      },
      'win32',
    ),
    check: (f) => {
      expect(f.fix).toContain('net stop winnat');
      expect(f.evidence).toMatchObject({ range: { from: 2980, to: 3079 }, reservedBy: 'system (WinNAT / Hyper-V)' });
    },
  },
  { name: '--bind on a held port', code: 'port-in-use', severity: 'error', facts: healthyFacts({ views: ['server'], probe: null, resolution: null }) },
  {
    name: 'port 80 as a normal user',
    code: 'privileged-port',
    severity: 'error',
    facts: healthyFacts({ target: bareTarget({ port: 80 as Port, input: '80' }), views: ['server'], sockets: [], probe: null, resolution: null, binds: [{ ok: false, address: '127.0.0.1', port: 80, protocol: 'tcp', code: 'EACCES', message: 'listen EACCES' }] }),
    check: (f) => expect(f.fix).toContain('cap_net_bind_service'),
  },
  { name: 'a stopped server', code: 'process-stopped', severity: 'error', facts: healthyFacts({ sockets: [listener({ processes: [proc({ state: 'T' })] })] }), check: (f) => expect(f.fix).toContain("'kill -CONT 4242'") },
  { name: 'UDP where TCP was asked', code: 'protocol-mismatch', severity: 'error', facts: healthyFacts({ ...nothingHere, sockets: [listener({ protocol: 'udp', state: 'UNCONN', queue: { recv: 0, send: 0 } })] }) },
  { name: 'a reserved port', code: 'reserved-port', severity: 'info', facts: healthyFacts({ portSettings: { ok: true, value: { ...(healthyFacts().portSettings as Extract<DoctorFacts['portSettings'], { ok: true }>).value, reservedPorts: [{ from: PORT, to: PORT }] } } }) },
  { name: 'a connection in TIME-WAIT', code: 'time-wait', severity: 'info', facts: healthyFacts({ sockets: [...healthyFacts().sockets, listener({ state: 'TIME-WAIT', remoteAddress: '127.0.0.1', remotePort: 51000, processes: [], inode: 0 })] }) },
  {
    name: 'https to a plain HTTP server',
    code: 'wrong-protocol',
    severity: 'error',
    facts: healthyFacts({ target: bareTarget({ host: 'localhost', scheme: 'https', input: `https://localhost:${PORT}/`, path: '/' }), views: ['client'], probe: probeOf([attempt('::1', 'open', http(200, { mismatch: { expected: 'tls', found: 'http', message: 'The server answered plain HTTP to a TLS ClientHello.' } }))]) }),
  },
  ...CAUSE_CASES,
];

const findingsOf = (facts: DoctorFacts): Finding[] => [...diagnose(facts).findings];

describe('every finding code from hand-built facts (no root needed)', () => {
  it('the healthy baseline has no error and no warning', () => {
    const report = diagnose(healthyFacts());
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('covers every code the rules can give and every page in docs/findings', () => {
    const pages = readdirSync(join(import.meta.dirname, '../../docs/findings')).map((name) => name.replace(/\.md$/, ''));
    const covered = new Set(CASES.map((c) => c.code));
    expect([...new Set(FINDING_CODES)].filter((code) => !covered.has(code))).toEqual([]);
    expect(pages.filter((code) => !covered.has(code))).toEqual([]);
  });

  for (const c of CASES) {
    it(`${c.code}: ${c.name}`, () => {
      const found = findingsOf(c.facts).filter((f) => f.code === c.code);
      expect(found.map((f) => f.severity), JSON.stringify(findingsOf(c.facts).map((f) => [f.code, f.severity]))).toContain(c.severity);
      const finding = found.find((f) => f.severity === c.severity)!;
      expect(finding.title.length).toBeGreaterThan(10);
      expect(finding.fix.length).toBeGreaterThan(5);
      c.check?.(finding);
    });
  }
});

describe('following the forward (issue 12)', () => {
  it('a forwarder that drops the connection because of its far end is never app-error', () => {
    const report = diagnose(forwarded(chainOf(proxyForward, { container: container({ listeners: [inside('127.0.0.1')] }) })));
    expect(report.findings.map((f) => f.code)).toContain('container-loopback-only');
    expect(report.findings.map((f) => f.code)).not.toContain('app-error');
    expect(report.steps.find((s) => s.id === 'follow-forward')).toMatchObject({ status: 'problem', lines: [`127.0.0.1:${PORT} → docker-proxy (pid 812) → container web (7dbbae57773e) → 172.17.0.2:80`, '  container web: running; listening inside: TCP 127.0.0.1:80 (node pid 5151)', 'container engine at unix:///var/run/docker.sock: 3 containers (answered in 4 ms)'] });
    // The step sits right after identify-application.
    expect(report.steps.map((s) => s.id).slice(0, 3)).toEqual(['identify-application', 'follow-forward', 'port-usage']);
  });

  it('the far end healthy: the same dropped connection is the app’s own doing (app-error stays)', () => {
    const report = diagnose(forwarded(chainOf(proxyForward, { container: container() })));
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['app-error']);
  });

  it('the engine unreadable and the connection dropped: forward-unreadable is the error, not app-error', () => {
    const chain = chainOf({ ...proxyForward, to: { host: '172.17.0.2', port: 80 } }, { publishedBy: null });
    const report = diagnose(forwarded(chain, { forwards: forwards({ chains: [chain], engine: noEngine }) }));
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.code)).toEqual(['forward-unreadable']);
  });

  it("kubectl's far end refusing inside a running pod (kubectl/issues/1169) is tunnel-far-end-down, not pod-gone", () => {
    const report = diagnose(forwarded(kubectlChain, { sockets: [listener({ forward: kubectlForward })], logOwner: { pid: 4242 }, logs: kubectlLog('kubectl-far-end-refused.log') }));
    const codes = report.findings.map((f) => f.code);
    expect(codes).toContain('tunnel-far-end-down');
    expect(codes).not.toContain('kubectl-pod-gone');
  });

  it('no forwarder and nothing followed: the step is skipped and says so', () => {
    const report = diagnose(healthyFacts({ forwards: forwards({ engine: null }) }));
    expect(report.steps.find((s) => s.id === 'follow-forward')).toMatchObject({ status: 'skipped', lines: [`No forwarder holds port ${PORT} here, and no rule or container sends it elsewhere.`] });
  });
});

describe('tunnel-not-running', () => {
  const nothingOnTarget = { ...nothingHere, target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client' as const] };
  it('explains nothing-listening: the fix list leads with starting ssh', () => {
    const report = diagnose(healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, declared: declaredIn(dbTunnelConfig) }) }));
    expect(report.findings.find((f) => f.code === 'nothing-listening')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'tunnel-not-running' } });
    expect(report.steps.find((s) => s.id === 'what-to-do')?.findings[0]).toBe('tunnel-not-running');
    expect(report.steps.find((s) => s.id === 'follow-forward')).toMatchObject({ status: 'problem', lines: [`/home/ann/.ssh/config line 3: LocalForward ${PORT} localhost:5432 (in 'Host db'): ssh tunnel to localhost:5432 (as seen from the SSH server), not running`] });
  });

  it('a running tunnel (something listens on the port) and forwards of other ports raise nothing', () => {
    expect(findingsOf(healthyFacts({ target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client'], forwards: forwards({ engine: null, declared: declaredIn(dbTunnelConfig) }) })).map((f) => f.code)).not.toContain('tunnel-not-running');
    const other = diagnose(healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, declared: declaredIn(`Host db\n  LocalForward ${PORT + 1} localhost:5432\n  RemoteForward ${PORT} localhost:80\n`) }) }));
    expect(other.findings.map((f) => [f.code, f.severity])).toContainEqual(['nothing-listening', 'error']);
    expect(other.findings.map((f) => f.code)).not.toContain('tunnel-not-running');
  });

  it('a Match it cannot evaluate "may apply"; a wildcard Host gives the -L command with HOST', () => {
    const may = findingsOf(healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, declared: declaredIn(`Match originalhost db exec "nc -z vpn 1"\n  LocalForward ${PORT} localhost:5432\n`) }) })).find((f) => f.code === 'tunnel-not-running')!;
    expect(may.detail).toContain(`The block applies only when 'exec nc -z vpn 1' holds, which was not evaluated: this forward may apply.`);
    const wild = findingsOf(healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, declared: declaredIn(`Host *.internal\n  LocalForward 127.0.0.1:${PORT} [::1]:5432\n`) }) })).find((f) => f.code === 'tunnel-not-running')!;
    expect(wild.fix).toContain(`'ssh -fN -L 127.0.0.1:${PORT}:[::1]:5432 HOST' (HOST: a host 'Host *.internal' applies to)`);
  });
});

describe('a cause supersedes its symptom', () => {
  it('config-mismatch explains nothing-listening: the fix list leads with the config edit, the symptom stays as context', () => {
    const facts = healthyFacts({ ...nothingHere, sockets: [listener({ port: 4000 })], config: config([decl({}), decl({ file: 'server.js', line: 3, kind: 'other', role: 'server', host: null, port: 4000, text: 'app.listen(4000)' })]) });
    const report = diagnose(facts);
    expect(report.findings.find((f) => f.code === 'nothing-listening')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'config-mismatch' } });
    expect(report.steps.find((s) => s.id === 'what-to-do')?.findings[0]).toBe('config-mismatch');
  });
});

describe('partial data: the doctor never says "healthy" about what it could not read', () => {
  it('part of the firewall unread, the probe timed out at a listener: firewall-unreadable is an error, and the step never says "nothing blocks it"', () => {
    const partial = (address: string): DoctorFacts['firewall'][number] => ({
      query: { protocol: 'tcp', family: address.includes(':') ? 'ipv6' : 'ipv4', address, port: PORT },
      result: { ok: true, value: { blocked: null, completeness: 'partial', sources: [{ name: 'iptables-nft-save', read: true, reason: null }, { name: 'nft', read: false, reason: 'exited with code 1' }], uninterpreted: [] } },
    });
    const report = diagnose(healthyFacts({ probe: probeOf([attempt('::1', 'timeout'), attempt('127.0.0.1', 'timeout')]), firewall: [partial('::1'), partial('127.0.0.1')] }));
    expect(report.ok).toBe(false);
    const f = report.findings.find((x) => x.code === 'firewall-unreadable')!;
    expect(f).toMatchObject({ severity: 'error', title: 'Only part of the firewall could be read' });
    expect(f.detail).toContain('nft: exited with code 1');
    const lines = report.steps.find((s) => s.id === 'firewall')!.lines;
    expect(lines.some((l) => /nothing blocks it$/.test(l))).toBe(false);
    expect(lines.some((l) => l.includes('nothing blocks it in the rules that were read'))).toBe(true);
  });

  it('the same partial read without a timeout: a warning, exit 0 but not silent', () => {
    const partialFacts = healthyFacts();
    const firewall = partialFacts.firewall.map((check) => (check.result.ok ? { ...check, result: { ok: true as const, value: { ...check.result.value, completeness: 'partial' as const, sources: [{ name: 'nft', read: false, reason: 'timed out' }] } } } : check));
    const report = diagnose({ ...partialFacts, firewall });
    expect(report.findings.find((f) => f.code === 'firewall-unreadable')?.severity).toBe('warning');
  });

  it('no rules readable and a timeout: firewall-unreadable becomes an error', () => {
    const report = diagnose(
      healthyFacts({
        probe: probeOf([attempt('::1', 'timeout'), attempt('127.0.0.1', 'timeout')]),
        firewall: [{ query: { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: PORT }, result: { ok: false, reason: 'Reading firewall rules needs root.', hint: 'Run with sudo.' } }],
      }),
    );
    expect(report.findings.find((f) => f.code === 'firewall-unreadable')?.severity).toBe('error');
  });

  it('a socket table that could not be read: nothing-listening says what was not read', () => {
    const report = diagnose(healthyFacts({ ...nothingHere, scan: { ...healthyFacts().scan, tablesUnread: 1, unread: [{ source: '/proc/self/net/tcp6', reason: 'EACCES', effect: 'TCP IPv6 sockets are missing from the answer' }] } }));
    const f = report.findings.find((x) => x.code === 'nothing-listening')!;
    expect(f.detail).toContain('Not read, so not seen: /proc/self/net/tcp6 (EACCES)');
    expect(report.steps.find((s) => s.id === 'identify-application')!.lines[0]).toContain('in what could be read');
  });

  it('nothing listening, probe timed out: the detail says the packets are swallowed, not "refused"', () => {
    const f = diagnose(healthyFacts({ ...nothingHere, probe: probeOf([attempt('::1', 'timeout'), attempt('127.0.0.1', 'timeout')]) })).findings.find((x) => x.code === 'nothing-listening')!;
    expect(f.detail).toContain('timed out instead of being refused');
    expect(f.detail).not.toContain('so connections are refused');
  });

  it('a replayed snapshot: nothing-listening says no connection was tried', () => {
    const replay = { os: 'linux' as const, file: 'snap.json', capturedAt: '2026-12-06T10:00:00.000Z', release: '6.1.0', user: { uid: 0, name: 'root', elevated: true }, redacted: false, notRun: ['probe', 'bind'] as ('probe' | 'bind')[] };
    const report = diagnose(healthyFacts({ ...nothingHere, probe: null, binds: [], resolution: null, replay }));
    expect(report.replay).toEqual(replay);
    expect(report.findings.find((x) => x.code === 'nothing-listening')?.detail).toContain('no connection was tried on a replay');
    expect(report.steps.find((s) => s.id === 'port-usage')?.lines).toEqual(['connect: not run (a replayed snapshot: probes need the live machine)', 'bind: not run (a replayed snapshot: trial binds need the live machine)']);
  });
});

describe('the fix is worded for the facts’ OS', () => {
  it('lo0 down on macOS: ifconfig, not ip', () => {
    const facts = healthyFacts({}, 'darwin');
    const down = { ...facts, loopback: { ok: true as const, value: { ...(facts.loopback as Extract<DoctorFacts['loopback'], { ok: true }>).value, up: false } } };
    const f = diagnose(down).findings.find((x) => x.code === 'loopback-down')!;
    expect(f.fix).toBe('sudo ifconfig lo0 up');
  });

  it('privileged ports on macOS: only specific addresses need root', () => {
    const facts = healthyFacts({ target: bareTarget({ port: 80 as Port, input: '80' }), views: ['server'], sockets: [], probe: null, resolution: null, binds: [] }, 'darwin');
    const settings = { ok: true as const, value: { ...(facts.portSettings as Extract<DoctorFacts['portSettings'], { ok: true }>).value, ephemeralRange: { from: 49152, to: 65535 }, privilegedApplies: 'specific' as const } };
    const f = diagnose({ ...facts, portSettings: settings }).findings.find((x) => x.code === 'privileged-port')!;
    expect(f.detail).toContain('anyone may bind a port below 1024 on 0.0.0.0 or ::');
    expect(f.fix).not.toContain('setcap');
  });

  it('Windows: no privileged ports, and no Linux command in any finding of a bare-port run', () => {
    const facts = healthyFacts({ target: bareTarget({ port: 80 as Port, input: '80' }), sockets: [osListener({ port: 80, address: '0.0.0.0', processes: [proc({ name: 'System', pid: 4 })] })] }, 'win32');
    const report = diagnose({ ...facts, portSettings: { ok: true, value: { ...(facts.portSettings as Extract<DoctorFacts['portSettings'], { ok: true }>).value, unprivilegedPortStart: 0, privilegedApplies: 'none' } } });
    const text = JSON.stringify(report.findings);
    expect(report.findings.some((f) => f.code === 'privileged-port')).toBe(false);
    expect(report.findings.find((f) => f.code === 'known-holder')?.title).toContain('HTTP.sys');
    for (const linux of ['iptables', 'nft ', 'systemctl', 'sudo ', 'ip link', 'sysctl', 'setcap', '/proc']) expect(text).not.toContain(linux);
  });
});

describe('an ssh that asks for the port and holds no listener there', () => {
  const nothingOnTarget = { ...nothingHere, target: bareTarget({ host: '127.0.0.1', input: `127.0.0.1:${PORT}` }), views: ['client' as const] };
  const errors = (facts: DoctorFacts): string[] => findingsOf(facts).filter((f) => f.severity === 'error').map((f) => f.code);

  it('tunnel-port-taken leads the fix list; the holder is the one that answers', () => {
    const report = diagnose(takenFacts());
    expect(report.steps.find((s) => s.id === 'what-to-do')?.findings[0]).toBe('tunnel-port-taken');
    expect(report.steps.find((s) => s.id === 'follow-forward')).toMatchObject({ status: 'problem', lines: [`ssh pid 4242 -L ${PORT}:db.internal:5432 (to deploy@bastion): asks for port ${PORT}, holds no listener there`] });
  });

  it('the default bind got ::1 only (127.0.0.1 taken): still taken, and the detail says which address reaches the tunnel', () => {
    const sshOn6 = listener({ family: 'ipv6', address: '::1', inode: 101, processes: [proc({ pid: 4242, name: 'ssh', command: tunnelArgv.join(' ') })] });
    const f = findingsOf(takenFacts(tunnelArgv, [pythonHolder, sshOn6])).find((x) => x.code === 'tunnel-port-taken')!;
    expect(f.detail).toContain(`It does not hold 127.0.0.1:${PORT}: python3`);
    expect(f.detail).toContain(`ssh holds only [::1]:${PORT}: a client that tries that address first reaches the tunnel, one that tries 127.0.0.1:${PORT} does not.`);
  });

  it('an ssh holding both loopbacks (its forward bound) raises nothing', () => {
    const held = ['127.0.0.1', '::1'].map((address, i) => listener({ address, family: address === '::1' ? 'ipv6' : 'ipv4', inode: 200 + i, processes: [proc({ pid: 4242, name: 'ssh' })] }));
    expect(requestedBy(tunnelArgv, held)).toMatchObject({ ok: true, value: { forwards: [] } });
    expect(errors(takenFacts(tunnelArgv, held))).toEqual([]);
  });

  it('an ssh in another network namespace, a control command, or a forward of another port is not this port’s tunnel', () => {
    expect(requestedBy(tunnelArgv, [], { sameNetns: false })).toMatchObject({ ok: true, value: { forwards: [], examined: 0 } });
    expect(requestedBy(['ssh', '-O', 'forward', '-L', `${PORT}:db:5432`, 'bastion'])).toMatchObject({ ok: true, value: { forwards: [] } });
    expect(requestedBy(['ssh', '-N', '-L', `${PORT + 1}:db:5432`, '-R', `${PORT}:localhost:80`, 'bastion'])).toMatchObject({ ok: true, value: { forwards: [] } });
  });

  it('-D and -o LocalForward= are read too; a SOCKS proxy says so', () => {
    const socks = findingsOf(healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, requested: requestedBy(['ssh', '-fN', '-D', String(PORT), 'bastion']) }) })).find((f) => f.code === 'tunnel-not-running')!;
    expect(socks.detail).toContain('forward each connection to a SOCKS proxy (each connection names its own destination)');
    expect(socks.evidence).toMatchObject({ ssh: { option: '-D', spec: String(PORT), to: null }, command: `ssh -fN -D ${PORT} bastion` });
    const viaO = requestedBy(['ssh', '-N', '-o', `LocalForward=${PORT} db:5432`, 'bastion']);
    expect(viaO).toMatchObject({ ok: true, value: { forwards: [{ option: '-L', spec: `${PORT}:db:5432`, to: { host: 'db', port: 5432 } }] } });
    // The spec is not a word of the command line: the restart command is written from the parts.
    const f = findingsOf(healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, requested: viaO }) })).find((x) => x.code === 'tunnel-not-running')!;
    expect(f.evidence.command).toBe(`ssh -fN -L ${PORT}:db:5432 bastion`);
  });

  it('a running ssh and a declaration of the same port: one tunnel-not-running, the running ssh’s', () => {
    const facts = healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, declared: declaredIn(dbTunnelConfig), requested: requestedBy(['ssh', '-N', '-L', `192.0.2.1:${PORT}:db:5432`, 'bastion']) }) });
    const found = findingsOf(facts).filter((f) => f.code === 'tunnel-not-running');
    expect(found).toHaveLength(1);
    expect(found[0]?.evidence).toMatchObject({ ssh: { pid: 4242 } });
    expect(diagnose(facts).findings.find((f) => f.code === 'nothing-listening')).toMatchObject({ severity: 'info', evidence: { explainedBy: 'tunnel-not-running' } });
  });

  it('a holder on an address the ssh did not ask for is not the cause (the address rules speak to it)', () => {
    const argv = ['ssh', '-N', '-L', `192.0.2.1:${PORT}:db:5432`, 'bastion'];
    expect(errors(takenFacts(argv)).filter((c) => c.startsWith('tunnel-'))).toEqual([]);
  });

  it('macOS: arguments split from ps at spaces give a plain restart command', () => {
    const facts = healthyFacts({ ...nothingOnTarget, forwards: forwards({ engine: null, requested: requestedBy(['/usr/bin/ssh', '-i', '/Users/ann/key', '-N', '-L', `192.0.2.1:${PORT}:db:5432`, 'bastion'], [], { argvExact: false, sameNetns: null }) }) }, 'darwin');
    expect(findingsOf(facts).find((f) => f.code === 'tunnel-not-running')?.evidence.command).toBe(`ssh -fN -L 192.0.2.1:${PORT}:db:5432 bastion`);
  });

  it('bindsOverlap: which holder addresses make ssh’s bind fail', () => {
    const table: [string | null, string, boolean][] = [
      [null, '127.0.0.1', true],
      [null, '::1', true],
      [null, '0.0.0.0', true],
      [null, '192.168.1.5', false],
      ['*', '192.168.1.5', true],
      ['127.0.0.1', '0.0.0.0', true],
      ['127.0.0.1', '::', true],
      ['::1', '0.0.0.0', false],
      ['192.0.2.1', '127.0.0.1', false],
      ['192.0.2.1', '192.0.2.1', true],
      ['db.local', '127.0.0.1', true],
    ];
    expect(table.map(([bind, holder]) => bindsOverlap(bind, holder))).toEqual(table.map(([, , overlaps]) => overlaps));
  });
});
