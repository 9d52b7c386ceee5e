import { release, userInfo } from 'node:os';
import { posix } from 'node:path';
import type { LogOwner } from '../../logs/types.js';
import { readUserSshConfig } from '../common/ssh-config-read.js';
import { liveSshConfigHome } from './ssh-home.js';
import { readHostsThrough, readServicesThrough } from '../common/system-files.js';
import { SNAPSHOT_FORMAT, type Snapshot, type SnapshotOptions, type SnapshotSource } from '../snapshot/format.js';
import { liveReader, replayReader, type SourceReader } from '../snapshot/reader.js';
import { redactSnapshot } from '../snapshot/redact.js';
import type { LogRead, Platform, PlatformOrigin, ProcessControl } from '../types.js';
import { LINUX_ADVICE } from './advice.js';
import { linuxCauseSources } from './causes.js';
import { LINUX_DOCKER_SOCKET } from './docker-socket.js';
import { listSocketsFrom, type ProcView } from './list-sockets.js';
import { toProcessInfo } from './process.js';

const HOSTS = '/etc/hosts';
const SERVICES = '/etc/services';

/**
 * A replay plans (`kill --dry-run`) from the snapshot's process files, and never signals: the
 * processes belong to the machine the snapshot came from.
 */
function replayProcessControl(view: () => Promise<ProcView>): ProcessControl {
  return {
    forcefulOnly: false,
    async context(sockets) {
      const source = await view();
      const startTicks = new Map<number, number | null>();
      const identities = new Map<number, string | null>();
      for (const pid of new Set(sockets.flatMap((s) => s.processes.map((p) => p.pid)))) {
        const ticks = source.readProcess(pid, false)?.startTicks ?? null;
        startTicks.set(pid, ticks);
        identities.set(pid, ticks === null ? null : `ticks:${ticks}`);
      }
      return { identities, startTicks, selfPid: -1, ancestors: [], userManagerPids: new Set() };
    },
    async verify() {
      return 'gone';
    },
    async signal() {
      return 'gone';
    },
  };
}

function replayLogs(owner: LogOwner): Promise<LogRead[]> {
  const names = [owner.unit, owner.container, owner.pid === undefined ? undefined : `pid ${owner.pid}`, owner.logFile].filter((n): n is string => n !== undefined);
  return Promise.resolve(names.map((source) => ({ source, read: { ok: false, reason: 'not read: a snapshot does not hold logs', hint: 'Attach the log itself to the bug report.' } })));
}

/** The parts every Linux platform shares, live or replayed: everything but the sockets and processes. */
function linuxPlatform(reader: SourceReader, view: () => Promise<ProcView>, origin: PlatformOrigin, elevated: boolean, snapshot: Snapshot | null): Omit<Platform, 'processes' | 'snapshot' | 'readLogs' | 'processesNamed'> {
  return {
    os: 'linux',
    origin,
    elevated,
    listSockets: async (query) => listSocketsFrom(await view(), query),
    async process(pid) {
      const details = (await view()).readProcess(pid, true);
      return details === null ? null : toProcessInfo(details);
    },
    portSettings: async (options = {}) => (await import('./port-settings.js')).collectLinuxPortSettings({ ...options, reader }),
    loadFirewall: async (options = {}) => (await import('./firewall/load.js')).loadLinuxFirewall({ ...options, reader }),
    loopback: async (options = {}) => (await import('./loopback-facts.js')).collectLinuxLoopback(options, reader),
    processArgv: async (pid) => (await view()).readArgv(pid),
    namespaceListeners: async (pid) => (await import('./netns-listeners.js')).namespaceListenersFrom(await view(), pid),
    dockerSocket: origin.kind === 'live' ? LINUX_DOCKER_SOCKET : null,
    hostsFile: (path) => readHostsThrough(reader, HOSTS, path),
    servicesFile: (path) => readServicesThrough(reader, SERVICES, path),
    // A replay reads the recorded file: this machine's home (or passwd) is none of its business.
    sshClientConfig: () => readUserSshConfig(reader, snapshot, snapshot === null ? liveSshConfigHome() : '', posix),
    advice: LINUX_ADVICE,
    causes: linuxCauseSources(reader),
  };
}

const liveView = async (): Promise<ProcView> => (await import('./proc-view-live.js')).liveProcView();

