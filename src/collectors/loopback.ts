import { platform } from '../platform/index.js';
import type { LoopbackFacts, LoopbackOptions } from '../platform/types.js';
import type { Collected } from '../types.js';

export type { LoopbackFacts, LoopbackOptions, LoopbackIpv6Address, InterfaceAddress } from '../platform/types.js';

/**
 * The state of the loopback interface: up or down, its IPv4 and IPv6 addresses, and whether IPv6
 * is switched off. Never throws; fails (as a value) only when the interface cannot be read.
 *
 * @example
 * const lo = await collectLoopback();
 * if (lo.ok && !lo.value.up) console.log(`${lo.value.name} is down`);
 */
export async function collectLoopback(options: LoopbackOptions = {}): Promise<Collected<LoopbackFacts>> {
  return (await platform()).loopback(options);
}
