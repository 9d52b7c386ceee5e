import { readFileSync } from 'node:fs';

let names: Map<number, string> | undefined;

/** One /etc/passwd entry: `name:password:uid:gid:gecos:home:shell`. */
export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  /** The home directory field as written ('' when the line has fewer than six fields). */
  readonly home: string;
}

/** The entries of /etc/passwd text in file order, comments, blank lines and nameless lines skipped. */
export function passwdEntries(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(':');
    const name = fields[0];
    if (name === undefined || name === '') continue;
    entries.push({ name, uid: Number(fields[2]), home: fields.length >= 7 ? (fields[5] ?? '') : '' });
  }
  return entries;
}

/** Parses /etc/passwd text into uid → name (the first entry wins, as getpwuid does). */
export function parsePasswd(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const { name, uid } of passwdEntries(text)) if (Number.isInteger(uid) && !map.has(uid)) map.set(uid, name);
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
