import { spawnSync } from 'node:child_process';
import { homedir, release, userInfo } from 'node:os';
import { win32 } from 'node:path';
import { PORTDOCTOR_VERSION } from '../../version.js';
import { readUserSshConfig } from '../common/ssh-config-read.js';
import { readHostsThrough, readServicesThrough } from '../common/system-files.js';
import { SNAPSHOT_FORMAT, type Snapshot, type SnapshotOptions, type SnapshotSource } from '../snapshot/format.js';
import { liveReader, replayReader, type SourceReader } from '../snapshot/reader.js';
import { redactSnapshot } from '../snapshot/redact.js';
import type { Platform, PlatformOrigin } from '../types.js';
import { WIN32_ADVICE } from './advice.js';
import { WIN32_CAUSE_SOURCES } from './causes.js';
import { WIN32_FIREWALL } from './firewall.js';
import { listWin32Sockets } from './list-sockets.js';
import { readWin32Logs } from './logs.js';
import { win32LoopbackFacts } from './loopback.js';
import { collectWin32PortSettings } from './port-settings.js';
import { POWERSHELL_SOCKETS_SCRIPT } from './powershell.js';
import { win32ProcessControl } from './process-control.js';
import { lookUpProcesses, POWERSHELL_TIMEOUT_MS, toProcessInfo } from './process-details.js';
import { dynamicPortSource, NETSH_PAIRS, NETSH_PORTPROXY, NETSTAT_ANO, NETSTAT_ANOQ, powershellCommand, TASKLIST, readCodePage, runSource, windowsFilePath, type CodePageRead } from './sources.js';

/**
 * The Windows back-end: netstat, tasklist, netsh and PowerShell, read through one SourceReader —
 * this machine (live), or a recorded snapshot of a Windows machine (replay, on any OS). The code
 * is the same either way; only the reader differs. Source keys and their commands: README,
 * "Windows snapshot sources".
 */

/**
 * An elevated (administrator) token runs at High integrity, SID S-1-16-12288 (System: 16384),
 * which `whoami /groups` lists whatever the display language. Asked once, when first needed.
 */
function isElevated(): boolean {
  const result = spawnSync('whoami', ['/groups', '/fo', 'csv', '/nh'], { encoding: 'latin1', timeout: 5000, windowsHide: true });
  return result.status === 0 && /S-1-16-(12288|16384)\b/.test(result.stdout);
}

/** The chcp answer, read once per back-end (every console source is decoded with it). */
function codePageOnce(reader: SourceReader): () => Promise<CodePageRead> {
  let read: Promise<CodePageRead> | undefined;
  return () => (read ??= readCodePage(reader));
}

function win32Platform(reader: SourceReader, snapshot: Snapshot | null, origin: PlatformOrigin, elevated: () => boolean): Omit<Platform, 'snapshot'> {
  const codePage = codePageOnce(reader);
  const systemRoot = snapshot === null ? process.env['SystemRoot'] : undefined;
  const hosts = windowsFilePath(snapshot, 'hosts', systemRoot);
  const services = windowsFilePath(snapshot, 'services', systemRoot);
  return {
    os: 'win32',
    origin,
    get elevated() {
      return elevated();
    },
    listSockets: (query) => listWin32Sockets({ reader, codePage, elevated: elevated() }, query),
    async process(pid) {
      const { processes } = await lookUpProcesses(reader, [pid], codePage);
      const facts = processes.get(pid);
      return facts === undefined ? null : toProcessInfo(pid, facts);
    },
    portSettings: () => collectWin32PortSettings({ reader, codePage }),
    loadFirewall: async () => WIN32_FIREWALL,
    loopback: async () => win32LoopbackFacts(),
    hostsFile: (path) => readHostsThrough(reader, hosts, path),
    servicesFile: (path) => readServicesThrough(reader, services, path),
    // Win32-OpenSSH reads %USERPROFILE%\.ssh\config, which homedir() is on Windows.
    sshClientConfig: () => readUserSshConfig(reader, snapshot, homedir(), win32),
    readLogs: readWin32Logs,
    // Windows keeps a process's command line as one string: it cannot be split back into arguments truthfully.
    processArgv: async () => null,
    // tasklist gives names without arguments, and the command line is one string (see processArgv).
    processesNamed: async () => ({ ok: false, reason: "not available on Windows: tasklist gives no arguments, and a command line cannot be split back into them truthfully", hint: "Look at the ssh windows you have open; 'Get-CimInstance Win32_Process -Filter \"Name='ssh.exe'\"' lists their command lines." }),
    namespaceListeners: async () => ({
      ok: false,
      reason: "Windows has no network namespaces: containers run in Docker Desktop's or WSL 2's virtual machine, whose sockets cannot be read from Windows",
      hint: "List them from inside: 'docker exec NAME netstat -ltn', or 'wsl -- ss -ltn'.",
    }),
    // Docker Desktop's engine answers on a named pipe (DOCKER_HOST=npipe:////./pipe/docker_engine), which node:http reaches as a socket path.
    dockerSocket: snapshot === null ? '\\\\.\\pipe\\docker_engine' : null,
    processes: win32ProcessControl({ reader, codePage }),
    advice: WIN32_ADVICE,
    causes: WIN32_CAUSE_SOURCES,
  };
}

