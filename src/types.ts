/**
 * The data portdoctor talks about. Everything here is plain, readonly, JSON-serialisable data:
 * the JSON printed by `--json` is these values as they are, so field names are a public contract
 * (add fields, never rename).
 */

import type { SocketForward } from './forwarders/types.js';

declare const portBrand: unique symbol;
declare const pidBrand: unique symbol;

/** A TCP/UDP port number, 0–65535 (0 only where "let the kernel choose" makes sense). */
export type Port = number & { readonly [portBrand]: true };
/** A process id. */
export type Pid = number & { readonly [pidBrand]: true };

export type Protocol = 'tcp' | 'udp';
export type Family = 'ipv4' | 'ipv6';

/**
 * Socket states, spelled the way `ss` spells them. UDP sockets that are bound but not
 * connected are UNCONN (the kernel reports them as TCP_CLOSE); connected UDP sockets are ESTAB.
 */
export type SocketState =
  | 'ESTAB'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'UNCONN'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'LISTEN'
  | 'CLOSING'
  | 'NEW-SYN-RECV'
  | 'UNKNOWN';

/** A network namespace (Linux), as seen from /proc/<pid>/ns/net. */
export interface NetnsRef {
  /** The namespace's inode number (what `readlink /proc/<pid>/ns/net` shows as net:[ID]). */
  readonly id: number;
  /** True when this is the namespace portdoctor itself runs in. */
  readonly current: boolean;
  /** `ip netns` name, or the container id, when one is known. */
  readonly name: string | null;
}

/** A process that holds a socket (has an fd pointing at its inode). */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** The short name (Linux: /proc/<pid>/comm; macOS: the executable's name; Windows: the image name). */
  readonly name: string;
  /** The full command line, arguments joined by spaces; the name in brackets for kernel threads. */
  readonly command: string;
  readonly user: string;
  readonly uid: number;
  /** One letter, as in /proc/<pid>/stat: R running, S sleeping, D disk sleep, T stopped, t traced, Z zombie, … ('?' when the OS did not say). */
  readonly state: string;
  /** ISO-8601 start time, or null when it could not be computed. */
  readonly startedAt: string | null;
  /** Linux: the systemd unit (from /proc/<pid>/cgroup), e.g. `nginx.service`. Absent on other OSes. */
  readonly unit?: string | null;
  /** The container id (64 hex) when the cgroup path names one. */
  readonly container: string | null;
  /** OS-specific facts (macOS: the launchd job; Windows: the executable path and the services it hosts). */
  readonly details?: ProcessDetailsOfOs;
}

/** A host port a container publishes, forwarded by the process that holds it (Docker Desktop). */
export interface ContainerPublish {
  readonly port: number;
  readonly protocol: Protocol;
  /** The host address of the mapping (`0.0.0.0`, `::`, `127.0.0.1`). */
  readonly hostAddress: string;
  readonly containerPort: number;
  readonly container: string;
  readonly containerId: string;
  readonly image: string;
}

/** What one OS adds about a process. */
export type ProcessDetailsOfOs =
  | {
      readonly os: 'darwin';
      /** The launchd job (label) that runs it, from `launchctl list`; null when none is known. */
      readonly launchdJob?: string | null;
      /** The Homebrew formula when it runs as a Homebrew service (`brew services stop NAME`). */
      readonly homebrewService?: string | null;
      /** Docker Desktop: the container ports it publishes (from `docker ps`). */
      readonly publishes?: readonly ContainerPublish[];
    }
  | { readonly os: 'win32'; readonly executable?: string | null; readonly services?: readonly string[] };

export interface SocketQueue {
  /** For LISTEN: connections waiting in the accept queue. Otherwise bytes in the receive queue. */
  readonly recv: number;
  /** For LISTEN: the backlog (max accept queue length). Otherwise bytes in the send queue. */
  readonly send: number;
}

/** One socket, as the kernel reports it, with the processes that hold it. */
export interface Socket {
  readonly protocol: Protocol;
  readonly family: Family;
  /** Local address, numeric (`0.0.0.0`/`::` for wildcards; IPv6 in canonical compressed form). */
  readonly address: string;
  readonly port: number;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly state: SocketState;
  readonly uid: number;
  /** User name of `uid`, or the uid as a string when unknown. */
  readonly user: string;
  /** Linux: the socket's inode (what its holders' fds point at). Absent on other OSes. */
  readonly inode?: number;
  /** Linux: the network namespace the socket lives in. Absent on OSes without them. */
  readonly netns?: NetnsRef;
  readonly queue: SocketQueue;
  /**
   * True when the socket exists but none of its holders could be seen because the OS does not
   * show us other users' processes (Linux: their /proc/<pid>/fd; macOS: lsof without root).
   */
  readonly ownerHidden: boolean;
  readonly processes: readonly ProcessInfo[];
  /**
   * Where the holder sends the connections, when it is a known forwarder (docker-proxy, ssh -L,
   * socat, …): set by `who`, `ls`, `kill` and the doctor; absent for every other holder.
   */
  readonly forward?: SocketForward;
}

/**
 * The outcome of a collector: a value, or why it could not be had and what would help. Collectors
 * never throw for expected failures (not root, a tool missing): a doctor must keep going.
 */
export type Collected<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly hint: string };

export type Severity = 'error' | 'warning' | 'info';

/** A problem (or a noteworthy fact) the doctor can name. `code` is a stable public identifier. */
export interface Finding {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  /** For a person: the command to run, or what to check next. Always a string. */
  readonly fix: string;
  readonly evidence: Readonly<Record<string, unknown>>;
}
