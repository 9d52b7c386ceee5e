import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { proxyVerdicts, noProxyValue } from '../../src/causes/proxy-env.js';
import { NO_CAUSE_FACTS, type CauseFacts } from '../../src/causes/types.js';
import type { DoctorFacts } from '../../src/doctor/types.js';
import { parseListSockets } from '../../src/platform/linux/causes-parsers.js';
import type { Finding, Port, Severity } from '../../src/types.js';
import { attempt, bareTarget, healthyFacts, http, listener, localhostResolution, PORT, probeOf, proc } from './facts.js';

/**
 * The rules-table cases of the issue-14 causes: each from facts built by hand, with the pure
 * models (proxy-env) and a recorded `systemctl list-sockets` where the facts would come from them.
 */
export interface CauseCase {
  readonly name: string;
  readonly code: string;
  readonly severity: Severity;
  readonly facts: DoctorFacts;
  readonly check?: (finding: Finding) => void;
}

const causes = (over: Partial<CauseFacts>): CauseFacts => ({ ...NO_CAUSE_FACTS, ...over });
const healthySettings = (healthyFacts().portSettings as Extract<DoctorFacts['portSettings'], { ok: true }>).value;
const healthyLoopback = (healthyFacts().loopback as Extract<DoctorFacts['loopback'], { ok: true }>).value;

const proxyEnv = { http_proxy: 'http://127.0.0.1:8888', NO_PROXY: 'localhost:3000' };
const proxyHosts = ['localhost', '127.0.0.1'];

const viteBody = 'Blocked request. This host ("localhost") is not allowed.\nTo allow this host, add "localhost" to `server.allowedHosts` in vite.config.js.';

const redisDenied = http(200, {
  protocol: 'redis',
  detail: { reply: '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user.' },
  probeSent: 'redis',
});

const centosSockets = parseListSockets(readFileSync(join(import.meta.dirname, '../fixtures/causes/systemctl-list-sockets-centos-7.7-jc.txt'), 'utf8'));

