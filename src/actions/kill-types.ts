import type { Family, Protocol } from '../types.js';

/**
 * What happened to one process `kill` meant to stop (public JSON contract, `killed[].result`):
 * - `stopped`: it no longer holds the port's socket (exited, or closed it);
 * - `already-gone`: it had exited, or its pid now belongs to another process, before we signalled;
 * - `permission-denied`: the kernel refused the signal (EPERM: another user's process);
 * - `still-holding`: it still holds the socket when the wait ended.
 */
export type KillResult = 'stopped' | 'already-gone' | 'permission-denied' | 'still-holding';

/**
 * Who restarts a process we stop, and the command that stops it for good:
 * a systemd unit, a container, docker's port forwarder, or another network namespace.
 */
export interface Supervision {
  readonly kind: 'systemd' | 'systemd-user' | 'container' | 'docker-proxy' | 'netns' | 'known-holder' | 'windows-service';
  /** Unit name, short container id, or namespace name. */
  readonly name: string;
  /** What to run instead of (or after) killing, for a person. */
  readonly advice: string;
}

/** A process in the plan: it holds a listening TCP or bound UDP socket on a requested port. */
export interface KillTarget {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly command: string;
  readonly user: string;
  readonly uid: number;
  readonly startedAt: string | null;
  readonly unit: string | null;
  readonly container: string | null;
  /** Linux: start time in clock ticks after boot, read right after the scan (null on other OSes). */
  readonly startTicks: number | null;
  /** The requested ports it holds. */
  readonly ports: readonly number[];
  /** Linux: the listening socket inodes it holds on those ports (what "still holds the port" checks). */
  readonly inodes: readonly number[];
  readonly sockets: readonly { readonly protocol: Protocol; readonly family: Family; readonly address: string; readonly port: number }[];
  readonly supervision: Supervision | null;
}

/** Why a holder is not signalled. */
export type SkipReason = 'pid-1' | 'self' | 'ancestor' | 'docker-proxy' | 'vanished' | 'known-holder' | 'protected' | 'forwarder';

export interface SkippedProcess {
  readonly pid: number;
  readonly name: string;
  readonly ports: readonly number[];
  readonly reason: SkipReason;
  readonly detail: string;
  /** The proper way to free the port instead (`docker stop web`), when the holder is a forwarder that is not signalled. */
  readonly stop?: string;
}

/** A listening socket whose owner we cannot see (another user's process and we are not root). */
export interface HiddenOwner {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
  readonly uid: number;
  readonly user: string;
}

/** What `kill` would do: computed from one socket scan, before any signal. */
export interface KillPlan {
  readonly ports: readonly number[];
  /** Ports with at least one listening socket (in any visible namespace). */
  readonly heldPorts: readonly number[];
  readonly targets: readonly KillTarget[];
  readonly skipped: readonly SkippedProcess[];
  readonly hidden: readonly HiddenOwner[];
}
