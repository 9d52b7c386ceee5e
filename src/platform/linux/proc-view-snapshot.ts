import { parseProcNet } from './proc-net.js';
import type { Snapshot } from '../snapshot/format.js';
import { sourceBytes } from '../snapshot/format.js';
import type { FdScan } from './fd-scan.js';
import type { ProcView } from './list-sockets.js';
import { parseSsBacklogs } from './listen-backlog.js';
import { parseNsLink, procHidesPids } from './netns.js';
import { parseBootTimeMs, parseCgroup, readProcess, splitCmdline, type ProcSource } from './process.js';
import { parsePasswd } from './users.js';

/** The snapshot key of a namespace's `ss -ltneH` (ours, or entered through a pid inside it). */
export const backlogKey = (nsPid?: number): string => (nsPid === undefined ? 'ss-listen' : `ss-listen:pid:${nsPid}`);

/**
 * /proc as a snapshot recorded it (see proc-snapshot-record.ts): the same answers the live view
 * gave on the recording machine, so `ls`, `who` and the doctor replay exactly.
 */
export function snapshotProcView(snapshot: Pick<Snapshot, 'sources' | 'user'>): ProcView {
  const sources = snapshot.sources;
  const text = (path: string): string | null => {
    const source = sources[path];
    if (source === undefined) return null;
    return sourceBytes(source)?.toString('utf8') ?? null;
  };
  const linkTarget = (path: string): string | null => {
    const source = sources[path];
    return source !== undefined && 'link' in source ? (source.target ?? null) : null;
  };
  const dir = (path: string): { entries: readonly string[]; inodes?: readonly number[] } | { error: string } => {
    const source = sources[path];
    if (source === undefined || !('dir' in source)) return { error: 'not-recorded' };
    if (source.entries === undefined) return { error: source.error ?? 'EIO' };
    return source.inodes === undefined ? { entries: source.entries } : { entries: source.entries, inodes: source.inodes };
  };
  let users: Map<number, string> | undefined;
  const userName = (uid: number): string => {
    users ??= parsePasswd(text('passwd') ?? '');
    return users.get(uid) ?? String(uid);
  };
  const bootText = text('/proc/stat');
  const procSource: ProcSource = { text, bootTimeMs: () => (bootText === null ? null : parseBootTimeMs(bootText)), userName };

  const scan = (pids: readonly number[]): FdScan => ({
    async finish(wanted) {
      const owners = new Map<number, number[]>();
      const counts = { scanned: 0, hidden: 0, vanished: 0 };
      for (const pid of pids) {
        const fds = dir(`/proc/${pid}/fd`);
        if ('error' in fds) {
          if (fds.error === 'EACCES' || fds.error === 'EPERM') counts.hidden++;
          else counts.vanished++;
          continue;
        }
        counts.scanned++;
        for (const fd of fds.entries) {
          const target = linkTarget(`/proc/${pid}/fd/${fd}`);
          if (target === null || !target.startsWith('socket:[')) continue;
          const inode = Number(target.slice(8, -1));
          if (!wanted.has(inode)) continue;
          const list = owners.get(inode) ?? [];
          if (!list.includes(pid)) list.push(pid);
          owners.set(inode, list);
        }
      }
      for (const list of owners.values()) list.sort((a, b) => a - b);
      return { owners, counts, details: new Map() };
    },
  });

  return {
    privileged: snapshot.user.elevated,
    selfUid: snapshot.user.uid ?? -1,
    hidesPids: () => procHidesPids(text('/proc/self/mountinfo') ?? ''),
    listPids() {
      const listing = dir('/proc');
      return 'error' in listing ? [] : listing.entries.map(Number);
    },
    startScan: scan,
    currentNetnsId: () => parseNsLink(linkTarget('/proc/self/ns/net') ?? ''),
    namedNamespaces() {
      const names = new Map<number, string>();
      const listing = dir('/run/netns');
      if ('error' in listing) return names;
      listing.entries.forEach((name, index) => {
        const inode = listing.inodes?.[index] ?? 0;
        if (inode !== 0) names.set(inode, name);
      });
      return names;
    },
    namespacesOfPids(pids) {
      const byNs = new Map<number, number[]>();
      for (const pid of pids) {
        const id = parseNsLink(linkTarget(`/proc/${pid}/ns/net`) ?? '');
        if (id === null) continue;
        const list = byNs.get(id);
        if (list === undefined) byNs.set(id, [pid]);
        else list.push(pid);
      }
      return byNs;
    },
    containerOf(pid) {
      const cgroup = text(`/proc/${pid}/cgroup`);
      return cgroup === null ? null : parseCgroup(cgroup).container;
    },
    readTable(path, table, filter) {
      const source = sources[path];
      if (source === undefined) return { error: 'not-recorded' };
      const content = text(path);
      if (content === null) return { error: 'error' in source && source.error !== undefined ? source.error : 'EIO' };
      return parseProcNet(content, table.protocol, table.family, filter);
    },
    readProcess: (pid, cgroup) => readProcess(pid, { cgroup }, procSource),
    readArgv(pid) {
      const cmdline = text(`/proc/${pid}/cmdline`);
      return cmdline === null ? null : splitCmdline(cmdline);
    },
    userName,
    async backlogs(options) {
      const source = sources[backlogKey(options.nsPid)];
      const stdout = source === undefined ? null : sourceBytes(source)?.toString('utf8');
      return stdout === null || stdout === undefined ? new Map() : parseSsBacklogs(stdout);
    },
  };
}
