import type { Fingerprint } from '../collectors/fingerprint.js';

/**
 * Pure readers of what servers say when they turn a request or a client away. Each pattern is
 * the server's own text, quoted from its source:
 *
 * - webpack-dev-server, lib/Server.js (host-header-check middleware): `res.end("Invalid Host
 *   header")` with status 403 (v4 and later; v3 answered 200 with the same text).
 * - Vite, packages/vite/src/node/server/middlewares/hostCheck.ts through host-validation-middleware:
 *   403, `Blocked request. This host ("NAME") is not allowed.\nTo allow this host, add "NAME" to
 *   \`server.allowedHosts\` in vite.config.js.` (`preview.allowedHosts` for `vite preview`).
 * - Django, django/http/request.py (HttpRequest.get_host): DisallowedHost, "Invalid HTTP_HOST
 *   header: 'NAME:PORT'. You may need to add 'NAME' to ALLOWED_HOSTS."; answered 400 (with DEBUG,
 *   a technical page titled "DisallowedHost at /").
 * - Redis, src/networking.c: `-DENIED Redis is running in protected mode because protected mode
 *   is enabled and no password is set for the default user. …` to non-loopback clients.
 * - PostgreSQL, src/backend/libpq/auth.c: `no pg_hba.conf entry for host "ADDR", user "U",
 *   database "D", …` and `pg_hba.conf rejects connection for host "ADDR", …` (SQLSTATE 28000).
 * - MySQL/MariaDB: error 1130 `Host 'ADDR' is not allowed to connect to this MariaDB server`
 *   (ER_HOST_NOT_PRIVILEGED), 1129 `Host 'ADDR' is blocked because of many connection errors`.
 */

/** A Host allow-list message, and the setting that owns the list. */
export interface HostRejection {
  readonly framework: 'webpack-dev-server' | 'Vite' | 'Django';
  /** The setting to add the name to. */
  readonly setting: string;
  /** The configuration file it lives in. */
  readonly file: string;
}

/**
 * Which dev server's Host check wrote this body; null when the body is no known allow-list message.
 *
 * @example
 * classifyHostRejection('Blocked request. This host ("myapp.test") is not allowed.\nTo allow this host, add "myapp.test" to `server.allowedHosts` in vite.config.js.');
 * // → { framework: 'Vite', setting: 'server.allowedHosts', file: 'vite.config.js' }
 */
export function classifyHostRejection(body: string): HostRejection | null {
  if (/^Invalid Host header\s*$/.test(body)) return { framework: 'webpack-dev-server', setting: 'devServer.allowedHosts', file: 'webpack.config.js' };
  if (/Blocked request\. This host \(.*\) is not allowed\./.test(body)) {
    const setting = /`((?:server|preview)\.allowedHosts)`/.exec(body)?.[1] ?? 'server.allowedHosts';
    return { framework: 'Vite', setting, file: 'vite.config.js' };
  }
  if (/DisallowedHost|Invalid HTTP_HOST header/.test(body)) return { framework: 'Django', setting: 'ALLOWED_HOSTS', file: 'settings.py' };
  return null;
}

/** A server that refused the client itself (its address), not the request. */
export interface ClientRejection {
  readonly server: string;
  readonly kind: 'protected-mode' | 'pg-hba' | 'host-not-allowed' | 'host-blocked';
  /** The server's words. */
  readonly message: string;
  /** The client address as the server saw it (from its message, or our side of the connection). */
  readonly clientAddress: string | null;
}

/**
 * What a fingerprint says about the server turning the client away, or null.
 *
 * @example
 * clientRejection({ protocol: 'mysql', detail: { reply: "Host '127.0.0.1' is not allowed to connect to this MariaDB server" } }, '127.0.0.1');
 * // → { server: 'MariaDB', kind: 'host-not-allowed', clientAddress: '127.0.0.1', … }
 */
export function clientRejection(fp: Pick<Fingerprint, 'protocol' | 'detail'>, localAddress: string | null): ClientRejection | null {
  const reply = fp.detail.reply ?? '';
  if (fp.protocol === 'redis' && /^-DENIED\b/.test(reply)) return { server: fp.detail.product ?? 'Redis', kind: 'protected-mode', message: reply.slice(1), clientAddress: localAddress };
  if (fp.protocol === 'postgres') {
    const hba = /(no pg_hba\.conf entry|pg_hba\.conf rejects connection) for host "([^"]+)"/.exec(reply);
    if (hba?.[2] !== undefined) return { server: 'PostgreSQL', kind: 'pg-hba', message: reply.replace(/^\S+ \S+: /, ''), clientAddress: hba[2] };
  }
  if (fp.protocol === 'mysql') {
    const refused = /Host '([^']*)' is not allowed to connect to this (MySQL|MariaDB) server/.exec(reply);
    if (refused?.[1] !== undefined) return { server: refused[2] ?? 'MySQL', kind: 'host-not-allowed', message: refused[0], clientAddress: refused[1] };
    const blocked = /Host '([^']*)' is blocked because of many connection errors[^.]*/.exec(reply);
    if (blocked?.[1] !== undefined) return { server: fp.detail.product ?? 'MySQL', kind: 'host-blocked', message: blocked[0], clientAddress: blocked[1] };
  }
  return null;
}
