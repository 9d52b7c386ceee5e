/**
 * Redis serialization protocol (RESP), just enough to read `INFO server`: a bulk string of
 * `key:value` lines. Forks and look-alikes (Valkey, Dragonfly) answer it too and
 * say so in their own fields.
 */

export interface RedisServerInfo {
  /** `Redis`, `Valkey` or `Dragonfly`. */
  readonly product: string;
  readonly version: string;
  /** `standalone`, `cluster` or `sentinel`. */
  readonly mode?: string;
}

/** True once the bulk string (`$<length>\r\n<bytes>\r\n`) or an error line is whole. */
export function redisReplyComplete(bytes: Buffer): boolean {
  const headerEnd = bytes.indexOf('\r\n');
  if (headerEnd === -1) return false;
  if (bytes[0] !== 0x24) return true;
  const length = Number(bytes.toString('latin1', 1, headerEnd));
  return !Number.isInteger(length) || length < 0 || bytes.length >= headerEnd + 2 + length + 2;
}

/**
 * Reads the reply to `INFO server`; null when it is not a bulk string with a version in it.
 *
 * @example
 * parseRedisInfo(Buffer.from('$40\r\n# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n\r\n'));
 * // → { product: 'Redis', version: '7.0.15', mode: 'standalone' }
 */
export function parseRedisInfo(bytes: Buffer): RedisServerInfo | null {
  if (bytes[0] !== 0x24) return null;
  const fields = new Map<string, string>();
  for (const line of bytes.toString('utf8').split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const mode = fields.get('redis_mode') ?? fields.get('server_mode');
  const withMode = (product: string, version: string | undefined): RedisServerInfo | null =>
    version === undefined || version === '' ? null : { product, version, ...(mode === undefined ? {} : { mode }) };
  if (fields.has('valkey_version') || fields.get('server_name') === 'valkey') return withMode('Valkey', fields.get('valkey_version') ?? fields.get('redis_version'));
  if (fields.has('dragonfly_version')) return withMode('Dragonfly', fields.get('dragonfly_version'));
  return withMode('Redis', fields.get('redis_version'));
}