/**
 * The Windows back-end: live on this machine without a snapshot, or answering from `snapshot`.
 *
 * @example
 * const os = createWin32Platform();                       // on Windows
 * const replay = createWin32Platform(snapshot, origin);   // anywhere
 */
export function createWin32Platform(snapshot?: Snapshot, origin?: PlatformOrigin): Platform {
  if (snapshot !== undefined) {
    const replayOrigin: PlatformOrigin = origin ?? { kind: 'replay', file: null, capturedAt: snapshot.capturedAt, release: snapshot.release, user: snapshot.user, redacted: snapshot.redacted === true };
    return {
      ...win32Platform(replayReader(snapshot), snapshot, replayOrigin, () => snapshot.user.elevated),
      snapshot: async (options = {}) => (options.redact === true && snapshot.redacted !== true ? redactSnapshot(snapshot) : snapshot),
    };
  }
  let elevated: boolean | undefined;
  const elevatedOnce = (): boolean => (elevated ??= isElevated());
  return { ...win32Platform(liveReader(), null, { kind: 'live' }, elevatedOnce), snapshot: (options) => recordWin32Snapshot(options, elevatedOnce()) };
}

/**
 * Records every raw source the Windows back-end reads, each under its key, exactly as read:
 * the code page, both netstat listings, tasklist, the port proxy rules, both PowerShell scripts (every socket; every
 * process and running service), the netsh dynamic and excluded ranges of TCP/UDP over
 * IPv4/IPv6, and the hosts and services files.
 */
export async function recordWin32Snapshot(options: SnapshotOptions = {}, elevated = isElevated()): Promise<Snapshot> {
  const sources = new Map<string, SnapshotSource>();
  const reader = liveReader(sources);
  const codePage = codePageOnce(reader);
  await codePage();
  const systemRoot = process.env['SystemRoot'];
  await Promise.all([
    runSource(reader, 'netstat-ano', NETSTAT_ANO, { timeoutMs: 10_000 }),
    runSource(reader, 'netstat-anoq', NETSTAT_ANOQ, { timeoutMs: 10_000 }),
    // The fallback for process names, recorded even when PowerShell answers.
    runSource(reader, 'tasklist', TASKLIST, { timeoutMs: 5000 }),
    // The rules behind the IP Helper service's listeners (port proxies, often for WSL 2).
    runSource(reader, NETSH_PORTPROXY.key, NETSH_PORTPROXY, { timeoutMs: 5000 }),
    runSource(reader, 'powershell-sockets', powershellCommand(POWERSHELL_SOCKETS_SCRIPT), { timeoutMs: POWERSHELL_TIMEOUT_MS * 2 }),
    // Every process and service: a replay may be asked about any pid, and kill plans need parents.
    lookUpProcesses(reader, null, codePage),
    collectWin32PortSettings({ reader, codePage }),
    // The other dynamic ranges are not used, but a person reading the bug report may need them.
    ...NETSH_PAIRS.filter(([protocol, family]) => protocol !== 'tcp' || family !== 'ipv4').map(([protocol, family]) => {
      const source = dynamicPortSource(protocol, family);
      return runSource(reader, source.key, source, { timeoutMs: 5000 });
    }),
    reader.file('hosts', windowsFilePath(null, 'hosts', systemRoot)),
    reader.file('services', windowsFilePath(null, 'services', systemRoot)),
    readUserSshConfig(reader, null, homedir(), win32),
  ]);
  const user = userInfo();
  const snapshot: Snapshot = {
    portdoctor: SNAPSHOT_FORMAT,
    os: 'win32',
    release: release(),
    capturedAt: new Date().toISOString(),
    user: { uid: null, name: user.username, elevated },
    recordedBy: `portdoctor ${PORTDOCTOR_VERSION}`,
    sources: Object.fromEntries([...sources].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
  return options.redact === true ? redactSnapshot(snapshot) : snapshot;
}
