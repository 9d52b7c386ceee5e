/**
 * Just enough IP address arithmetic for firewall matching: parse v4/v6 text to a bigint, and test
 * prefixes, masks and ranges. Written here (not with net.BlockList) because iptables-save can print
 * non-contiguous masks (`-d 10.0.0.0/255.0.255.0`) and nft prints address ranges.
 */

export interface ParsedAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

const V4_BITS = 32;
const V6_BITS = 128;

function parseV4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseV6(text: string): bigint | null {
  // Zone ids (fe80::1%lo) never appear in rule sets; reject rather than guess.
  if (text.includes('%')) return null;
  let head = text;
  let tailV4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseV4(text.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const toGroups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const left = toGroups(halves[0] ?? '');
  const right = halves.length === 2 ? toGroups(halves[1] ?? '') : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
    value = (value << 16n) | BigInt(parseInt(group, 16));
  }
  if (tailV4 !== null) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

/** Parses a numeric IPv4 or IPv6 address; null for anything else (host names included). */
export function parseAddress(text: string): ParsedAddress | null {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === null ? null : { version: 6, value };
  }
  const value = parseV4(text);
  return value === null ? null : { version: 4, value };
}

function bitsOf(version: 4 | 6): number {
  return version === 4 ? V4_BITS : V6_BITS;
}

/** The mask with the top `length` bits set. */
export function prefixMask(version: 4 | 6, length: number): bigint {
  const bits = bitsOf(version);
  const all = (1n << BigInt(bits)) - 1n;
  return length <= 0 ? 0n : (all << BigInt(bits - Math.min(length, bits))) & all;
}

/** A network written `addr`, `addr/len` or `addr/mask` (iptables-save) as address + mask. */
export interface Network {
  readonly version: 4 | 6;
  readonly value: bigint;
  readonly mask: bigint;
}

export function parseNetwork(text: string): Network | null {
  const slash = text.indexOf('/');
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (address === null) return null;
  if (slash === -1) return { ...address, mask: prefixMask(address.version, bitsOf(address.version)) };
  const suffix = text.slice(slash + 1);
  if (/^\d{1,3}$/.test(suffix)) {
    const length = Number(suffix);
    if (length > bitsOf(address.version)) return null;
    return { ...address, mask: prefixMask(address.version, length) };
  }
  const mask = parseAddress(suffix);
  if (mask === null || mask.version !== address.version) return null;
  return { ...address, mask: mask.value };
}

export function networkContains(network: Network, address: ParsedAddress): boolean {
  return network.version === address.version && (address.value & network.mask) === (network.value & network.mask);
}
