import type { Port, Protocol, Socket } from '../types.js';

/** Which sockets a caller wants. Filters are applied while parsing, before any process lookup. */
export interface SocketQuery {
  /** Default both. */
  readonly protocols?: readonly Protocol[];
  /** Keep only sockets whose local port is in [from, to]. */
  readonly ports?: { readonly from: number; readonly to: number } | readonly Port[];
  /** 'listening' (default): TCP LISTEN and UDP sockets that are not connected. 'all': every socket. */
  readonly states?: 'listening' | 'all';
  /** Read every network namespace in use (needs root to see other processes' namespaces). */
  readonly allNetns?: boolean;
  /**
   * 'brief' leaves out each process's systemd unit and container (null), which costs one file
   * read per process: for output that does not show them. Default 'full'.
   */
  readonly processDetails?: 'full' | 'brief';
  /** Attribute sockets to processes (the /proc/<pid>/fd scan). Default true. */
  readonly withProcesses?: boolean;
  /**
   * Look up the accept backlog of TCP listeners (queue.send). Default true. It costs a child
   * process (`ss -ltneH`, ~5-10 ms, more with 20,000 listeners), and the human tables do not show it.
   */
  readonly withBacklog?: boolean;
}

export interface ScanStats {
  /** Processes whose fd table we read. */
  readonly processesScanned: number;
  /** Processes we could not read (another user's, and we are not root). */
  readonly processesHidden: number;
  /** Processes that exited between listing /proc and reading them. */
  readonly processesVanished: number;
  /** Network namespaces whose tables were read. */
  readonly namespaces: number;
  /** True when we are root (or can read every process). */
  readonly privileged: boolean;
}

export interface SocketInventory {
  readonly sockets: readonly Socket[];
  readonly stats: ScanStats;
}

/** What each OS back-end provides. Linux reads /proc; macOS and Windows come later. */
export interface PlatformBackend {
  readonly name: 'linux' | 'darwin' | 'win32';
  listSockets(query: SocketQuery): Promise<SocketInventory>;
}
