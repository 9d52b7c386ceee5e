/**
 * Product and version from what servers announce about themselves: an HTTP `Server` header, an
 * SSH identification string, a MySQL/MariaDB greeting, an SMTP/FTP welcome line. Pure; a text
 * that does not follow the usual shape gives nothing rather than a guess.
 */

export interface ProductVersion {
  readonly product: string;
  readonly version?: string;
}

/**
 * `nginx/1.22.1` → nginx 1.22.1; `Apache/2.4.57 (Debian)` → Apache 2.4.57; `gunicorn` → gunicorn.
 *
 * @example
 * productOfServerHeader('nginx/1.22.1'); // → { product: 'nginx', version: '1.22.1' }
 */
export function productOfServerHeader(header: string): ProductVersion | null {
  const match = /^([A-Za-z][\w.-]*)(?:\/(\d[\w.+~-]*))?/.exec(header.trim());
  if (match?.[1] === undefined) return null;
  return match[2] === undefined ? { product: match[1] } : { product: match[1], version: match[2] };
}

/**
 * RFC 4253 §4.2: `SSH-2.0-softwareversion comments`; the software part is `Name_version` by
 * convention (OpenSSH_9.2p1, dropbear_2022.83), sometimes a bare name.
 *
 * @example
 * productOfSshBanner('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3'); // → { product: 'OpenSSH', version: '9.2p1' }
 */
export function productOfSshBanner(banner: string): ProductVersion | null {
  const software = /^SSH-[\d.]+-(\S+)/.exec(banner)?.[1];
  if (software === undefined) return null;
  const match = /^([A-Za-z][A-Za-z-]*)[_-](\d[\w.+~-]*)$/.exec(software);
  return match?.[1] !== undefined && match[2] !== undefined ? { product: match[1], version: match[2] } : { product: software };
}

/**
 * MariaDB prefixes its version with `5.5.5-` for old clients (the replication "fake version");
 * the real one follows, with `-MariaDB` in it.
 *
 * @example
 * productOfMysqlVersion('5.5.5-10.11.6-MariaDB-0+deb12u1'); // → { product: 'MariaDB', version: '10.11.6' }
 */
export function productOfMysqlVersion(version: string): ProductVersion {
  const mariadb = /^(?:5\.5\.5-)?(\d+\.\d+\.\d+)-MariaDB/i.exec(version);
  if (mariadb?.[1] !== undefined) return { product: 'MariaDB', version: mariadb[1] };
  const plain = /^(\d+\.\d+\.\d+)/.exec(version);
  return plain?.[1] !== undefined ? { product: 'MySQL', version: plain[1] } : { product: 'MySQL' };
}

/** Mail and FTP servers that name themselves in their 220 line, and how to spot them. */
const WELCOME_PRODUCTS: readonly (readonly [RegExp, string])[] = [
  [/\bPostfix\b/i, 'Postfix'],
  [/\bExim\b(?:\s+(\d[\w.]*))?/i, 'Exim'],
  [/\bSendmail\b(?:\s+(\d[\w.]*))?/i, 'Sendmail'],
  [/\bvsFTPd\s+(\d[\w.]*)/i, 'vsFTPd'],
  [/\bProFTPD\s+(\d[\w.]*)/i, 'ProFTPD'],
  [/\bPure-FTPd\b/i, 'Pure-FTPd'],
];

/**
 * @example
 * productOfWelcome('220 (vsFTPd 3.0.3)'); // → { product: 'vsFTPd', version: '3.0.3' }
 */
export function productOfWelcome(line: string): ProductVersion | null {
  for (const [pattern, product] of WELCOME_PRODUCTS) {
    const match = pattern.exec(line);
    if (match !== null) return match[1] === undefined ? { product } : { product, version: match[1] };
  }
  return null;
}
