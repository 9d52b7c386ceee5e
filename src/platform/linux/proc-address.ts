import { endianness } from 'node:os';
import { formatIPv6Bytes, parseIPv6Bytes } from '../../address.js';

/**
 * Addresses in /proc/net/{tcp,udp}{,6} are the kernel's in-memory words printed with %08X: an
 * IPv4 address is one 32-bit word, an IPv6 address four, each in *host* byte order. On a
 * little-endian machine the bytes of every word therefore appear reversed (127.0.0.1 is
 * "0100007F"). Decoding word by word with the machine's endianness is what makes this correct on
 * both kinds of machine.
 */
const LITTLE_ENDIAN = endianness() === 'LE';

function hexDigit(code: number): number {
  // '0'-'9' = 48-57, 'A'-'F' = 65-70, 'a'-'f' = 97-102
  if (code <= 57) return code - 48;
  if (code <= 70) return code - 55;
  return code - 87;
}

/** Reads the byte at hex position `at` (two digits) of `text`. */
function hexByte(text: string, at: number): number {
  return (hexDigit(text.charCodeAt(at)) << 4) | hexDigit(text.charCodeAt(at + 1));
}

/** Decodes the 16 network-order bytes of an address written as /proc words (8 or 32 hex digits). */
function procHexToBytes(hex: string, start: number, length: number, littleEndian: boolean): number[] {
  const bytes: number[] = [];
  for (let word = start; word < start + length; word += 8) {
    if (littleEndian) {
      for (let b = 6; b >= 0; b -= 2) bytes.push(hexByte(hex, word + b));
    } else {
      for (let b = 0; b <= 6; b += 2) bytes.push(hexByte(hex, word + b));
    }
  }
  return bytes;
}

/** "0100007F" → "127.0.0.1" (on little-endian machines). */
export function decodeProcIPv4(hex: string, start = 0, littleEndian = LITTLE_ENDIAN): string {
  const b = procHexToBytes(hex, start, 8, littleEndian);
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** 32 hex digits of /proc/net/tcp6 → canonical compressed IPv6 ("::1", "::ffff:127.0.0.1"). */
export function decodeProcIPv6(hex: string, start = 0, littleEndian = LITTLE_ENDIAN): string {
  return formatIPv6Bytes(procHexToBytes(hex, start, 32, littleEndian));
}

export { formatIPv6Bytes } from '../../address.js';

/** The inverse of decodeProcIPv4: network-order dotted quad → /proc word text. */
export function encodeProcIPv4(address: string, littleEndian = LITTLE_ENDIAN): string {
  const parts = address.split('.').map((p) => Number(p).toString(16).toUpperCase().padStart(2, '0'));
  return littleEndian ? parts.reverse().join('') : parts.join('');
}

/** The inverse of decodeProcIPv6: IPv6 text → 32 hex digits as /proc prints them. */
export function encodeProcIPv6(address: string, littleEndian = LITTLE_ENDIAN): string {
  const bytes = parseIPv6Bytes(address);
  let out = '';
  for (let word = 0; word < 16; word += 4) {
    const chunk = bytes.slice(word, word + 4);
    if (littleEndian) chunk.reverse();
    out += chunk.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
  }
  return out;
}
