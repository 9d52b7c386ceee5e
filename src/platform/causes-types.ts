import type { Collected } from '../types.js';

/**
 * What the doctor asks the OS to name the causes of issue 14 (a proxy in a client's environment,
 * a server out of file descriptors, a socket-activating service manager, TIME-WAIT reuse). Each
 * answer is a value or an honest "not available here": an OS without the source says so.
 */

/** A process's open file descriptors against its limit (RLIMIT_NOFILE). */
export interface OpenFiles {
  readonly pid: number;
  /** Descriptors open now. */
  readonly open: number;
  /** The soft limit, which EMFILE is measured against; null when unlimited. */
  readonly softLimit: number | null;
  /** The hard limit: how far the process (or its starter) may raise the soft one; null when unlimited. */
  readonly hardLimit: number | null;
}

/** One listening socket of a socket-activation unit, as the service manager lists it. */
export interface SocketUnit {
  /** As the service manager prints it: `127.0.0.1:8080`, `[::]:22`, `0.0.0.0:631`, `/run/dbus/system_bus_socket`. */
  readonly listen: string;
  /** For an IP socket: its address (`::`, `0.0.0.0`, `127.0.0.1`) and port; null for a path, an abstract name, netlink. */
  readonly address: string | null;
  readonly port: number | null;
  /** The unit that owns the socket, e.g. `sshd.socket`. */
  readonly unit: string;
  /** The units it starts on a connection (empty for `Accept=yes` templates, which the list leaves blank). */
  readonly activates: readonly string[];
}

/** The environment of a process, by variable name. */
export type ProcessEnvironment = Readonly<Record<string, string>>;

/** The OS sources of the cause checks. */
export interface CauseSources {
  /** The environment another process was started with (Linux: /proc/PID/environ). Never recorded in snapshots. */
  environment(pid: number): Promise<Collected<ProcessEnvironment>>;
  /** How many descriptors a process has open, and its limit. */
  openFiles(pid: number): Promise<Collected<OpenFiles>>;
  /** The socket units of the system service manager and what they listen on. */
  socketUnits(): Promise<Collected<readonly SocketUnit[]>>;
  /** Whether new outgoing connections may take a port still in TIME-WAIT (Linux: net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only). */
  timeWaitReuse(): Promise<Collected<number>>;
}

/** A source this OS (or a replay) cannot answer: the same wording everywhere. */
export function notAvailable<T>(what: string, where: string, hint: string): Collected<T> {
  return { ok: false, reason: `${what} cannot be read ${where}.`, hint };
}
