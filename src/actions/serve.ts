import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { hostname } from 'node:os';
import { errnoCode, PortdoctorError } from '../errors.js';
import { formatHostPort } from '../target.js';
import type { Family, Protocol } from '../types.js';
import { renderServePage } from './serve-page.js';
import { LOOPBACK_ADDRESSES } from './wait-addresses.js';

/** `echo`: TCP echo (default); `http`: a page saying who answered; `udp`: echoes datagrams. */
export type ServeMode = 'echo' | 'http' | 'udp';

/** Why a server stopped. */
export type ServeCloseReason = 'max-connections' | 'duration' | 'aborted' | 'closed';

export interface ServeOptions {
  /** An IP address or name to listen on (every address it resolves to). Omitted/null: 127.0.0.1 and ::1. */
  readonly host?: string | null;
  /** 0 lets the kernel choose; the same port is then used on every address. */
  readonly port: number;
  /** Default `echo`. */
  readonly mode?: ServeMode;
  /** Stop after this many connections (HTTP: requests; UDP: datagrams) have been served. */
  readonly maxConnections?: number;
  /** Stop after this long. */
  readonly durationMs?: number;
  /** Stops the server (reason `aborted`). */
  readonly signal?: AbortSignal;
  /** Receives every event from the first `listening` on (a listener added later misses those). */
  readonly onEvent?: (event: ServeEvent) => void;
}

export interface ServeAddress {
  readonly address: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly family: Family;
}

/** One side of a connection or datagram. */
interface Endpoints {
  readonly protocol: Protocol;
  /** The address and port the client reached (ours). */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** What a running server reports; `--json` prints these, one per line. `time` is ISO-8601. */
export type ServeEvent =
  | { readonly event: 'listening'; readonly time: string; readonly address: string; readonly port: number; readonly protocol: Protocol }
  | ({ readonly event: 'connection'; readonly time: string } & Endpoints)
  | ({ readonly event: 'disconnected'; readonly time: string; readonly bytes: number } & Endpoints)
  | ({ readonly event: 'request'; readonly time: string; readonly method: string; readonly path: string; readonly status: number } & Endpoints)
  | ({ readonly event: 'datagram'; readonly time: string; readonly bytes: number } & Endpoints)
  | { readonly event: 'closed'; readonly time: string; readonly reason: ServeCloseReason }
  /**
   * A listening socket failed after listen — typically accept() with EMFILE/ENFILE (out of file
   * descriptors), where the kernel keeps the connection queued or closed. The server keeps
   * listening; the next accept may succeed once descriptors are free.
   */
  | { readonly event: 'error'; readonly time: string; readonly address: string; readonly port: number; readonly protocol: Protocol; readonly code: string; readonly message: string };

/** A listener started by {@link serve}. Emits `event` with each {@link ServeEvent}. */
export interface RunningServer extends AsyncDisposable {
  readonly mode: ServeMode;
  /** Every address listened on (one per family for the default loopback pair). */
  readonly addresses: readonly ServeAddress[];
  /** The port (the kernel's choice when 0 was asked for). */
  readonly port: number;
  /** Addresses of the default pair that could not be used, with why (`::1` when IPv6 is off on lo). */
  readonly skipped: readonly { readonly address: string; readonly reason: string }[];
  /** Settles when the server has stopped, with the reason. */
  readonly done: Promise<ServeCloseReason>;
  /** Stops listening, ends open connections, and resolves once everything is closed. */
  close(): Promise<void>;
  on(name: 'event', listener: (event: ServeEvent) => void): this;
  off(name: 'event', listener: (event: ServeEvent) => void): this;
}

/** How many times a port-0 pair is retried when the kernel's pick for 127.0.0.1 is taken on ::1. */
const PORT_ZERO_RETRIES = 8;

/**
 * Starts a test listener: a TCP echo server, a small HTTP server that says who answered, or a
 * UDP echo. Without a host it listens on both 127.0.0.1 and ::1 (where clients of either
 * family land). A bind failure (port in use, privileged port, no such address) throws a
 * PortdoctorError whose message names the address and whose hint says what to do next.
 *
 * @example
 * await using server = await serve({ port: 0, mode: 'echo', maxConnections: 1 });
 * server.on('event', (event) => console.log(event));
 * console.log(`echo on port ${server.port}`);
 * await server.done; // 'max-connections' once one client has come and gone
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  checkServeOptions(options);
  const mode = options.mode ?? 'echo';
  const explicitHost = options.host !== undefined && options.host !== null;
  const hosts = explicitHost ? await resolveListenHost(options.host as string) : LOOPBACK_ADDRESSES;
  const server = new Server(mode, options);
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await server.listenAll(hosts, options.port, !explicitHost);
    if (outcome === 'ok') break;
    // Port 0 on two addresses: the kernel's pick for the first may be taken on the second.
    if (outcome.retryable && options.port === 0 && attempt < PORT_ZERO_RETRIES) continue;
    throw bindError(outcome.address, options.port === 0 ? outcome.port : options.port, outcome.error);
  }
  server.start();
  return server;
}

type ListenOutcome = 'ok' | { readonly address: string; readonly port: number; readonly error: unknown; readonly retryable: boolean };

type Listener = { readonly kind: 'tcp'; readonly server: net.Server } | { readonly kind: 'udp'; readonly socket: dgram.Socket };

class Server extends EventEmitter implements RunningServer {
  addresses: ServeAddress[] = [];
  skipped: { address: string; reason: string }[] = [];
  readonly done: Promise<ServeCloseReason>;
  private handles: Listener[] = [];
  private readonly sockets = new Set<net.Socket>();
  private served = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | undefined;
  private settle: (reason: ServeCloseReason) => void = () => undefined;
  private readonly onAbort = (): void => void this.stop('aborted');

  constructor(
    readonly mode: ServeMode,
    private readonly options: ServeOptions,
  ) {
    super();
    this.done = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get port(): number {
    return this.addresses[0]?.port ?? 0;
  }

  /** Listens on every host; on a failure closes what was opened, so a retry starts clean. */
  async listenAll(hosts: readonly string[], port: number, defaultPair: boolean): Promise<ListenOutcome> {
    this.skipped = [];
    this.addresses = [];
    let chosen = port;
    for (const host of hosts) {
      const outcome = await this.listenOne(host, chosen);
      if (outcome.ok) {
        chosen = outcome.address.port;
        this.addresses.push(outcome.address);
        continue;
      }
      // The default pair tolerates a missing ::1 (IPv6 disabled on lo): say so, keep 127.0.0.1.
      if (defaultPair && host === '::1' && errnoCode(outcome.error) === 'EADDRNOTAVAIL') {
        this.skipped.push({ address: host, reason: 'IPv6 is not available on the loopback interface (EADDRNOTAVAIL)' });
        continue;
      }
      await this.closeListeners();
      return { address: host, port: chosen, error: outcome.error, retryable: errnoCode(outcome.error) === 'EADDRINUSE' && hosts.indexOf(host) > 0 };
    }
    if (this.addresses.length === 0) return { address: hosts[0] ?? '', port, error: new Error('no address to listen on'), retryable: false };
    return 'ok';
  }

