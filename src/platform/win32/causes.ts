import { notAvailable, type CauseSources } from '../causes-types.js';

/**
 * Windows: another process's environment (its PEB), handle counts and on-demand services are not
 * read yet; there is no RLIMIT_NOFILE and no socket activation. Each says so.
 */
export const WIN32_CAUSE_SOURCES: CauseSources = {
  environment: async (pid) => notAvailable(`The environment of process ${pid}`, 'on Windows yet', 'Look at it in Process Explorer (Properties › Environment).'),
  openFiles: async (pid) => notAvailable(`The open handles of process ${pid}`, 'on Windows (there is no per-process descriptor limit)', "See its handle count with 'Get-Process -Id PID | Select HandleCount'."),
  socketUnits: async () => notAvailable('On-demand services', 'on Windows (there is no socket activation)', 'Stop the service that holds the port.'),
  timeWaitReuse: async () => notAvailable('TIME-WAIT reuse', 'on Windows yet', 'Keep connections alive in the client.'),
};
