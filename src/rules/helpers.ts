import { isIP } from 'node:net';
import type { DoctorFacts } from '../doctor/types.js';
import { inCurrentNetns, isListening } from '../inventory.js';
import { unmapIPv4 } from '../address.js';
import { knownHolderOf } from '../platform/known-holders.js';
import { numericAddress } from '../render/address.js';
import type { Finding, Severity, Socket } from '../types.js';

/** Builds a finding; every field is required so none is forgotten. */
export function finding(code: string, severity: Severity, title: string, detail: string, fix: string, evidence: Record<string, unknown>): Finding {
  return { code, severity, title, detail, fix, evidence };
}

/** Listeners (TCP LISTEN, bound UDP) on the target port, filtered. */
export function listeners(facts: DoctorFacts, options: { current?: boolean; protocol?: 'target' | 'other' | 'any' } = {}): Socket[] {
  const protocol = options.protocol ?? 'target';
  return facts.sockets.filter(
    (s) =>
      isListening(s) &&
      s.port === facts.target.port &&
      (options.current === undefined || inCurrentNetns(s) === options.current) &&
      (protocol === 'any' || (protocol === 'target' ? s.protocol === facts.target.protocol : s.protocol !== facts.target.protocol)),
  );
}

/** "node (pid 4242, user alice)" or "a process of user root (hidden: run with sudo)". */
export function holderText(socket: Socket): string {
  const first = socket.processes[0];
  if (first === undefined) return socket.ownerHidden ? `a process of user ${socket.user} (run with sudo to see which)` : `no visible process (user ${socket.user})`;
  const more = socket.processes.length > 1 ? ` and ${socket.processes.length - 1} more process${socket.processes.length > 2 ? 'es' : ''}` : '';
  return `${first.name} (pid ${first.pid}, user ${first.user})${more}`;
}

/** Evidence form of a socket: the facts a reader or a script needs, no more. */
export function socketEvidence(socket: Socket): Record<string, unknown> {
  return {
    protocol: socket.protocol,
    family: socket.family,
    address: socket.address,
    port: socket.port,
    state: socket.state,
    netns: socket.netns,
    pids: socket.processes.map((p) => p.pid),
    processes: socket.processes.map((p) => ({ pid: p.pid, name: p.name, command: p.command, user: p.user, state: p.state, unit: p.unit, container: p.container })),
    user: socket.user,
    ownerHidden: socket.ownerHidden,
    queue: socket.queue,
  };
}

export const where = (socket: Socket): string => `${socket.protocol.toUpperCase()} ${numericAddress(socket.address, socket.port)}`;

export const familyOfAddress = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 && unmapIPv4(address) === null ? 'ipv6' : 'ipv4');

/**
 * Would a client connecting to `address` reach a socket listening on `listener`? Same address, or
 * the wildcard of its family; `::` also takes IPv4 unless the socket is IPv6-only, which /proc
 * does not tell, so it counts as covering (the probe confirms).
 */
export function covers(listener: string, address: string): boolean {
  const target = unmapIPv4(address) ?? address;
  if (listener === target) return true;
  if (listener === '0.0.0.0') return isIP(target) === 4;
  if (listener === '::') return true;
  return false;
}

/** The fix line for "kill the holder or pick another port". */
export function freeFix(port: number): string {
  return `Stop the holder with 'portdoctor kill ${port}', or pick a free port with 'portdoctor free'.`;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The proper way to free the port when its holder is a known one (AirPlay Receiver, docker-proxy, …). */
export function knownHolderFix(facts: DoctorFacts, socket: Socket | undefined): string | null {
  const proc = socket?.processes[0];
  if (socket === undefined || proc === undefined) return null;
  return knownHolderOf(facts.os, proc, socket.port, socket)?.fix ?? null;
}