  private listenOne(host: string, port: number): Promise<{ ok: true; address: ServeAddress } | { ok: false; error: unknown }> {
    return new Promise((resolve) => {
      if (this.mode === 'udp') {
        const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
        socket.once('error', (error) => {
          socket.close();
          resolve({ ok: false, error });
        });
        socket.bind(port, host, () => {
          socket.removeAllListeners('error');
          this.handles.push({ kind: 'udp', socket });
          const bound = socket.address();
          const address: ServeAddress = { address: bound.address, port: bound.port, protocol: 'udp', family: bound.family === 'IPv6' ? 'ipv6' : 'ipv4' };
          socket.on('error', (error) => this.reportError(address, error));
          resolve({ ok: true, address });
        });
        return;
      }
      const server = this.mode === 'http' ? http.createServer() : net.createServer();
      server.once('error', (error) => resolve({ ok: false, error }));
      server.listen({ host, port }, () => {
        server.removeAllListeners('error');
        this.handles.push({ kind: 'tcp', server });
        const bound = server.address() as net.AddressInfo;
        const address: ServeAddress = { address: bound.address, port: bound.port, protocol: 'tcp', family: bound.family === 'IPv6' ? 'ipv6' : 'ipv4' };
        // Without a handler, an accept() failure (EMFILE) would be an uncaught 'error': a stack trace.
        server.on('error', (error) => this.reportError(address, error));
        resolve({ ok: true, address });
      });
    });
  }

