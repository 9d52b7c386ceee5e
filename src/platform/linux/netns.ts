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
