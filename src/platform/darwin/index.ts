import { homedir, release, userInfo } from 'node:os';
import { posix } from 'node:path';
import type { LogOwner } from '../../logs/types.js';
import { readFileTail } from '../common/file-tail.js';
import { readUserSshConfig } from '../common/ssh-config-read.js';
import { readHostsThrough, readServicesThrough } from '../common/system-files.js';
import { SNAPSHOT_FORMAT, type Snapshot, type SnapshotOptions, type SnapshotSource } from '../snapshot/format.js';
import { liveReader, replayReader, type SourceReader } from '../snapshot/reader.js';
import { redactSnapshot } from '../snapshot/redact.js';
import type { LogRead, LogReadOptions, Platform, PlatformOrigin } from '../types.js';
import { DARWIN_ADVICE } from './advice.js';
import { DARWIN_CAUSE_SOURCES } from './causes.js';
import { darwinDockerSocket } from './docker-socket.js';
import { loadDarwinFirewall } from './firewall-load.js';
import { assembleInventory } from './inventory.js';
import { collectDarwinLoopback } from './loopback.js';
import { collectDarwinPortSettings } from './port-settings.js';
import { darwinProcessControl, replayProcessControl } from './process-control.js';
import { darwinProcessesNamed } from './processes-named.js';
import { readInventoryInput, readLstart, readOneProcess, runSpec } from './read-sources.js';
import { DARWIN_COMMANDS, DARWIN_FILES } from './sources.js';

/**
 * macOS keeps no per-process output files portdoctor could read (launchd jobs name theirs in
 * their plists), and its unified log is not read: `--log FILE` is the way to logs here.
 */
async function readDarwinLogs(owner: LogOwner, options: LogReadOptions, replaying: boolean): Promise<LogRead[]> {
  const reads: LogRead[] = [];
  const notHere = (source: string, why: string): LogRead => ({ source, read: { ok: false, reason: why, hint: 'Pass the log file with --log FILE.' } });
  if (owner.pid !== undefined) reads.push(notHere(`pid ${owner.pid}`, 'macOS has no log source portdoctor reads for a process'));
  if (owner.container !== undefined) reads.push(notHere(owner.container, 'container logs are not read on macOS'));
  if (owner.unit !== undefined) reads.push(notHere(owner.unit, 'launchd jobs name their log files in their plists; portdoctor does not read them'));
  if (owner.logFile !== undefined) {
    reads.push(
      replaying
        ? { source: owner.logFile, read: { ok: false, reason: 'not read: a snapshot does not hold logs', hint: 'Attach the log itself to the bug report.' } }
        : { source: owner.logFile, read: await readFileTail(owner.logFile, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }) },
    );
  }
  return reads;
}

/** Every source the back-end reads, read once through `reader` (recording, when it records). */
async function readEverything(reader: SourceReader): Promise<void> {
  await Promise.all([
    ...Object.values(DARWIN_COMMANDS).map((spec) => runSpec(reader, spec, 20_000)),
    ...Object.values(DARWIN_FILES).map((file) => reader.file(file.key, file.path)),
    readUserSshConfig(reader, null, homedir(), posix),
  ]);
}

/**
 * Records every raw source of this Mac (the commands of sources.ts, /etc/hosts, /etc/services),
 * exactly as read, for a bug report.
 */
export async function recordDarwinSnapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
  const sources = new Map<string, SnapshotSource>();
  await readEverything(liveReader(sources));
  const user = userInfo();
  const snapshot: Snapshot = {
    portdoctor: SNAPSHOT_FORMAT,
    os: 'darwin',
    release: release(),
    capturedAt: new Date().toISOString(),
    user: { uid: user.uid, name: user.username, elevated: process.getuid?.() === 0 },
    sources: Object.fromEntries([...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  return options.redact === true ? redactSnapshot(snapshot) : snapshot;
}

/**
 * The macOS back-end: live when no snapshot is given, else the replay of `snapshot`. Only the
 * reader differs; every answer goes through the same parsers and joins.
 *
 * @example
 * const mac = createDarwinPlatform(parseSnapshot(text), { kind: 'replay', … });
 * (await mac.listSockets({ ports: [5000] })).sockets[0]?.processes[0]?.name; // 'ControlCenter'
 */
export function createDarwinPlatform(snapshot?: Snapshot, origin?: PlatformOrigin): Platform {
  const replaying = snapshot !== undefined;
  const reader = replaying ? replayReader(snapshot) : liveReader();
  const elevated = replaying ? snapshot.user.elevated : process.getuid?.() === 0;
  const selfUid = replaying ? snapshot.user.uid : (process.getuid?.() ?? null);
  return {
    os: 'darwin',
    origin: origin ?? { kind: 'live' },
    elevated,
    listSockets: async (query) => assembleInventory(await readInventoryInput(reader, query, elevated), query, selfUid),
    async process(pid) {
      return (await readOneProcess(reader, pid))?.info(pid) ?? null;
    },
    portSettings: () => collectDarwinPortSettings(reader),
    loadFirewall: () => loadDarwinFirewall(reader),
    loopback: (options = {}) => collectDarwinLoopback(reader, options.name),
    hostsFile: (path) => readHostsThrough(reader, DARWIN_FILES.hosts.path, path),
    servicesFile: (path) => readServicesThrough(reader, DARWIN_FILES.services.path, path),
    sshClientConfig: () => readUserSshConfig(reader, replaying ? snapshot : null, homedir(), posix),
    readLogs: (owner, options = {}) => readDarwinLogs(owner, options, replaying),
    // ps gives the command line as one string, which cannot be split back into arguments truthfully.
    processArgv: async () => null,
    processesNamed: (names) => darwinProcessesNamed(reader, names),
    namespaceListeners: async () => ({
      ok: false,
      reason: "macOS has no network namespaces: containers run in Docker Desktop's virtual machine, whose sockets cannot be read from the Mac",
      hint: "List them from inside: 'docker exec NAME netstat -ltn'.",
    }),
    dockerSocket: replaying ? null : darwinDockerSocket(homedir()),
    processes: replaying ? replayProcessControl((pid) => readLstart(reader, pid)) : darwinProcessControl(reader),
    advice: DARWIN_ADVICE,
    causes: DARWIN_CAUSE_SOURCES,
    snapshot: replaying ? async (options = {}) => (options.redact === true && snapshot.redacted !== true ? redactSnapshot(snapshot) : snapshot) : recordDarwinSnapshot,
  };
}
