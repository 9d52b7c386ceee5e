import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { errnoCode } from '../../errors.js';
import { encodeBytes, type SnapshotSource } from '../snapshot/format.js';
import { listPids } from './fd-scan-core.js';
import { parseNsLink } from './netns.js';
import { PROC_NET_TABLES } from './proc-net.js';

/**
 * Records what the socket inventory reads of /proc — for every process its fd table (socket
 * links only), its network namespace, and the details of socket holders; every namespace's socket
 * tables; /run/netns names — as snapshot sources keyed by path. Synchronous like the live scan;
 * run once per `portdoctor snapshot`, never on the hot path.
 */
export function recordProcTree(sources: Map<string, SnapshotSource>): { readonly namespacePids: readonly number[] } {
  const file = (path: string): void => {
    try {
      const encoded = encodeBytes(readFileSync(path));
      sources.set(path, { file: path, ...('text' in encoded ? { content: encoded.text } : { contentBase64: encoded.base64 }) });
    } catch (error) {
      sources.set(path, { file: path, error: errnoCode(error) ?? 'EIO' });
    }
  };
  const link = (path: string): string | null => {
    try {
      const target = readlinkSync(path);
      sources.set(path, { link: path, target });
      return target;
    } catch (error) {
      sources.set(path, { link: path, error: errnoCode(error) ?? 'EIO' });
      return null;
    }
  };

  const pids = listPids();
  sources.set('/proc', { dir: '/proc', entries: pids.map(String) });
  const currentNs = parseNsLink(link('/proc/self/ns/net') ?? '');
  try {
    const names = readdirSync('/run/netns');
    const inodes = names.map((name) => {
      try {
        return statSync(`/run/netns/${name}`).ino;
      } catch {
        return 0; // a stale name: replay skips it as the live read does
      }
    });
    sources.set('/run/netns', { dir: '/run/netns', entries: names, inodes });
  } catch (error) {
    sources.set('/run/netns', { dir: '/run/netns', error: errnoCode(error) ?? 'EIO' });
  }

  const holders: number[] = [];
  const byNs = new Map<number, number[]>();
  for (const pid of pids) {
    const dir = `/proc/${pid}/fd`;
    let fds: string[];
    try {
      fds = readdirSync(dir);
    } catch (error) {
      sources.set(dir, { dir, error: errnoCode(error) ?? 'EIO' });
      continue;
    }
    sources.set(dir, { dir, entries: fds });
    let holdsSocket = false;
    for (const fd of fds) {
      try {
        const target = readlinkSync(`${dir}/${fd}`);
        // Only socket links matter to the inventory; the others are left out of the snapshot.
        if (target.startsWith('socket:[')) {
          sources.set(`${dir}/${fd}`, { link: `${dir}/${fd}`, target });
          holdsSocket = true;
        }
      } catch {
        // closed since readdir: the live scan skips it too
      }
    }
    if (holdsSocket) holders.push(pid);
    const ns = parseNsLink(link(`/proc/${pid}/ns/net`) ?? '');
    if (ns !== null) byNs.set(ns, [...(byNs.get(ns) ?? []), pid]);
  }
  for (const pid of holders) for (const name of ['stat', 'status', 'cmdline', 'cgroup']) file(`/proc/${pid}/${name}`);
  file('/proc/stat');
  file('/proc/self/mountinfo');

  const namespacePids: number[] = [];
  for (const table of PROC_NET_TABLES) file(`/proc/self/net/${table.file}`);
  for (const [id, members] of byNs) {
    if (id === currentNs) continue;
    const pid = members[0]!;
    namespacePids.push(pid);
    for (const table of PROC_NET_TABLES) file(`/proc/${pid}/net/${table.file}`);
    for (const member of members.slice(0, 4)) if (!sources.has(`/proc/${member}/cgroup`)) file(`/proc/${member}/cgroup`);
  }
  return { namespacePids };
}
