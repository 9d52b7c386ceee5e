import { readFileSync } from 'node:fs';
import { listPids } from './fd-scan-core.js';
import { startSocketScan } from './fd-scan.js';
import type { ProcView } from './list-sockets.js';
import { readListenBacklogs } from './listen-backlog.js';
import { currentNetnsId, namedNamespaces, namespacesOfPids, procHidesPids } from './netns.js';
import { parseCgroup, readProcess, splitCmdline } from './process.js';
import { readProcNetTableSync } from './proc-net-file.js';
import { userName } from './users.js';

function containerOf(pid: number): string | null {
  try {
    return parseCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).container;
  } catch {
    return null;
  }
}

/** The live /proc: blocking reads, the fd scan on a worker thread when there are many processes. */
export function liveProcView(): ProcView {
  return {
    privileged: process.getuid?.() === 0,
    selfUid: process.getuid?.() ?? -1,
    hidesPids() {
      try {
        return procHidesPids(readFileSync('/proc/self/mountinfo', 'utf8'));
      } catch {
        return false;
      }
    },
    listPids: () => listPids(),
    startScan: startSocketScan,
    currentNetnsId,
    namedNamespaces: () => namedNamespaces(),
    namespacesOfPids,
    containerOf,
    readTable(path, table, filter) {
      let error = 'EIO';
      const rows = readProcNetTableSync(path, table, filter, (code) => (error = code));
      return rows ?? { error };
    },
    readProcess: (pid, cgroup) => readProcess(pid, { cgroup }),
    readArgv(pid) {
      try {
        return splitCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
      } catch {
        return null;
      }
    },
    userName,
    backlogs: readListenBacklogs,
  };
}
