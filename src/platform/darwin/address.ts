import { isIPv4 } from 'node:net';
import { formatIPv6Bytes, parseIPv6Bytes } from '../../address.js';
import type { Family } from '../../types.js';

/**
 * Address text as macOS tools print it, turned into the numeric, canonical form portdoctor reports
 * (`0.0.0.0`/`::` for wildcards, IPv6 compressed as inet_ntop does, a zone kept as `%lo0`).
 *
 * Two spellings meet here: netstat's `host.port` (a DOT before the port, for IPv6 too, and `*` for
 * "any") and lsof's `host:port` / `[v6]:port`. lsof also shows link-local IPv6 addresses the way
 * the BSD kernel stores them, with the interface index embedded in the second 16-bit group
 * ("KAME" form, `fe80:5::1` for `fe80::1` on interface 5); netstat undoes that before printing.
 */

/**
 * A table of 2,000 sockets names the same few addresses again and again, and reading IPv6 text is
 * the costliest step of a row: each distinct text is worked out once (the tables are bounded).
 */
const canonicalByText = new Map<string, string | null>();
const unembeddedByText = new Map<string, string | null>();
const REMEMBERED = 4096;

function remembered(table: Map<string, string | null>, text: string, work: (text: string) => string | null): string | null {
  const known = table.get(text);
  if (known !== undefined) return known;
  const result = work(text);
  if (table.size >= REMEMBERED) table.clear();
  table.set(text, result);
  return result;
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PORT_DIGITS = /^\d{1,5}$/;

/**
 * Whether text is an IPv6 address (RFC 4291 text forms, a dotted IPv4 tail allowed), without a
 * zone. Written out rather than `net.isIP`: node's IPv6 expression is large enough that compiling
 * it is a noticeable share of a cold parse, and a cold parse is what a CLI run is.
 *
 * @example
 * isIPv6Text('fe80::1');          // true
 * isIPv6Text('::ffff:127.0.0.1'); // true
 * isIPv6Text('fe80::aede:48ff:'); // false
 */
export function isIPv6Text(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((half) => (half === '' ? [] : half.split(':')));
  const all = groups.flat();
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i] ?? '';
    if (i === all.length - 1 && group.includes('.')) {
      if (!isIPv4(group)) return false;
      count += 2;
    } else if (HEX_GROUP.test(group)) count += 1;
    else return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/**
 * The wildcard address of a family, as portdoctor writes `*`.
 *
 * @example
 * wildcardAddress('ipv6'); // '::'
 */
export function wildcardAddress(family: Family): string {
  return family === 'ipv4' ? '0.0.0.0' : '::';
}

/**
 * Canonical IPv6 text with its zone kept (`FE80:0::1%lo0` → `fe80::1%lo0`), or null when the text
 * is not an IPv6 address.
 *
 * @example
 * canonicalIPv6('0:0:0:0:0:0:0:1'); // '::1'
 * canonicalIPv6('fe80::1%lo0');     // 'fe80::1%lo0'
 * canonicalIPv6('fe80::1%');        // null
 */
export function canonicalIPv6(text: string): string | null {
  return remembered(canonicalByText, text, canonicalize);
}

function canonicalize(text: string): string | null {
  const percent = text.indexOf('%');
  const bare = percent === -1 ? text : text.slice(0, percent);
  const zone = percent === -1 ? '' : text.slice(percent + 1);
  if (percent !== -1 && !/^[A-Za-z0-9_.-]+$/.test(zone)) return null;
  if (!isIPv6Text(bare)) return null;
  const canonical = formatIPv6Bytes(parseIPv6Bytes(bare.toLowerCase()));
  return zone === '' ? canonical : `${canonical}%${zone}`;
}

/**
 * Undoes the KAME embedded scope that lsof prints for link-local (fe80::/10) and interface- or
 * link-local multicast (ff01::/16, ff02::/16) addresses: a non-zero second group is the interface
 * index, which becomes a numeric zone. Any other address is returned as it is.
 *
 * @example
 * unembedKameScope('fe80:5::aede:48ff:fe00:1122'); // 'fe80::aede:48ff:fe00:1122%5'
 * unembedKameScope('2001:db8::1');                 // '2001:db8::1'
 */
export function unembedKameScope(canonical: string): string {
  return remembered(unembeddedByText, canonical, unembed) ?? canonical;
}

function unembed(canonical: string): string {
  if (canonical.includes('%')) return canonical;
  const bytes = parseIPv6Bytes(canonical);
  const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = bytes;
  const linkLocal = b0 === 0xfe && (b1 & 0xc0) === 0x80;
  const scopedMulticast = b0 === 0xff && ((b1 & 0x0f) === 1 || (b1 & 0x0f) === 2);
  const index = (b2 << 8) | b3;
  if (!(linkLocal || scopedMulticast) || index === 0) return canonical;
  bytes[2] = 0;
  bytes[3] = 0;
  return `${formatIPv6Bytes(bytes)}%${index}`;
}

/**
 * A port as printed: decimal 0-65535, or `*` for "none/any"; null for anything else (a service
 * name means the tool ran without -n/-P).
 *
 * @example
 * parsePortText('8021');  // 8021
 * parsePortText('*');     // '*'
 * parsePortText('https'); // null
 */
export function parsePortText(text: string): number | '*' | null {
  if (text === '*') return '*';
  if (!PORT_DIGITS.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}
