import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server } from 'node:net';
import { errnoCode } from '../errors.js';
import type { Family, Protocol } from '../types.js';

export interface BindRequest {
  /** IP literal (`127.0.0.1`, `::`, `::1`) or a host name (resolved by Node, first answer). */
  readonly address: string;
  /** 0 lets the kernel choose from the ephemeral range. */
  readonly port: number;
  readonly protocol: Protocol;
  /** Which family to open for UDP when `address` is a host name (default: from the literal, else ipv4). */
  readonly family?: Family;
  /** Set IPV6_V6ONLY (default false: a `::` bind is dual-stack, as Node's own default). */
  readonly ipv6Only?: boolean;
  /** Give up after this long (default 3000 ms); a bind normally answers in microseconds. */
  readonly timeoutMs?: number;
}

/**
 * The outcome of a trial bind. Codes are errno names: EADDRINUSE (someone holds it, possibly via
 * a wildcard or dual-stack socket), EACCES (a privileged port and we lack CAP_NET_BIND_SERVICE),
 * EADDRNOTAVAIL (the address is not on any interface here), EAFNOSUPPORT (no IPv6 in the kernel).
 */
export type BindResult =
  | {
      readonly ok: true;
      readonly address: string;
      /** The port actually bound (the kernel's choice when 0 was asked for). */
      readonly port: number;
      readonly protocol: Protocol;
      /**
       * For `::`: true when the socket also took the IPv4 wildcard (checked by trying 0.0.0.0 on
       * the same port while holding it), false when IPv6-only (`ipv6Only: true`: Node sets
       * IPV6_V6ONLY explicitly, so net.ipv6.bindv6only does not matter); null for other addresses.
       */
      readonly dualStack: boolean | null;
    }
  | {
      readonly ok: false;
      readonly address: string;
      readonly port: number;
      readonly protocol: Protocol;
      readonly code: 'EADDRINUSE' | 'EACCES' | 'EADDRNOTAVAIL' | 'EAFNOSUPPORT' | (string & {});
      readonly message: string;
    };

/** A held bind: its address, and how to let go. */
interface Held {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Tries a real bind (TCP: listen; UDP: bind) and closes it at once. Binding sends no packet, so
 * this is safe for any address. Never throws; always closes what it opened.
 *
 * A success proves less than it seems in one case: in a network namespace whose lo has never had
 * an address there is no local routing table, the kernel classifies every IPv4 address as
 * broadcast, and *any* IPv4 bind succeeds (connecting then fails). Check the loopback facts too.
 *
 * @example
 * const r = await tryBind({ address: '127.0.0.1', port: 3000, protocol: 'tcp' });
 * if (!r.ok && r.code === 'EADDRINUSE') console.log('3000 is taken');
 */
export async function tryBind(request: BindRequest): Promise<BindResult> {
  const { address, protocol } = request;
  const held = await hold(request);
  if (!held.ok) return { ok: false, address, port: request.port, protocol, code: held.code, message: held.message };
  try {
    let dualStack: boolean | null = null;
    if (isIP(address) === 6 && isIpv6Wildcard(address)) {
      dualStack = false;
      if (request.ipv6Only !== true) {
        // A dual-stack `::` socket owns 0.0.0.0 too, so an IPv4 wildcard bind on the same port must
        // fail with EADDRINUSE; asking the kernel beats predicting it from net.ipv6.bindv6only.
        // (Only asked when not IPv6-only: then someone else's 127.0.0.1 listener on this port would
        // also make the probe fail, and the answer would be wrong.)
        const probe = await hold({ address: '0.0.0.0', port: held.port, protocol, timeoutMs: request.timeoutMs ?? 3000 });
        if (probe.ok) await probe.held.close();
        dualStack = !probe.ok && probe.code === 'EADDRINUSE';
      }
    }
    return { ok: true, address, port: held.port, protocol, dualStack };
  } finally {
    await held.held.close().catch(() => undefined);
  }
}

/** A valid IPv6 literal made only of zeros and colons is the unspecified address (`::`). */
function isIpv6Wildcard(address: string): boolean {
  return /^[0:]+$/.test(address);
}

type HoldResult = { ok: true; held: Held; port: number } | { ok: false; code: string; message: string };

function hold(request: BindRequest): Promise<HoldResult> {
  return request.protocol === 'udp' ? holdUdp(request) : holdTcp(request);
}

function failure(error: unknown): { ok: false; code: string; message: string } {
  return { ok: false, code: errnoCode(error) ?? 'EUNKNOWN', message: error instanceof Error ? error.message : String(error) };
}

function holdTcp(request: BindRequest): Promise<HoldResult> {
  return new Promise((resolve) => {
    const server: Server = createServer();
    const close = (): Promise<void> => new Promise((done) => server.close(() => done()));
    const timer = setTimeout(() => {
      server.removeAllListeners('listening');
      void close();
      resolve({ ok: false, code: 'ETIMEDOUT', message: `bind to ${request.address}:${request.port} did not complete in time` });
    }, request.timeoutMs ?? 3000);
    server.once('error', (error) => {
      clearTimeout(timer);
      resolve(failure(error));
    });
    server.once('listening', () => {
      clearTimeout(timer);
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : request.port;
      resolve({ ok: true, port, held: { port, close } });
    });
    try {
      // exclusive: never share a handle with cluster workers; a real bind or nothing.
      server.listen({ host: request.address, port: request.port, exclusive: true, ipv6Only: request.ipv6Only ?? false });
    } catch (error) {
      clearTimeout(timer);
      resolve(failure(error));
    }
  });
}

function holdUdp(request: BindRequest): Promise<HoldResult> {
  return new Promise((resolve) => {
    const literal = isIP(request.address);
    const family = literal === 6 ? 'ipv6' : literal === 4 ? 'ipv4' : (request.family ?? 'ipv4');
    let socket: UdpSocket;
    try {
      socket = createSocket({ type: family === 'ipv6' ? 'udp6' : 'udp4', ipv6Only: request.ipv6Only ?? false, reuseAddr: false });
    } catch (error) {
      resolve(failure(error));
      return;
    }
    let closed = false;
    const close = (): Promise<void> =>
      new Promise((done) => {
        if (closed) return done();
        closed = true;
        try {
          socket.close(() => done());
        } catch {
          done();
        }
      });
    const timer = setTimeout(() => {
      void close();
      resolve({ ok: false, code: 'ETIMEDOUT', message: `bind to ${request.address}:${request.port} did not complete in time` });
    }, request.timeoutMs ?? 3000);
    socket.once('error', (error) => {
      clearTimeout(timer);
      // A socket that failed to bind is still open in libuv; close it so no handle leaks.
      void close();
      resolve(failure(error));
    });
    socket.once('listening', () => {
      clearTimeout(timer);
      const port = socket.address().port;
      resolve({ ok: true, port, held: { port, close } });
    });
    try {
      socket.bind({ address: request.address, port: request.port, exclusive: true });
    } catch (error) {
      clearTimeout(timer);
      void close();
      resolve(failure(error));
    }
  });
}
