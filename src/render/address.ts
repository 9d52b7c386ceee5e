/**
 * Addresses written the way users type them: `127.0.0.1:62893`, `[::1]:62893`, and `*:62893` for
 * wildcards. JSON output keeps the numeric form (`0.0.0.0`, `::`); `*` is for humans only.
 */
export function displayAddress(address: string, port: number | null): string {
  const host = address === '0.0.0.0' || address === '::' ? '*' : address.includes(':') ? `[${address}]` : address;
  return port === null ? host : `${host}:${port}`;
}

/**
 * An address as the doctor shows it: like displayAddress, but a wildcard stays numeric
 * (`0.0.0.0:80`, `[::]:80`): there the family of a wildcard is often the whole point.
 *
 * @example
 * numericAddress('::', 80); // '[::]:80'
 */
export function numericAddress(address: string, port: number | null): string {
  if (address === '0.0.0.0' || address === '::') {
    const host = address === '::' ? '[::]' : address;
    return port === null ? host : `${host}:${port}`;
  }
  return displayAddress(address, port);
}
