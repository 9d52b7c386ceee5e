import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { passwdEntries } from './users.js';

/**
 * Whose ssh client configuration to read: the person at the keyboard. Under `sudo` (running as
 * root, SUDO_USER naming another user) that is the invoking user — their tunnels are the ones
 * that went missing, while HOME may be root's (Debian's sudo resets it) — found in /etc/passwd, as
 * ssh finds its own home. Otherwise the home directory Node reports (HOME).
 *
 * @example
 * sshConfigHome({ uid: 0, env: { SUDO_USER: 'ann' }, passwd: 'ann:x:1000:1000::/home/ann:/bin/bash\n', fallback: '/root' });
 * // '/home/ann'
 */
export function sshConfigHome(input: { readonly uid: number | null; readonly env: Readonly<Record<string, string | undefined>>; readonly passwd: string | null; readonly fallback: string }): string {
  const user = input.env['SUDO_USER'];
  if (input.uid !== 0 || user === undefined || user === '' || user === 'root' || input.passwd === null) return input.fallback;
  // The first entry for a name wins, as getpwnam's does.
  const home = passwdEntries(input.passwd).find((entry) => entry.name === user)?.home ?? '';
  return home.startsWith('/') ? home : input.fallback;
}

/** sshConfigHome for this process: its uid, environment and /etc/passwd. */
export function liveSshConfigHome(): string {
  const uid = process.getuid?.() ?? null;
  let passwd: string | null = null;
  if (uid === 0 && process.env['SUDO_USER'] !== undefined) {
    try {
      passwd = readFileSync('/etc/passwd', 'utf8');
    } catch {
      passwd = null;
    }
  }
  return sshConfigHome({ uid, env: process.env, passwd, fallback: homedir() });
}
