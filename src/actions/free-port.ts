import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { createServer, isIP, type Server } from 'node:net';
import { tryBind } from '../collectors/bind-check.js';
import { PortdoctorError } from '../errors.js';
import { listSockets } from '../inventory.js';
import { osPortDefaults } from '../platform/defaults.js';
import { platform } from '../platform/index.js';
import type { Protocol } from '../types.js';
import { blocksHost, candidatePorts, type Avoidance, type Span } from './free-port-candidates.js';

export interface FreePortOptions {
  /** How many distinct ports (default 1). */
  readonly count?: number;
  /**
   * Where to look (inclusive). Default 1024–65535 minus the ephemeral range, scanned from a
   * random point so that parallel callers rarely race for the same port. An explicit range is
   * scanned upwards from its start, and the ephemeral range is not avoided inside it (you chose it).
   */
  readonly range?: Span;
  /**
   * Only this address must be free (an IP literal, or a name resolved to all its addresses).
   * Default: every loopback and wildcard address of both families (see {@link findFreePort}).
   */
  readonly host?: string;
  /** Default 'tcp'. */
  readonly protocol?: Protocol;
  /** Try these first, in order; they are exempt from the avoidance rules (you named them). */
  readonly prefer?: readonly number[];
  /** Ports never to return. */
  readonly exclude?: readonly number[];
  /** Avoid the kernel's ephemeral range (default: true without `range`, false with it). */
  readonly avoidEphemeral?: boolean;
  /** Avoid ports browsers refuse (ERR_UNSAFE_PORT), default true. */
  readonly avoidBrowserUnsafe?: boolean;
  /** Avoid `net.ipv4.ip_local_reserved_ports`, default true. */
  readonly avoidReserved?: boolean;
}

const DEFAULT_RANGE: Span = { from: 1024, to: 65535 };

interface SearchPlan {
  readonly protocol: Protocol;
  /** Addresses a trial bind must succeed on. */
  readonly bindAddresses: readonly string[];
  /** The host the table check compares against (null: every address counts). */
  readonly tableHosts: readonly string[] | null;
  readonly candidates: Generator<number>;
  /** A replayed snapshot: no bind can confirm a port, the snapshot's table is all there is. */
  readonly tableOnly: boolean;
}

/** `0:0::1` → `::1`: socket addresses from /proc are canonical, so compare canonical forms. */
function canonical(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

async function resolveHost(host: string): Promise<string[]> {
  if (isIP(host) !== 0) return [canonical(host)];
  try {
    const answers = await lookup(host, { all: true, verbatim: true });
    return [...new Set(answers.map((a) => canonical(a.address)))];
  } catch (error) {
    throw new PortdoctorError('bad-target', `Cannot resolve --host "${host}".`, { hint: 'Give an IP address, e.g. 127.0.0.1 or ::1.', cause: error });
  }
}

/** IPv6 may be off (ipv6.disable=1, or no ::1 on lo); then only IPv4 addresses are checked. */
async function ipv6Usable(protocol: Protocol): Promise<boolean> {
  const probe = await tryBind({ address: '::1', port: 0, protocol });
  return probe.ok || (probe.code !== 'EADDRNOTAVAIL' && probe.code !== 'EAFNOSUPPORT');
}

async function occupiedPorts(protocol: Protocol, hosts: readonly string[] | null): Promise<Set<number>> {
  // Every state counts, not only listeners: a server that binds without SO_REUSEADDR fails even
  // on a TIME-WAIT or connected socket with that local port. Only our own network namespace
  // matters for a bind, so no allNetns.
  const { sockets } = await listSockets({ protocols: [protocol], states: 'all', withProcesses: false });
  const occupied = new Set<number>();
  for (const socket of sockets) {
    if (hosts === null || hosts.some((host) => blocksHost(socket.address, host))) occupied.add(socket.port);
  }
  return occupied;
}

async function planSearch(options: FreePortOptions): Promise<SearchPlan> {
  const protocol = options.protocol ?? 'tcp';
  const range = options.range ?? DEFAULT_RANGE;
  if (range.from < 1 || range.to > 65535 || range.to < range.from) {
    throw new PortdoctorError('bad-port', `The range ${range.from}-${range.to} is not within 1-65535.`, { hint: 'Write a range low-high, e.g. 3000-3999.' });
  }
  for (const port of options.prefer ?? []) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PortdoctorError('bad-port', `Preferred port ${port} is outside 1-65535.`);
  }
  const os = await platform();
  const tableOnly = os.origin.kind === 'replay';
  // A replay names no host of this machine: only literal addresses make sense there.
  const hosts = options.host === undefined ? null : tableOnly && isIP(options.host) === 0 ? [options.host] : await resolveHost(options.host);
  const v6 = hosts === null && !tableOnly ? await ipv6Usable(protocol) : true;
  const bindAddresses = hosts ?? (v6 ? ['127.0.0.1', '0.0.0.0', '::1', '::'] : ['127.0.0.1', '0.0.0.0']);

  const settings = await os.portSettings();
  const avoidEphemeral = options.avoidEphemeral ?? options.range === undefined;
  const avoid: Avoidance = {
    ephemeral: avoidEphemeral ? (settings.ok ? settings.value.ephemeralRange : osPortDefaults(os.os).ephemeralRange) : null,
    reserved: options.avoidReserved === false || !settings.ok ? [] : settings.value.reservedPorts,
    browserUnsafe: options.avoidBrowserUnsafe !== false,
    exclude: new Set(options.exclude ?? []),
  };
  const size = range.to - range.from + 1;
  const startOffset = options.range === undefined ? Math.floor(Math.random() * size) : 0;
  const occupied = await occupiedPorts(protocol, hosts);
  const unbindable = settings.ok ? (settings.value.excludedRanges ?? []).filter((r) => r.protocol === protocol) : [];
  return { protocol, bindAddresses, tableHosts: hosts, tableOnly, candidates: candidatePorts({ range, prefer: options.prefer ?? [], avoid, occupied, unbindable, startOffset }) };
}

