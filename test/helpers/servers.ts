import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server that closes itself and every connection it accepted when disposed. */
export interface TestServer extends AsyncDisposable {
  readonly port: number;
  readonly server: net.Server;
}

/** Wraps a listening net.Server (tls/http servers too) so `await using` closes it and its connections. */
export async function listening(server: net.Server, host = '127.0.0.1'): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  server.listen(0, host);
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    server,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw TCP server running `onConnection` for each client. */
export function tcpServer(onConnection: (socket: net.Socket) => void, host = '127.0.0.1'): Promise<TestServer> {
  return listening(net.createServer(onConnection), host);
}

/** A server that greets first (SSH, SMTP, FTP, MySQL) with `banner`, then waits. */
export function bannerServer(banner: string | Buffer): Promise<TestServer> {
  return tcpServer((socket) => socket.write(banner));
}

/** A port that was free a moment ago (listen on 0, close). For servers that need a port number. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts on 127.0.0.1:port (bounded: ~5 s). */
export async function waitForPort(port: number, host = '127.0.0.1'): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing accepted on ${host}:${port} within 5 s`);
}

export interface ChildServer extends AsyncDisposable {
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
}

/** Starts a real server process listening on `port`, waits for it, kills it by pid on dispose. */
export async function childServer(command: string, args: readonly string[], port: number): Promise<ChildServer> {
  const child = spawn(command, [...args], { stdio: 'ignore' });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} did not start`);
  const dispose = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGKILL');
      await once(child, 'exit');
    }
  };
  try {
    await waitForPort(port);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { pid, port, child, [Symbol.asyncDispose]: dispose };
}

export interface SelfSignedCert {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** A throwaway EC certificate for CN=portdoctor-test, made by openssl now (valid one day). */
export function selfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'pd-probe-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=portdoctor-test', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore', timeout: 10_000 });
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    return { key, cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Netns extends AsyncDisposable {
  readonly name: string;
  /** `ip netns exec NAME` — prefix a command with it to run inside. */
  readonly prefix: readonly string[];
  /** Runs a command inside the namespace (argument array, no shell); returns stdout. */
  exec(argv: readonly string[]): string;
}

/**
 * Creates a network namespace `pd-probe-<random>` with lo up. `hosts` becomes its /etc/hosts
 * (ip netns exec bind-mounts /etc/netns/NAME/* over /etc). Deleted, with its /etc/netns dir, on dispose.
 */
export function createNetns(options: { hosts?: string; resolvConf?: string } = {}): Netns {
  const name = `pd-probe-${Math.random().toString(36).slice(2, 8)}`;
  const etc = join('/etc/netns', name);
  execFileSync('ip', ['netns', 'add', name], { timeout: 10_000 });
  const dispose = (): void => {
    try {
      execFileSync('ip', ['netns', 'del', name], { timeout: 10_000 });
    } finally {
      rmSync(etc, { recursive: true, force: true });
    }
  };
  try {
    execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'], { timeout: 10_000 });
    if (options.hosts !== undefined || options.resolvConf !== undefined) {
      mkdirSync(etc, { recursive: true });
      if (options.hosts !== undefined) writeFileSync(join(etc, 'hosts'), options.hosts);
      if (options.resolvConf !== undefined) writeFileSync(join(etc, 'resolv.conf'), options.resolvConf);
    }
  } catch (error) {
    dispose();
    throw error;
  }
  const prefix = ['ip', 'netns', 'exec', name] as const;
  return {
    name,
    prefix,
    exec: (argv) => execFileSync(prefix[0], [...prefix.slice(1), ...argv], { encoding: 'utf8', timeout: 20_000 }),
    [Symbol.asyncDispose]: async () => dispose(),
  };
}

/**
 * A MySQL/MariaDB initial handshake packet (protocol 10) laid out byte for byte as servers send it:
 * 3-byte length, sequence 0, 0x0a, version NUL, thread id, 8+13 bytes of salt, capabilities,
 * charset, status, plugin name. No MySQL server is installed here, so tests build it.
 */
export function mysqlGreeting(version: string): Buffer {
  const payload = Buffer.concat([
    Buffer.from([0x0a]),
    Buffer.from(`${version}\0`, 'latin1'),
    Buffer.from([0x2a, 0x00, 0x00, 0x00]),
    Buffer.from('abcdefgh', 'latin1'),
    Buffer.from([0x00, 0xff, 0xf7, 0xff, 0x02, 0x00, 0xff, 0xdf, 0x15]),
    Buffer.alloc(10),
    Buffer.from('ijklmnopqrst\0', 'latin1'),
    Buffer.from('mysql_native_password\0', 'latin1'),
  ]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, (payload.length >> 16) & 0xff, 0x00]);
  return Buffer.concat([header, payload]);
}
