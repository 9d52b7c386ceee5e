/**
 * Addresses written the way users type them: `127.0.0.1:62893`, `[::1]:62893`, and `*:62893` for
 * wildcards. JSON output keeps the numeric form (`0.0.0.0`, `::`); `*` is for humans only.
 */
export function displayAddress(address: string, port: number | null): string {
  const host = address === '0.0.0.0' || address === '::' ? '*' : address.includes(':') ? `[${address}]` : address;
  return port === null ? host : `${host}:${port}`;
}

/** `*:8080` says nothing about the family; this says which wildcard it is. */
export function wildcardNote(address: string): string {
  if (address === '0.0.0.0') return 'all IPv4 addresses';
  if (address === '::') return 'all addresses (IPv6, and IPv4 too unless IPV6_V6ONLY)';
  return '';
}