export const CAUSE_CASES: readonly CauseCase[] = [
  {
    name: 'http_proxy set, NO_PROXY=localhost:3000 (curl ignores the port), the proxy answers with its error page',
    code: 'proxy-intercepts',
    severity: 'error',
    facts: healthyFacts({
      causes: causes({
        proxy: {
          ok: true,
          value: {
            source: { kind: 'self' },
            variables: proxyEnv,
            scheme: 'http',
            hosts: proxyHosts,
            port: PORT,
            verdicts: proxyHosts.flatMap((host) => proxyVerdicts(proxyEnv, 'http', host, PORT)),
            confirmations: [{ proxy: 'http://127.0.0.1:8888', address: '127.0.0.1', port: 8888, request: `GET http://localhost:${PORT}/`, outcome: 'error-page', status: 500, reason: 'Unable to connect', via: '1.1 tinyproxy (tinyproxy/1.11.1)', server: 'tinyproxy/1.11.1', body: 'Unable to connect', error: null }],
            noProxyValue: noProxyValue(proxyEnv, proxyHosts, PORT),
          },
        },
      }),
    }),
    check: (f) => {
      expect(f.title).toContain('curl');
      expect(f.title).not.toContain('Go');
      expect(f.detail).toContain('Via: 1.1 tinyproxy');
      expect(f.fix).toBe("export no_proxy='localhost:3000,localhost,127.0.0.1' NO_PROXY='localhost:3000,localhost,127.0.0.1' (in the shell the client runs from, or its ~/.bashrc / ~/.profile)");
    },
  },
  {
    name: 'node on 127.0.0.1, python3 on ::1: localhost reaches python3 first',
    code: 'port-shared',
    severity: 'warning',
    facts: healthyFacts({ sockets: [listener(), listener({ family: 'ipv6', address: '::1', inode: 101, processes: [proc({ pid: 5151, ppid: 900, name: 'python3', command: 'python3 -m http.server' })] })] }),
    check: (f) => {
      expect(f.detail).toContain('[::1] → python3 (pid 5151, user alice); 127.0.0.1 → node (pid 4242, user alice)');
      expect(f.evidence).toMatchObject({ routes: [{ address: '::1', pids: [5151] }, { address: '127.0.0.1', pids: [4242] }] });
    },
  },
  {
    name: "Vite's allow-list turns Host: localhost away while 127.0.0.1 gets 200",
    code: 'host-rejected',
    severity: 'error',
    facts: healthyFacts({
      causes: causes({
        hostCheck: {
          address: '::1',
          port: PORT,
          probes: [
            { host: 'localhost', status: 403, reason: 'Forbidden', body: viteBody, error: null },
            { host: '[::1]', status: 200, reason: 'OK', body: '<!doctype html>', error: null },
          ],
        },
      }),
    }),
    check: (f) => {
      expect(f.title).toBe("The server rejects the Host name localhost (403: Vite's server.allowedHosts)");
      expect(f.fix).toContain("Add 'localhost' to server.allowedHosts in vite.config.js");
    },
  },
  {
    name: 'Redis in protected mode, reached on a non-loopback address',
    code: 'client-rejected',
    severity: 'error',
    facts: healthyFacts({
      target: bareTarget({ host: '10.0.0.2', input: `10.0.0.2:${PORT}` }),
      views: ['client'],
      sockets: [listener({ address: '0.0.0.0', processes: [proc({ name: 'redis-server', command: 'redis-server *:3000' })] })],
      probe: probeOf([{ ...attempt('10.0.0.2', 'open', redisDenied), localAddress: '10.0.0.2' }], null),
      resolution: null,
    }),
    check: (f) => {
      expect(f.title).toBe('Redis at 10.0.0.2:3000 refuses connections from 10.0.0.2 (protected-mode (redis.conf), with no password set)');
      expect(f.fix).toContain('Connect to 127.0.0.1:3000 instead');
      expect(f.evidence).toMatchObject({ clientAddress: '10.0.0.2', kind: 'protected-mode' });
    },
  },
  {
    name: 'the holder has 1023 of 1024 descriptors open',
    code: 'fd-limit',
    severity: 'error',
    facts: healthyFacts({ causes: causes({ openFiles: [{ pid: 4242, name: 'node', unit: null, container: null, read: { ok: true, value: { pid: 4242, open: 1023, softLimit: 1024, hardLimit: 4096 } } }] }) }),
    check: (f) => {
      expect(f.fix).toContain("'ulimit -n 65536' (the hard limit is 4096");
      expect(f.evidence).toMatchObject({ open: 1023, softLimit: 1024, hardLimit: 4096 });
    },
  },
  {
    name: 'EADDRNOTAVAIL to 127.0.0.1 with 10 connections filling a 10-port range',
    code: 'ephemeral-exhausted',
    severity: 'error',
    facts: healthyFacts({
      probe: probeOf([attempt('::1', 'open'), { ...attempt('127.0.0.1', 'unreachable'), error: 'EADDRNOTAVAIL' }]),
      causes: causes({ clientPorts: { range: { from: 40000, to: 40009 }, timeWaitReuse: 2, destinations: [{ address: '127.0.0.1', port: PORT, total: 10, byState: { ESTAB: 10 } }] } }),
    }),
    check: (f) => {
      expect(f.title).toBe('10 connections to 127.0.0.1:3000 take 100% of the 10 client ports (40000-40009)');
      expect(f.fix).toContain('net.ipv4.ip_local_port_range');
    },
  },
  {
    name: 'a client pointed at 0.0.0.0',
    code: 'wildcard-target',
    severity: 'warning',
    facts: healthyFacts({ target: bareTarget({ host: '0.0.0.0', input: `0.0.0.0:${PORT}` }), views: ['client'], probe: probeOf([attempt('0.0.0.0', 'open')], null), resolution: null }),
    check: (f) => expect(f.fix).toBe(`Use 127.0.0.1:${PORT} (or localhost:${PORT}) instead of 0.0.0.0:${PORT}; keep 0.0.0.0 in the server's bind setting only.`),
  },
  {
    name: '--bind on port 22, held by systemd (pid 1) for sshd.socket (recorded list-sockets of CentOS 7.7)',
    code: 'socket-activation',
    severity: 'error',
    facts: healthyFacts({
      target: bareTarget({ port: 22 as Port, input: '22' }),
      views: ['server'],
      probe: null,
      resolution: null,
      sockets: [listener({ port: 22, family: 'ipv6', address: '::', uid: 0, user: 'root', processes: [proc({ pid: 1, ppid: 0, name: 'systemd', command: '/usr/lib/systemd/systemd --switched-root --system --deserialize 22', user: 'root', uid: 0 })] })],
      binds: ['127.0.0.1', '::1', '0.0.0.0', '::'].map((address) => ({ ok: false as const, address, port: 22, protocol: 'tcp' as const, code: 'EADDRINUSE', message: 'listen EADDRINUSE' })),
      causes: causes({ socketUnits: centosSockets === null ? { ok: false, reason: 'fixture unreadable', hint: '' } : { ok: true, value: centosSockets } }),
    }),
    check: (f) => {
      expect(f.fix).toBe("systemctl stop sshd.socket (and 'systemctl disable sshd.socket' to keep it from coming back at boot)");
      expect(f.title).toBe('Port 22 is held by systemd for sshd.socket (socket activation)');
    },
  },
  {
    name: 'disable_ipv6 on lo, localhost → ::1 first, the ::1 trial bind fails',
    code: 'ipv6-disabled',
    severity: 'error',
    facts: healthyFacts({
      sockets: [],
      probe: probeOf([{ ...attempt('::1', 'unreachable'), error: 'EADDRNOTAVAIL' }, attempt('127.0.0.1', 'refused')], localhostResolution(['::1', '127.0.0.1'])),
      resolution: localhostResolution(['::1', '127.0.0.1']),
      portSettings: { ok: true, value: { ...healthySettings, ipv6: { available: true, disabledOnLo: true, disabledAll: false, bindv6only: false } } },
      loopback: { ok: true, value: { ...healthyLoopback, ipv6: [], ipv6Disabled: true, hasIpv6Loopback: false } },
      binds: [
        { ok: true, address: '127.0.0.1', port: PORT, protocol: 'tcp', dualStack: null },
        { ok: false, address: '::1', port: PORT, protocol: 'tcp', code: 'EADDRNOTAVAIL', message: 'listen EADDRNOTAVAIL' },
        { ok: true, address: '0.0.0.0', port: PORT, protocol: 'tcp', dualStack: null },
        { ok: true, address: '::', port: PORT, protocol: 'tcp', dualStack: true },
      ],
    }),
    check: (f) => {
      expect(f.title).toBe('IPv6 is switched off (net.ipv6.conf.lo.disable_ipv6 = 1), yet "localhost" resolves to ::1 first');
      expect(f.fix).toContain('sysctl -w net.ipv6.conf.lo.disable_ipv6=0');
    },
  },
];
