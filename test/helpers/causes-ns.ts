import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Situation } from './doctor-ns.js';
import { findProgram, mariadbArgs } from './services.js';

/**
 * Building blocks of the issue-14 situations: a link between two namespaces (a proxy on
 * "another machine"), an extra local address, tinyproxy, PostgreSQL and MariaDB set up inside a
 * namespace with the settings under test. Everything lives in the Situation's namespace and
 * temporary directories, and goes with it.
 */
export const HOST_CHECK_SERVER = fileURLToPath(new URL('./host-check-server.mjs', import.meta.url));

const suffix = (): string => Math.random().toString(36).slice(2, 7);

/**
 * A veth pair between two namespaces, `a` getting 10.X.Y.1/30 and `b` 10.X.Y.2/30 (a random /30
 * in 10.213.0.0/16); deleting either namespace deletes the pair.
 */
export function link(a: Situation, b: Situation): { a: string; b: string } {
  const n = Math.floor(Math.random() * 16000) * 4;
  const base = `10.213.${Math.floor(n / 256)}.${n % 256}`;
  const [, , third, fourth] = base.split('.').map(Number) as [number, number, number, number];
  const addrA = `10.213.${third}.${fourth + 1}`;
  const addrB = `10.213.${third}.${fourth + 2}`;
  const id = suffix();
  const [ifA, ifB] = [`pdc${id}a`, `pdc${id}b`];
  execFileSync('ip', ['link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB], { timeout: 10_000 });
  execFileSync('ip', ['link', 'set', ifA, 'netns', a.name], { timeout: 10_000 });
  execFileSync('ip', ['link', 'set', ifB, 'netns', b.name], { timeout: 10_000 });
  for (const [ns, dev, addr] of [[a.name, ifA, addrA], [b.name, ifB, addrB]] as const) {
    execFileSync('ip', ['-n', ns, 'addr', 'add', `${addr}/30`, 'dev', dev], { timeout: 10_000 });
    execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'up'], { timeout: 10_000 });
  }
  return { a: addrA, b: addrB };
}

/**
 * A local address that is not a loopback address (10.214.N.1/32, added to lo: not every kernel
 * has dummy interfaces): connections to it come from it, and servers that trust only 127.0.0.1
 * and ::1 see a foreign client.
 */
export function localAddress(s: Situation): string {
  const address = `10.214.${Math.floor(Math.random() * 250) + 1}.1`;
  execFileSync('ip', ['-n', s.name, 'addr', 'add', `${address}/32`, 'dev', 'lo'], { timeout: 10_000 });
  return address;
}

/** tinyproxy's configuration for a foreground proxy on address:port that lets `allow` in. */
export function tinyproxyConfig(dir: string, address: string, port: number, allow: string): string {
  const file = join(dir, 'tinyproxy.conf');
  writeFileSync(file, [`Port ${port}`, `Listen ${address}`, 'Timeout 5', `Allow ${allow}`, 'MaxClients 20', 'LogLevel Info', ''].join('\n'));
  return file;
}

/** ids of a system user, for servers that will not run as root. */
function ids(user: string): { uid: number; gid: number } {
  return { uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()) };
}

/**
 * A PostgreSQL cluster in `dir` whose pg_hba.conf has only the given lines (owned by the
 * postgres user), and the argv that runs it inside the namespace on 127.0.0.1:port.
 */
export function postgresCluster(dir: string, port: number, hbaLines: readonly string[]): string[] {
  const owner = ids('postgres');
  chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  execFileSync(findProgram('initdb')!, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'], { uid: owner.uid, gid: owner.gid, stdio: 'ignore', timeout: 60_000, cwd: dir });
  writeFileSync(join(data, 'pg_hba.conf'), `${hbaLines.join('\n')}\n`);
  chownSync(join(data, 'pg_hba.conf'), owner.uid, owner.gid);
  return ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups', findProgram('postgres')!, '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off'];
}

/**
 * A MariaDB data directory made by mariadb-install-db (root@localhost only, by unix_socket), and
 * the argv of a server that skips name resolution: a TCP client on 127.0.0.1 then matches no
 * account, and the server answers error 1130.
 */
export function mariadbDatadir(dir: string, port: number): string[] {
  const data = join(dir, 'data');
  mkdirSync(data);
  const install = spawnSync(findProgram('mariadb-install-db')!, ['--no-defaults', '--user=root', `--datadir=${data}`, '--auth-root-authentication-method=socket', '--skip-test-db'], { encoding: 'utf8', timeout: 120_000 });
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
  return [findProgram('mariadbd')!, ...mariadbArgs(dir, port, '--skip-name-resolve')];
}

/** Why an optional program is missing (for a visible skip), or null. */
export function absent(program: string, debianPackage: string): string | null {
  return findProgram(program) === null ? `${program} not installed (Debian package ${debianPackage})` : null;
}
