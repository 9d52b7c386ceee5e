/**
 * What listens, read from /proc the way portdoctor does: a process's listening sockets (its fds'
 * inodes matched in the tables of its own network namespace), the holders of a port among a set of
 * pids, and a process's argv. For the forwarder tests, which compare a command line's meaning with
 * what the kernel says the program really bound.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseProcNet } from '../../src/platform/linux/proc-net.js';
import { socketInodesOf } from '../../src/platform/linux/process-sockets.js';
import type { Protocol } from '../../src/types.js';
import { netnsOf } from './docker-ns.js';

export interface Listener {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
}

const TABLES = [
  ['tcp', 'tcp', 'ipv4'],
  ['tcp6', 'tcp', 'ipv6'],
  ['udp', 'udp', 'ipv4'],
  ['udp6', 'udp', 'ipv6'],
] as const;

/** Listening (TCP LISTEN, UDP unconnected) sockets in the namespace of `pid`; with `inodes`, only those. */
export function listenersInNetnsOf(pid: number, inodes?: ReadonlySet<number>): (Listener & { inode: number })[] {
  const found: (Listener & { inode: number })[] = [];
  for (const [file, protocol, family] of TABLES) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${file}`, 'latin1');
    } catch {
      continue;
    }
    for (const row of parseProcNet(text, protocol, family, { listeningOnly: true, portFrom: 0, portTo: 65535 })) {
      if (inodes === undefined || inodes.has(row.inode)) found.push({ protocol, address: row.address, port: row.port, inode: row.inode });
    }
  }
  return found;
}

/** The sockets a process itself listens on. */
export function listenersOf(pid: number): Listener[] {
  const inodes = socketInodesOf(pid);
  if (inodes === null) return [];
  return listenersInNetnsOf(pid, inodes).map(({ protocol, address, port }) => ({ protocol, address, port }));
}

/** The argv of a process (/proc/PID/cmdline split on NUL). */
export function argvOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
}

/** /proc/PID/comm. */
export function commOf(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}

/** Pids whose network namespace is `inode`. */
export function pidsInNetns(inode: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => netnsOf(pid) === inode);
}

/** The processes in the namespace that listen on the port (and protocol), with the matching sockets. */
export function holdersOf(netnsInode: number, port: number, protocol: Protocol = 'tcp'): { pid: number; sockets: Listener[] }[] {
  const holders: { pid: number; sockets: Listener[] }[] = [];
  for (const pid of pidsInNetns(netnsInode)) {
    const sockets = listenersOf(pid).filter((l) => l.port === port && l.protocol === protocol);
    if (sockets.length > 0) holders.push({ pid, sockets });
  }
  return holders;
}
