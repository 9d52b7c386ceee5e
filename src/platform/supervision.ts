import type { Supervision } from '../actions/kill-types.js';
import type { ProcessInfo, Socket } from '../types.js';
import { knownHolderOf } from './known-holders.js';
import { linuxSupervision } from './linux/supervision.js';
import type { OsName } from './types.js';

/**
 * Who would restart (or really owns) a process, and the command that stops it properly, on `os`:
 * a known holder (AirPlay Receiver, Docker Desktop, HTTP.sys, …), then the OS's service manager
 * (systemd units and containers on Linux, Windows services). Pure.
 *
 * @example
 * supervisionFor('linux', proc, socket, false)?.advice; // 'systemctl stop nginx.service'
 */
export function supervisionFor(os: OsName, proc: ProcessInfo, socket: Socket, userManaged: boolean): Supervision | null {
  if (os === 'linux') return linuxSupervision(proc, socket, userManaged);
  const known = knownHolderOf(os, proc, socket.port, socket);
  if (known !== null) return { kind: 'known-holder', name: known.what, advice: known.fix };
  const services = proc.details?.os === 'win32' ? (proc.details.services ?? []) : [];
  if (services.length > 0) return { kind: 'windows-service', name: services.join(', '), advice: services.map((s) => `Stop-Service ${s}`).join('; ') };
  return null;
}

/**
 * What to run instead of killing a listener in another network namespace (Linux): stop its
 * container, or kill it from inside the namespace.
 */
export function otherNetnsAdvice(os: OsName, holder: { readonly port: number; readonly netnsName: string | null; readonly container: string | null; readonly pid: number | null }): string {
  if (holder.container !== null) return `docker stop ${holder.container.slice(0, 12)}`;
  if (os === 'linux' && holder.netnsName !== null) return `ip netns exec ${holder.netnsName} portdoctor kill ${holder.port}`;
  return `portdoctor kill ${holder.port} --all-netns${holder.pid === null ? '' : ` (pid ${holder.pid})`}`;
}

/** How to stop for good a listener that came back after a kill: its systemd unit or its container. */
export function respawnAdvice(os: OsName, holder: { readonly unit: string | null; readonly container: string | null }): string | null {
  if (os === 'linux' && holder.unit !== null) return `systemctl stop ${holder.unit}`;
  if (holder.container !== null) return `docker stop ${holder.container.slice(0, 12)}`;
  return null;
}
