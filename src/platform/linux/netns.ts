import { readdirSync, readlinkSync, statSync } from 'node:fs';

/** "net:[4026531840]" → 4026531840, or null. */
export function parseNsLink(link: string): number | null {
  const match = /^net:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : null;
}

/** The network namespace this process runs in. */
export function currentNetnsId(): number | null {
  try {
    return parseNsLink(readlinkSync('/proc/self/ns/net'));
  } catch {
    return null;
  }
}

/**
 * Groups processes by network namespace. Without root, other users' /proc/<pid>/ns/net cannot be
 * read, so only namespaces of our own processes (and the current one) are found.
 * Returns namespace id → pids in it (ascending, so the first is a stable representative).
 */
export function namespacesOfPids(pids: readonly number[]): Map<number, number[]> {
  const byNs = new Map<number, number[]>();
  for (const pid of pids) {
    let id: number | null;
    try {
      id = parseNsLink(readlinkSync(`/proc/${pid}/ns/net`));
    } catch {
      continue; // exited, or not ours to read
    }
    if (id === null) continue;
    const list = byNs.get(id);
    if (list === undefined) byNs.set(id, [pid]);
    else list.push(pid);
  }
  return byNs;
}

/**
 * Names given with `ip netns add NAME` live as bind mounts under /run/netns; the mount's inode is
 * the namespace id, so a stat tells which name belongs to which namespace.
 */
export function namedNamespaces(dir = '/run/netns'): Map<number, string> {
  const names = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return names;
  }
  for (const name of entries) {
    try {
      names.set(statSync(`${dir}/${name}`).ino, name);
    } catch {
      // A stale name whose namespace is gone, or one we may not stat: skip it.
    }
  }
  return names;
}

/**
 * Whether the /proc we read hides other users' processes (`hidepid=1`, `2`, `invisible`,
 * `noaccess`), from /proc/self/mountinfo: the mount of /proc, its super options after " - proc ".
 * Then another user's process is not even listed, so its sockets look ownerless rather than
 * hidden — unless we know to say so.
 *
 * @example
 * procHidesPids('22 26 0:20 / /proc rw - proc proc rw,hidepid=invisible\n'); // true
 */
export function procHidesPids(mountinfo: string): boolean {
  // Mounts stacked on /proc are listed in mount order: the last one is the one we read.
  let hides = false;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields[4] !== '/proc') continue;
    const dash = fields.indexOf('-');
    if (dash === -1 || fields[dash + 1] !== 'proc') continue;
    const options = (fields[dash + 3] ?? '').split(',');
    const hidepid = options.find((o) => o.startsWith('hidepid='))?.slice('hidepid='.length);
    hides = hidepid !== undefined && hidepid !== '0' && hidepid !== 'off';
  }
  return hides;
}
