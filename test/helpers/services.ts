import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, chownSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort, selfSignedCert, waitForPort } from './servers.js';

/**
 * Real servers from Debian packages, for the fingerprint tests: each on 127.0.0.1, on a port the
 * kernel picked (so the port number hints at nothing), in its own temporary directory, stopped by
 * its pid and its directory removed on dispose. A test asks `missing(...)` first and skips with
 * that reason when the program (or root, where the server needs to drop privileges) is not there.
 */
export interface RealServer extends AsyncDisposable {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
}

const isRoot = process.getuid?.() === 0;

/** Full path of a program on PATH or in the sbin/libexec folders Debian uses, else null. */
export function findProgram(name: string): string | null {
  const postgresBins = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => `/usr/lib/postgresql/${version}/bin`)
    : [];
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', ...postgresBins];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Why a server cannot be started here, or null when it can: names the missing program and the
 * Debian package that brings it, or says root is needed.
 *
 * @example
 * const why = missing(['redis-server'], 'redis-server');
 * describe.skipIf(why !== null)(`redis${why === null ? '' : ` (skipped: ${why})`}`, () => { … });
 */
export function missing(programs: readonly string[], debianPackage: string, needsRoot = false): string | null {
  const absent = programs.filter((program) => findProgram(program) === null);
  if (absent.length > 0) return `${absent.join(', ')} not installed (Debian package ${debianPackage})`;
  if (needsRoot && !isRoot) return 'needs root (the server drops privileges to its own user)';
  return null;
}

function program(name: string): string {
  const path = findProgram(name);
  if (path === null) throw new Error(`${name} is not installed`);
  return path;
}

/** Stops the process group leader by pid: a polite signal, then SIGKILL after `graceMs`. */
async function stop(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, 'exit');
  process.kill(child.pid, signal);
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

interface StartSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly port: number;
  readonly dir: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
  readonly cwd?: string;
  /** How long the server may take to accept (RabbitMQ boots an Erlang VM: seconds). */
  readonly readyMs?: number;
  readonly stopSignal?: NodeJS.Signals;
  /** Other processes of ours to stop after the server (an epmd). */
  readonly companions?: readonly ChildProcess[];
}

