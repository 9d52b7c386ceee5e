import { isIP } from 'node:net';

/**
 * Small facts about IP address text that every layer needs (parsers, rules, actions); nothing
 * here knows the OS. Addresses are numeric strings as portdoctor reports them.
 */

/**
 * `::ffff:a.b.c.d` → `a.b.c.d` (an IPv4 client seen by a dual-stack socket), else null.
 *
 * @example
 * unmapIPv4('::ffff:127.0.0.1'); // '127.0.0.1'
 * unmapIPv4('::1');              // null
 */
export function unmapIPv4(address: string): string | null {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : null;
}

/**
 * Parses any valid IPv6 text (including "::" and embedded IPv4) into 16 bytes.
 *
 * @example
 * parseIPv6Bytes('::1').at(-1); // 1
 */
export function parseIPv6Bytes(address: string): number[] {
  let text = address;
  const tailBytes: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    for (const part of text.slice(lastColon + 1).split('.')) tailBytes.push(Number(part));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [headText = '', tailText] = text.split('::');
  const head = headText === '' ? [] : headText.split(':');
  const tail = tailText === undefined || tailText === '' ? [] : tailText.split(':');
  const missing = 8 - head.length - tail.length;
  const groups = [...head, ...Array<string>(tailText === undefined ? 0 : missing).fill('0'), ...tail].map((g) => parseInt(g, 16));
  const bytes: number[] = [];
  for (const g of groups) bytes.push((g >> 8) & 0xff, g & 0xff);
  if (tailBytes.length === 4) bytes.splice(12, 4, ...tailBytes);
  return bytes;
}

/**
 * True for IPv4 127.0.0.0/8, IPv6 ::1 (any spelling, with or without a zone) and IPv4-mapped
 * ::ffff:127.x.x.x: addresses whose traffic never leaves the machine.
 *
 * @example
 * isLoopbackAddress('127.0.1.1'); // true
 * isLoopbackAddress('0:0:0:0:0:0:0:1'); // true
 * isLoopbackAddress('192.0.2.1'); // false
 */
export function isLoopbackAddress(address: string): boolean {
  const bare = (address.split('%')[0] ?? '').toLowerCase();
  const family = isIP(bare);
  if (family === 4) return bare.startsWith('127.');
  if (family !== 6) return false;
  const mapped = unmapIPv4(bare);
  if (mapped !== null) return isIP(mapped) === 4 && mapped.startsWith('127.');
  const bytes = parseIPv6Bytes(bare);
  return bytes.slice(0, 15).every((byte) => byte === 0) && bytes[15] === 1;
}