  /** Wires the handlers once every address listens, then reports `listening`. */
  start(): void {
    for (const listener of this.handles) {
      if (listener.kind === 'udp') this.wireUdp(listener.socket);
      else if (this.mode === 'http') this.wireHttp(listener.server as http.Server);
      else this.wireEcho(listener.server);
    }
    for (const address of this.addresses) {
      this.report({ event: 'listening', time: now(), address: address.address, port: address.port, protocol: address.protocol });
    }
    if (this.options.durationMs !== undefined) this.timer = setTimeout(() => void this.stop('duration'), this.options.durationMs);
    if (this.options.signal?.aborted === true) void this.stop('aborted');
    else this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private wireEcho(server: net.Server): void {
    server.on('connection', (socket) => {
      const ends = endpointsOf(socket);
      this.track(socket);
      this.report({ event: 'connection', time: now(), ...ends });
      let bytes = 0;
      socket.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        socket.write(chunk);
      });
      socket.on('end', () => socket.end());
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        this.report({ event: 'disconnected', time: now(), bytes, ...ends });
        this.countServed();
      });
    });
  }

  private wireHttp(server: http.Server): void {
    server.on('connection', (socket) => {
      this.track(socket);
      this.report({ event: 'connection', time: now(), ...endpointsOf(socket) });
    });
    server.on('request', (request, response) => {
      const ends = endpointsOf(request.socket);
      const page = renderServePage(
        { pid: process.pid, hostname: hostname(), ...ends, method: request.method ?? 'GET', path: request.url ?? '/', time: now() },
        request.headers.accept,
      );
      response.writeHead(200, { 'content-type': page.contentType, 'cache-control': 'no-store', server: 'portdoctor-serve' });
      response.end(request.method === 'HEAD' ? undefined : page.body);
      response.once('finish', () => {
        this.report({ event: 'request', time: now(), method: request.method ?? 'GET', path: request.url ?? '/', status: 200, ...ends });
        this.countServed();
      });
    });
  }

  private wireUdp(socket: dgram.Socket): void {
    const local = socket.address();
    socket.on('message', (message, remote) => {
      socket.send(message, remote.port, remote.address);
      const ends: Endpoints = { protocol: 'udp', localAddress: local.address, localPort: local.port, remoteAddress: remote.address, remotePort: remote.port };
      this.report({ event: 'datagram', time: now(), bytes: message.length, ...ends });
      this.countServed();
    });
  }

  /** An error on a listening socket after listen: reported as an event, the server keeps running. */
  private reportError(address: ServeAddress, error: Error): void {
    const code = errnoCode(error) ?? 'EUNKNOWN';
    this.report({ event: 'error', time: now(), address: address.address, port: address.port, protocol: address.protocol, code, message: error.message });
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** After the last allowed connection: stop accepting, let open connections finish, then stop. */
  private countServed(): void {
    this.served += 1;
    const max = this.options.maxConnections;
    if (max !== undefined && this.served >= max) void this.stop('max-connections');
  }

  private report(event: ServeEvent): void {
    this.options.onEvent?.(event);
    this.emit('event', event);
  }

  async stop(reason: ServeCloseReason): Promise<void> {
    if (this.stopping) {
      await this.done;
      return;
    }
    this.stopping = true;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    // setImmediate lets the event that triggered the stop (the last echo, the last response) flush.
    await new Promise((resolve) => setImmediate(resolve));
    for (const socket of this.sockets) socket.destroy();
    await this.closeListeners();
    this.report({ event: 'closed', time: now(), reason });
    this.settle(reason);
  }

  private async closeListeners(): Promise<void> {
    const listeners = this.handles;
    this.handles = [];
    await Promise.all(
      listeners.map(
        (listener) =>
          new Promise<void>((resolve) => {
            if (listener.kind === 'udp') listener.socket.close(() => resolve());
            else listener.server.close(() => resolve());
          }),
      ),
    );
  }

  close(): Promise<void> {
    return this.stop('closed');
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function endpointsOf(socket: net.Socket): Endpoints {
  return {
    protocol: 'tcp',
    localAddress: socket.localAddress ?? '',
    localPort: socket.localPort ?? 0,
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
  };
}

function now(): string {
  return new Date().toISOString();
}

/** A name listens on every address it resolves to; an IP literal on itself. */
async function resolveListenHost(host: string): Promise<readonly string[]> {
  if (net.isIP(host) !== 0) return [host];
  const { lookup } = await import('node:dns/promises');
  try {
    const entries = await lookup(host, { all: true });
    return [...new Set(entries.map((entry) => entry.address))];
  } catch (error) {
    throw new PortdoctorError('bad-target', `Cannot listen on ${host}: the name does not resolve (${errnoCode(error) ?? 'error'}).`, {
      hint: 'Give an IP address (127.0.0.1, ::1, 0.0.0.0) or a name in the hosts file.',
      cause: error,
    });
  }
}

function checkServeOptions(options: ServeOptions): void {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new PortdoctorError('bad-port', `${options.port} is not a port number (0-65535).`, { hint: 'Use 0 to let the kernel choose.' });
  }
  if (options.maxConnections !== undefined && !(Number.isInteger(options.maxConnections) && options.maxConnections >= 1)) {
    throw new PortdoctorError('bad-usage', `maxConnections must be a whole number ≥ 1, not ${options.maxConnections}.`);
  }
  if (options.durationMs !== undefined && !(Number.isFinite(options.durationMs) && options.durationMs >= 0)) {
    throw new PortdoctorError('bad-usage', `durationMs must be ≥ 0, not ${options.durationMs}.`);
  }
}

/** One clear sentence per bind failure, with the next step as the hint. */
function bindError(address: string, port: number, error: unknown): PortdoctorError {
  const where = formatHostPort(address, port);
  const code = errnoCode(error);
  if (code === 'EADDRINUSE') {
    return new PortdoctorError('port-in-use', `Cannot listen on ${where}: port ${port} is already in use there (EADDRINUSE).`, {
      hint: `See what: portdoctor who ${port}`,
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new PortdoctorError('permission-denied', `Cannot listen on ${where}: port ${port} is privileged here (${code}).`, {
      hint: `Run as root, pick a port of 1024 or more, or lower net.ipv4.ip_unprivileged_port_start (portdoctor info ${port}).`,
      cause: error,
    });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new PortdoctorError('bad-target', `Cannot listen on ${where}: no interface here has the address ${address} (EADDRNOTAVAIL).`, {
      hint: "List this machine's addresses with `ip -brief address`.",
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new PortdoctorError('internal', `Cannot listen on ${where}: ${message}`, { cause: error });
}
