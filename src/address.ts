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
 * Canonical text as glibc's inet_ntop writes it (and so `ss`, our ground truth): lower case,
 * leading zeros dropped, the longest run (≥ 2) of zero groups replaced by "::" (the first on a
 * tie, as RFC 5952 says), and the last 32 bits in dotted form for IPv4-mapped (`::ffff:a.b.c.d`)
 * and the deprecated IPv4-compatible addresses (`::a.b.c.d`, not `::` or `::1`).
 *
 * @example
 * formatIPv6Bytes(parseIPv6Bytes('0:0:0:0:0:ffff:7f00:1')); // '::ffff:127.0.0.1'
 */
export function formatIPv6Bytes(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
    const prefix = bestLength === 6 ? '::' : '::ffff:';
    return `${prefix}${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
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