/** The confirming bind: every address must accept a plain bind on the port. */
async function bindsEverywhere(port: number, plan: SearchPlan): Promise<boolean> {
  if (plan.tableOnly) return true;
  for (const address of plan.bindAddresses) {
    const result = await tryBind({ address, port, protocol: plan.protocol });
    if (!result.ok) return false;
  }
  return true;
}

/**
 * Finds free ports. "Free" means two things, both checked:
 * 1. the kernel's socket table (this network namespace, both families) has *no* socket of the
 *    protocol with that local port — not a listener on any address (127.0.0.2 and the wildcards
 *    included), and not a connection or TIME-WAIT leftover either, since a server that binds
 *    without SO_REUSEADDR fails on those too (Node, Go and nginx set SO_REUSEADDR and would not);
 * 2. a real bind then succeeds on 127.0.0.1, 0.0.0.0, ::1 and :: (dual-stack) — or, with `host`,
 *    on that host's addresses only, and the table check counts only sockets that overlap them.
 * The answer can go stale the moment it is returned (another program may take the port); callers
 * that cannot tolerate that race should use {@link reserveFreePort}. Returns fewer than `count`
 * ports (possibly none) when the range has no more; never throws for that.
 *
 * @example
 * const [port] = await findFreePort();                                   // e.g. [21847]
 * const ports = await findFreePort({ range: { from: 3000, to: 3999 }, count: 3 });
 * const [dev] = await findFreePort({ prefer: [3000, 3001], range: { from: 3002, to: 3100 } });
 */
export async function findFreePort(options: FreePortOptions = {}): Promise<number[]> {
  const count = options.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new PortdoctorError('bad-usage', `count must be a whole number of at least 1 (got ${count}).`);
  const plan = await planSearch(options);
  const found: number[] = [];
  for (const port of plan.candidates) {
    if (await bindsEverywhere(port, plan)) found.push(port);
    if (found.length === count) break;
  }
  return found;
}

/** A port held open for the caller: nobody else can take it until `release()`. */
export type ReservedPort =
  | { readonly port: number; readonly protocol: 'tcp'; readonly host: string; readonly server: Server; release(): Promise<void> }
  | { readonly port: number; readonly protocol: 'udp'; readonly host: string; readonly server: DgramSocket; release(): Promise<void> };

function holdTcp(host: string, port: number): Promise<Server | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(null));
    server.once('listening', () => resolve(server));
    server.listen({ host, port, exclusive: true, ipv6Only: false });
  });
}

function holdUdp(host: string, port: number): Promise<DgramSocket | null> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4', reuseAddr: false, ipv6Only: false });
    socket.once('error', () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
      resolve(null);
    });
    socket.once('listening', () => resolve(socket));
    socket.bind({ address: host, port, exclusive: true });
  });
}

/**
 * Like {@link findFreePort}, but keeps the port: the returned `server` is already bound (TCP: a
 * listening `net.Server` with no connection handler yet; UDP: a bound `dgram.Socket`), so there
 * is no window between "found" and "bound" in which another process can take the port. Attach
 * your handlers to `server` (`server.on('connection', …)`, or pass it to `http.Server`'s
 * listen({ handle })), or call `release()` and bind yourself (reintroducing a tiny race).
 * The server listens on `options.host`, or 127.0.0.1 by default (loopback only, never exposed).
 * Returns null when no port in the range is free.
 *
 * @example
 * const reserved = await reserveFreePort({ range: { from: 4000, to: 4999 } });
 * if (reserved === null) throw new Error('no free port');
 * const { port, server, release } = reserved;
 * server.on('connection', (socket) => socket.end('hello\n'));
 * console.log(`listening on ${port}`);
 * await release();
 */
export async function reserveFreePort(options: Omit<FreePortOptions, 'count'> = {}): Promise<ReservedPort | null> {
  const plan = await planSearch(options);
  if (plan.tableOnly) throw new PortdoctorError('needs-live-machine', 'reserveFreePort cannot hold a port of a replayed snapshot.', { hint: 'Use findFreePort to read a free port from the snapshot.' });
  const protocol = plan.protocol;
  const host = plan.tableHosts?.[0] ?? '127.0.0.1';
  for (const port of plan.candidates) {
    if (!(await bindsEverywhere(port, plan))) continue;
    if (protocol === 'tcp') {
      const server = await holdTcp(host, port);
      if (server === null) continue; // taken between the check and the hold: try the next one
      const release = (): Promise<void> => new Promise((done) => server.close(() => done()));
      return { port, protocol, host, server, release };
    }
    const socket = await holdUdp(host, port);
    if (socket === null) continue;
    const release = (): Promise<void> =>
      new Promise((done) => {
        try {
          socket.close(() => done());
        } catch {
          done();
        }
      });
    return { port, protocol, host, server: socket, release };
  }
  return null;
}
