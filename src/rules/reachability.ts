import { isIP } from 'node:net';
import type { ProbeAttempt } from '../collectors/probe.js';
import type { DoctorFacts } from '../doctor/types.js';
import type { Socket } from '../types.js';
import { covers, familyOfAddress, listeners } from './helpers.js';

/**
 * Which listeners a client's attempts could reach. A `::` listener takes IPv4 clients only when
 * it is dual-stack; /proc does not say, so the probe decides: an IPv4 attempt that was refused
 * while only `::` listens proves the socket is IPv6-only.
 */
export function reaches(listener: Socket, attempt: ProbeAttempt): boolean {
  if (!covers(listener.address, attempt.address)) return false;
  if (listener.address === '::' && isIP(attempt.address) === 4) return attempt.status !== 'refused';
  return true;
}

export interface Reachability {
  readonly attempts: readonly ProbeAttempt[];
  readonly listeners: readonly Socket[];
  /** Listeners at least one attempted address reaches. */
  readonly reached: readonly Socket[];
  /** The client's first attempt, and whether a listener is behind it. */
  readonly firstCovered: boolean;
}

export function reachability(facts: DoctorFacts): Reachability | null {
  if (facts.probe === null || facts.probe.attempts.length === 0) return null;
  const attempts = facts.probe.attempts;
  const all = listeners(facts, { current: true });
  const reached = all.filter((l) => attempts.some((a) => reaches(l, a)));
  const first = attempts[0]!;
  return { attempts, listeners: all, reached, firstCovered: all.some((l) => reaches(l, first)) };
}

/** The family a listener serves: `::` counts as both, since it is dual-stack unless IPv6-only. */
export function servesFamily(listener: Socket, family: 'ipv4' | 'ipv6'): boolean {
  return listener.address === '::' || familyOfAddress(listener.address) === family;
}
