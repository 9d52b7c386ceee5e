/**
 * `sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last net.inet.ip.portrange.hifirst
 * net.inet.ip.portrange.hilast` (or `sysctl -a`): `name: value` lines. On macOS the ephemeral
 * (anonymous) ports a connect() or bind(port 0) gets come from first–last; hifirst–hilast is the
 * "high" range an application can ask for with IP_PORTRANGE. Both default to 49152–65535.
 */

export interface PortRangeSettings {
  readonly first: number | null;
  readonly last: number | null;
  readonly hifirst: number | null;
  readonly hilast: number | null;
}

type Key = keyof PortRangeSettings;
const LINE = /^net\.inet\.ip\.portrange\.(first|last|hifirst|hilast)\s*[:=]\s*(\S+)\s*$/;

/**
 * Reads the four port-range values; a value that is missing or not a port is null.
 *
 * @example
 * parsePortRange('net.inet.ip.portrange.first: 49152\nnet.inet.ip.portrange.last: 65535\n');
 * // { first: 49152, last: 65535, hifirst: null, hilast: null }
 */
export function parsePortRange(text: string): PortRangeSettings {
  const values: Record<Key, number | null> = { first: null, last: null, hifirst: null, hilast: null };
  for (const line of text.split('\n')) {
    const match = LINE.exec(line.trim());
    if (match === null) continue;
    const key = match[1] as Key;
    const value = match[2] ?? '';
    values[key] = /^\d{1,5}$/.test(value) && Number(value) <= 65535 ? Number(value) : null;
  }
  return values;
}
