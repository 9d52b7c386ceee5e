import { readFileSync } from 'node:fs';

let names: Map<number, string> | undefined;

/** Parses /etc/passwd text into uid → name (the first entry wins, as getpwuid does). */
export function parsePasswd(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const uid = Number(fields[2]);
    const name = fields[0];
    if (name !== undefined && name !== '' && Number.isInteger(uid) && !map.has(uid)) map.set(uid, name);
  }
  return map;
}

/**
 * The user name for a uid, from /etc/passwd (read once). Users known only to NSS services such
 * as LDAP are shown by number, like `ss` and `ps` do when a name cannot be found.
 */
export function userName(uid: number): string {
  if (names === undefined) {
    try {
      names = parsePasswd(readFileSync('/etc/passwd', 'utf8'));
    } catch {
      names = new Map();
    }
  }
  return names.get(uid) ?? String(uid);
}
