import { NO_CAUSE_FACTS } from '../../src/causes/types.js';
import type { Fingerprint } from '../../src/collectors/fingerprint.js';
import type { ProbeAttempt, ProbeResult } from '../../src/collectors/probe.js';
import type { Resolution } from '../../src/collectors/resolution.js';
import type { DoctorFacts } from '../../src/doctor/types.js';
import type { OsName } from '../../src/platform/types.js';
import type { Target } from '../../src/target.js';
import type { Port, ProcessInfo, Socket } from '../../src/types.js';

/**
 * Hand-built doctor facts: a healthy HTTP server on 127.0.0.1:3000 and [::1]:3000, asked about as a
 * bare port (both views), with everything readable. Tests change one thing and run the rules, so
 * every finding is exercised without root, namespaces or servers.
 */
export const PORT = 3000;

export function proc(over: Partial<ProcessInfo> = {}): ProcessInfo {
  return { pid: 4242, ppid: 1, name: 'node', command: 'node server.js', user: 'alice', uid: 1000, state: 'S', startedAt: '2026-12-06T10:00:00.000Z', unit: null, container: null, ...over };
}

export function listener(over: Partial<Socket> = {}): Socket {
  return {
    protocol: 'tcp',
    family: 'ipv4',
    address: '127.0.0.1',
    port: PORT,
    remoteAddress: null,
    remotePort: null,
    state: 'LISTEN',
    uid: 1000,
    user: 'alice',
    inode: 100,
    netns: { id: 4026531840, current: true, name: null },
    queue: { recv: 0, send: 511 },
    ownerHidden: false,
    processes: [proc()],
    ...over,
  };
}

export function http(status = 200, over: Partial<Fingerprint> = {}): Fingerprint {
  return {
    protocol: 'http',
    detail: { httpStatus: status, httpReason: status === 200 ? 'OK' : 'Internal Server Error', server: 'node' },
    answered: true,
    closedImmediately: false,
    reset: false,
    probeSent: 'http',
    mismatch: null,
    error: null,
    tried: [],
    durationMs: 3,
    ...over,
  };
}

export function attempt(address: string, status: ProbeAttempt['status'], fingerprint: Fingerprint | null = status === 'open' ? http() : null): ProbeAttempt {
  const errors: Partial<Record<ProbeAttempt['status'], string>> = { refused: 'ECONNREFUSED', timeout: 'ETIMEDOUT', reset: 'ECONNRESET', unreachable: 'ENETUNREACH' };
  return { address, family: address.includes(':') ? 'ipv6' : 'ipv4', status, latencyMs: status === 'timeout' ? null : 0.2, error: errors[status] ?? null, fingerprint };
}

export function localhostResolution(addresses: readonly string[] = ['::1', '127.0.0.1']): Resolution {
  const resolved = addresses.map((address) => ({ address, family: address.includes(':') ? ('ipv6' as const) : ('ipv4' as const) }));
  return {
    host: 'localhost',
    literal: false,
    addresses: resolved,
    getaddrinfoFirst: addresses[0] ?? null,
    nodeOrder: [...addresses],
    nodeFirst: addresses[0] ?? null,
    nodeResultOrder: 'verbatim',
    autoSelectFamily: true,
    addrconfigAddresses: resolved,
    ipv4Addresses: resolved.filter((a) => a.family === 'ipv4'),
    ipv6Addresses: resolved.filter((a) => a.family === 'ipv6'),
    error: null,
  };
}

export function probeOf(attempts: readonly ProbeAttempt[], resolution: Resolution | null = localhostResolution()): ProbeResult {
  const first = attempts.find((a) => a.status === 'open') ?? attempts[0];
  return {
    target: `port ${PORT}`,
    host: 'localhost',
    port: PORT,
    transport: 'tcp',
    status: first?.status ?? 'refused',
    latencyMs: first?.latencyMs ?? null,
    address: first?.address ?? null,
    protocol: first?.fingerprint?.protocol ?? null,
    fingerprint: first?.fingerprint ?? null,
    attempts,
    resolution,
    note: null,
  };
}

export function bareTarget(over: Partial<Target> = {}): Target {
  return { input: String(PORT), host: null, port: PORT as Port, protocol: 'tcp', scheme: null, path: null, ...over };
}

const inUse = (address: string): DoctorFacts['binds'][number] => ({ ok: false, address, port: PORT, protocol: 'tcp', code: 'EADDRINUSE', message: `listen EADDRINUSE: address already in use ${address}:${PORT}` });

/** The healthy baseline; `over` replaces whole fields. */
export function healthyFacts(over: Partial<DoctorFacts> = {}, os: OsName = 'linux'): DoctorFacts {
  const probe = probeOf([attempt('::1', 'open'), attempt('127.0.0.1', 'open')]);
  return {
    target: bareTarget(),
    views: ['client', 'server'],
    os,
    replay: null,
    sockets: [listener(), listener({ family: 'ipv6', address: '::1', inode: 101 })],
    scan: { processesScanned: 120, processesHidden: 0, processesVanished: 0, namespaces: 1, privileged: false },
    probe,
    resolution: probe.resolution,
    loopback: {
      ok: true,
      value: {
        name: os === 'darwin' ? 'lo0' : 'lo',
        up: true,
        running: true,
        operstate: 'unknown',
        ipv4: [{ address: '127.0.0.1', prefixLength: 8 }],
        ipv4Source: 'ip',
        ipv6: [{ address: '::1', prefixLength: 128, scope: 'host', tentative: false }],
        ipv6Disabled: false,
        has127001: true,
        hasIpv6Loopback: true,
        notes: [],
      },
    },
    hosts: {
      ok: true,
      value: {
        path: '/etc/hosts',
        localhost: [
          { name: 'localhost', address: '127.0.0.1', family: 4, line: 1, loopback: true },
          { name: 'localhost', address: '::1', family: 6, line: 2, loopback: true },
        ],
      },
    },
    portSettings: {
      ok: true,
      value: {
        ephemeralRange: { from: 32768, to: 60999 },
        reservedPorts: [],
        unprivilegedPortStart: 1024,
        ipv6: { available: true, disabledOnLo: false, disabledAll: false, bindv6only: false },
        defaulted: [],
      },
    },
    firewall: ['::1', '127.0.0.1'].map((address) => ({
      query: { protocol: 'tcp' as const, family: address.includes(':') ? ('ipv6' as const) : ('ipv4' as const), address, port: PORT },
      result: { ok: true as const, value: { blocked: null, sources: [{ name: 'nft', read: true, reason: null }], uninterpreted: [] } },
    })),
    binds: ['127.0.0.1', '::1', '0.0.0.0', '::'].map(inUse),
    privileged: false,
    config: null,
    logOwner: null,
    logs: null,
    causes: NO_CAUSE_FACTS,
    forwards: null,
    ...over,
  };
}

/** A socket as macOS or Windows report it: no inode, no network namespace, holders without a unit. */
export function osListener(over: Partial<Socket> = {}): Socket {
  const { inode: _inode, netns: _netns, ...socket } = listener(over);
  return { ...socket, processes: socket.processes.map(({ unit: _unit, ...p }) => p) };
}