/**
 * The live Linux back-end: /proc read directly (the hot path), sysctls, `ip`, iptables/nft,
 * journalctl and docker for logs.
 */
export function createLinuxPlatform(): Platform {
  const reader = liveReader();
  return {
    ...linuxPlatform(reader, liveView, { kind: 'live' }, process.getuid?.() === 0, null),
    processesNamed: async (names) => (await import('./processes-named.js')).linuxProcessesNamed(names, process.getuid?.() === 0),
    readLogs: async (owner, options) => (await import('./logs/read-logs.js')).readLinuxLogs(owner, options),
    processes: {
      forcefulOnly: false,
      context: async (sockets) => (await import('./process-control.js')).LINUX_PROCESS_CONTROL.context(sockets),
      verify: async (holder) => (await import('./process-control.js')).LINUX_PROCESS_CONTROL.verify(holder),
      signal: async (pid, signal) => (await import('./process-control.js')).LINUX_PROCESS_CONTROL.signal(pid, signal),
    },
    snapshot: recordLinuxSnapshot,
  };
}

/** A Linux machine as a snapshot recorded it. */
export function createLinuxReplayPlatform(snapshot: Snapshot, origin: PlatformOrigin): Platform {
  const view = async (): Promise<ProcView> => (await import('./proc-view-snapshot.js')).snapshotProcView(snapshot);
  return {
    ...linuxPlatform(replayReader(snapshot), view, origin, snapshot.user.elevated, snapshot),
    // A snapshot records the socket holders' process files, not every process's name and arguments.
    processesNamed: async () => ({ ok: false, reason: 'not recorded: a snapshot holds the process files of socket holders only', hint: "Attach 'ps -eo pid,comm,args' to the bug report." }),
    readLogs: replayLogs,
    processes: replayProcessControl(view),
    snapshot: async (options = {}) => (options.redact === true && snapshot.redacted !== true ? redactSnapshot(snapshot) : snapshot),
  };
}

/**
 * Records every raw source the Linux back-end reads: the socket tables of every namespace, the
 * owners' fd links and process files, sysctls, `ip -j addr`, the firewall dumps, the hosts and
 * services files, /etc/passwd (for user names), the user's ssh client configuration, the listen backlogs and `systemctl
 * list-sockets`. Never a process's environment: it holds secrets.
 */
export async function recordLinuxSnapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
  const sources = new Map<string, SnapshotSource>();
  const reader = liveReader(sources);
  const [{ recordProcTree }, { collectLinuxPortSettings }, { collectLinuxLoopback }, { readFirewallRules }, { backlogKey }] = await Promise.all([
    import('./proc-snapshot-record.js'),
    import('./port-settings.js'),
    import('./loopback-facts.js'),
    import('./firewall/read-rules.js'),
    import('./proc-view-snapshot.js'),
  ]);
  const { namespacePids } = recordProcTree(sources);
  const elevated = process.getuid?.() === 0;
  await Promise.all([
    collectLinuxPortSettings({ reader }),
    collectLinuxLoopback({}, reader),
    readFirewallRules({ reader }),
    reader.file('hosts', HOSTS),
    reader.file('services', SERVICES),
    reader.file('passwd', '/etc/passwd'),
    // The user's ssh tunnels declared in ~/.ssh/config: a tunnel that is not running is diagnosed from it.
    readUserSshConfig(reader, null, liveSshConfigHome(), posix),
    reader.run(backlogKey(), 'ss', ['-ltneH'], { timeoutMs: 3000 }),
    // Names the socket unit when the replayed doctor finds systemd holding a port.
    linuxCauseSources(reader).socketUnits(),
    // Entering another namespace needs root, as it does for the live backlog lookup.
    ...(elevated ? namespacePids.map((pid) => reader.run(backlogKey(pid), 'nsenter', ['-t', String(pid), '-n', 'ss', '-ltneH'], { timeoutMs: 3000 })) : []),
  ]);
  const user = userInfo();
  const snapshot: Snapshot = {
    portdoctor: SNAPSHOT_FORMAT,
    os: 'linux',
    release: release(),
    capturedAt: new Date().toISOString(),
    user: { uid: user.uid, name: user.username, elevated },
    sources: Object.fromEntries([...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  return options.redact === true ? redactSnapshot(snapshot) : snapshot;
}