/** Starts one server, waits until its port accepts, and returns its disposer. */
async function start(spec: StartSpec): Promise<RealServer> {
  const output: Buffer[] = [];
  const child = spawn(spec.command, [...spec.args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: spec.cwd ?? spec.dir,
    env: { ...process.env, ...spec.env },
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  });
  // Keep the last few KiB of its output for the error message when it does not come up.
  const keep = (chunk: Buffer): void => {
    output.push(chunk);
    if (output.length > 64) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const dispose = async (): Promise<void> => {
    await stop(child, spec.stopSignal ?? 'SIGTERM', 5000);
    for (const companion of spec.companions ?? []) await stop(companion, 'SIGTERM', 2000);
    rmSync(spec.dir, { recursive: true, force: true });
  };
  if (child.pid === undefined) {
    await dispose();
    throw new Error(`${spec.name} did not start`);
  }
  try {
    await waitUntilAccepting(spec.port, spec.readyMs ?? 10_000, child);
  } catch (error) {
    await dispose();
    throw new Error(`${spec.name}: ${(error as Error).message}\n${Buffer.concat(output).toString('utf8').slice(-2000)}`);
  }
  return { name: spec.name, port: spec.port, pid: child.pid, [Symbol.asyncDispose]: dispose };
}

/** waitForPort, in rounds of its ~5 s, up to `ms`; fails at once when the server has exited. */
async function waitUntilAccepting(port: number, ms: number, child: ChildProcess): Promise<void> {
  const end = performance.now() + ms;
  for (let round = 0; round < 20; round++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before accepting on port ${port}`);
    try {
      await waitForPort(port);
      return;
    } catch (error) {
      if (performance.now() >= end) throw error;
    }
  }
  throw new Error(`nothing accepted on port ${port}`);
}

function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `pd-fp-${name}-`));
}

/** A uid/gid of a system user (postgres, nobody), for servers that refuse to run as root. */
function idsOf(user: string): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export async function startRedis(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('redis');
  return start({ name: 'redis-server', command: program('redis-server'), args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], port, dir });
}

export async function startMemcached(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('memcached');
  // -U 0: no UDP. As root memcached insists on -u; elsewhere it runs as whoever starts it.
  const user = isRoot ? ['-u', 'nobody'] : [];
  return start({ name: 'memcached', command: program('memcached'), args: [...user, '-l', '127.0.0.1', '-p', String(port), '-U', '0'], port, dir });
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user. */
export async function startPostgres(options: { ssl?: boolean } = {}): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('postgres');
  const ids = isRoot ? idsOf(process.env.PD_POSTGRES_USER ?? 'postgres') : { uid: userInfo().uid, gid: userInfo().gid };
  chownSync(dir, ids.uid, ids.gid);
  const data = join(dir, 'data');
  execFileSync(program('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { uid: ids.uid, gid: ids.gid, stdio: 'ignore', timeout: 60_000, cwd: dir });
  const args = ['-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off'];
  if (options.ssl === true) {
    const cert = selfSignedCert();
    writeFileSync(join(dir, 'server.crt'), cert.cert);
    writeFileSync(join(dir, 'server.key'), cert.key, { mode: 0o600 });
    chownSync(join(dir, 'server.crt'), ids.uid, ids.gid);
    chownSync(join(dir, 'server.key'), ids.uid, ids.gid);
    args.push('-c', 'ssl=on', '-c', `ssl_cert_file=${join(dir, 'server.crt')}`, '-c', `ssl_key_file=${join(dir, 'server.key')}`);
  }
  // SIGINT is PostgreSQL's "fast shutdown": backends end, the postmaster exits.
  return start({ name: 'postgres', command: program('postgres'), args, port, dir, uid: ids.uid, gid: ids.gid, stopSignal: 'SIGINT', readyMs: 30_000 });
}

/** One nginx, no master process, serving `servers` (each a `server { … }` block with PORT in it). */
async function startNginxWith(name: string, port: number, dir: string, server: string): Promise<RealServer> {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${join(dir, kind)};`).join(' ');
  const config = [
    'daemon off; master_process off; worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')};`,
    'events { worker_connections 64; }',
    `http { access_log off; ${temp} ${server} }`,
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), config);
  return start({ name, command: program('nginx'), args: ['-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], port, dir, stopSignal: 'SIGTERM' });
}

/** nginx with plain HTTP/1.1 (answers 204). */
export async function startNginx(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('nginx');
  return startNginxWith('nginx', port, dir, `server { listen 127.0.0.1:${port}; location / { return 204; } }`);
}

/** nginx with TLS and HTTP/2 (ALPN h2), certificate CN=portdoctor-test. */
export async function startNginxTls(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('nginx-tls');
  const cert = selfSignedCert();
  writeFileSync(join(dir, 'cert.pem'), cert.cert);
  writeFileSync(join(dir, 'key.pem'), cert.key);
  return startNginxWith(
    'nginx (TLS, h2)',
    port,
    dir,
    `server { listen 127.0.0.1:${port} ssl http2; ssl_certificate ${join(dir, 'cert.pem')}; ssl_certificate_key ${join(dir, 'key.pem')}; location / { return 204; } }`,
  );
}

/** nginx with HTTP/2 over plain TCP (prior knowledge, as gRPC clients use it). */
export async function startNginxH2c(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('nginx-h2c');
  return startNginxWith('nginx (h2c)', port, dir, `server { listen 127.0.0.1:${port} http2; location / { return 204; } }`);
}

/** OpenSSH's sshd in the foreground with a throwaway host key; no config file, no logins possible. */
export async function startSshd(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('sshd');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')], { stdio: 'ignore', timeout: 10_000 });
  // sshd checks that its privilege-separation directory exists (Debian's service creates it at boot).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  return start({
    name: 'sshd',
    command: program('sshd'),
    args: ['-D', '-e', '-f', '/dev/null', '-h', join(dir, 'host_key'), '-o', 'ListenAddress=127.0.0.1', '-p', String(port), '-o', 'PidFile=none'],
    port,
    dir,
  });
}

/**
 * mariadbd's arguments for a server of ours: everything in `dir` (data/, socket, pid file, error
 * log), on 127.0.0.1:port, small and fast; `access` says how accounts are checked.
 */
export function mariadbArgs(dir: string, port: number, access: '--skip-grant-tables' | '--skip-name-resolve'): string[] {
  return [
    '--no-defaults',
    ...(isRoot ? ['--user=root'] : []),
    `--datadir=${join(dir, 'data')}`,
    access,
    '--bind-address=127.0.0.1',
    `--port=${port}`,
    `--socket=${join(dir, 'mariadb.sock')}`,
    `--pid-file=${join(dir, 'mariadb.pid')}`,
    '--innodb-buffer-pool-size=8M',
    '--skip-log-bin',
    `--log-error=${join(dir, 'error.log')}`,
  ];
}

/**
 * MariaDB on an empty data directory with --skip-grant-tables: it greets like any MariaDB (the
 * greeting is all the fingerprint reads) and comes up in about a second, without install-db.
 */
export async function startMariadb(): Promise<RealServer> {
  const port = await freePort();
  const dir = tempDir('mariadb');
  mkdirSync(join(dir, 'data'));
  return start({
    name: 'mariadbd',
    command: program('mariadbd'),
    args: mariadbArgs(dir, port, '--skip-grant-tables'),
    port,
    dir,
    readyMs: 30_000,
  });
}

const RABBITMQ_SCRIPT = '/usr/lib/rabbitmq/bin/rabbitmq-server';

/**
 * RabbitMQ with its own epmd (on a free port, stopped with it), its own node name, data and log
 * folders, no plugins. RUNNING_UNDER_SYSTEMD makes the start script exec the Erlang VM, so the
 * pid we hold is the broker's.
 */
export async function startRabbitmq(): Promise<RealServer> {
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  const dir = tempDir('rabbitmq');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const epmd = spawn(program('epmd'), ['-port', String(epmdPort), '-address', '127.0.0.1'], { stdio: 'ignore' });
  const node = `pdfp${port}@localhost`;
  const env: NodeJS.ProcessEnv = {
    HOME: dir,
    RUNNING_UNDER_SYSTEMD: 'true',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  // /usr/sbin/rabbitmq-server is Debian's wrapper that su's to the rabbitmq user; the script behind it runs the broker.
  const script = existsSync(RABBITMQ_SCRIPT) ? RABBITMQ_SCRIPT : program('rabbitmq-server');
  return start({ name: 'rabbitmq-server', command: script, args: [], port, dir, env, readyMs: 60_000, stopSignal: 'SIGKILL', companions: [epmd] });
}
