import { platform } from '../platform/index.js';
import type { PortSettings } from '../platform/types.js';
import type { Collected } from '../types.js';

export type { PortSettings, PortSpan, ExcludedPortRange } from '../platform/types.js';

/**
 * The OS's port policy: the ephemeral range, reserved and excluded ports, the privileged limit,
 * and whether IPv6 is on. Fails (as a value) only when the ephemeral range itself is unreadable.
 *
 * @example
 * const settings = await collectPortSettings();
 * if (settings.ok) console.log(settings.value.ephemeralRange); // { from: 32768, to: 60999 } on Linux
 */
export async function collectPortSettings(options: { readonly procRoot?: string } = {}): Promise<Collected<PortSettings>> {
  return (await platform()).portSettings(options);
}
