import { notAvailable, type CauseSources } from '../causes-types.js';

const HINT = 'Not read on macOS yet.';

/**
 * macOS has no /proc: another process's environment (KERN_PROCARGS2 via sysctl, own user only),
 * its open descriptors (lsof -p) and launchd's on-demand sockets are not read yet. Each says so.
 */
export const DARWIN_CAUSE_SOURCES: CauseSources = {
  environment: async (pid) => notAvailable(`The environment of process ${pid}`, 'on macOS yet', HINT),
  openFiles: async (pid) => notAvailable(`The open files of process ${pid}`, 'on macOS yet', "Count them with 'lsof -p PID | wc -l' and compare with 'launchctl limit maxfiles'."),
  socketUnits: async () => notAvailable('launchd socket jobs', 'on macOS yet', "List them with 'sudo launchctl list'."),
  timeWaitReuse: async () => notAvailable('TIME-WAIT reuse', 'on macOS (it has no such setting)', 'Keep connections alive in the client.'),
};
