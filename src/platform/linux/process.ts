import { readFileSync } from 'node:fs';
import type { ProcessInfo } from '../../types.js';
import { userName } from './users.js';

/**
 * Linux reports start times in clock ticks since boot. USER_HZ is 100 on every architecture
 * Linux supports today (it is a fixed ABI value, unlike the kernel's internal HZ), and Node has
 * no sysconf(_SC_CLK_TCK) to ask.
 */
const CLOCK_TICKS_PER_SECOND = 100;

let bootTimeMs: number | null | undefined;

/** The `btime` line of /proc/stat (seconds since the epoch) → milliseconds, or null. */
export function parseBootTimeMs(text: string): number | null {
  const match = /^btime (\d+)$/m.exec(text);
  return match ? Number(match[1]) * 1000 : null;
}

/** Boot time from /proc/stat, read once. */
function readBootTimeMs(): number | null {
  if (bootTimeMs !== undefined) return bootTimeMs;
  try {
    bootTimeMs = parseBootTimeMs(readFileSync('/proc/stat', 'latin1'));
  } catch {
    bootTimeMs = null;
  }
  return bootTimeMs;
}

/** The fields of /proc/<pid>/stat we use. */
export interface ProcStat {
  readonly name: string;
  readonly state: string;
  readonly ppid: number;
  /** Start time in clock ticks after boot: with the pid, it identifies a process (pids are reused). */
  readonly startTicks: number;
}

/**
 * Parses /proc/<pid>/stat. The name (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so the fields after it are found from the *last* ")".
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open === -1 || close === -1 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field 4 ppid; field 22 starttime → rest[19].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (state === undefined || !Number.isFinite(ppid) || !Number.isFinite(startTicks)) return null;
  return { name: text.slice(open + 1, close), state, ppid, startTicks };
}

/** Real uid from the `Uid:` line of /proc/<pid>/status. */
export function parseStatusUid(text: string): number | null {
  const at = text.indexOf('\nUid:');
  if (at === -1) return null;
  const value = Number.parseInt(text.slice(at + 5).trimStart(), 10);
  return Number.isFinite(value) ? value : null;
}

const CONTAINER_PATTERNS: readonly RegExp[] = [
  /\/docker[-/]([0-9a-f]{64})(?:\.scope)?/,
  /\/cri-containerd-([0-9a-f]{64})\.scope/,
  /\/crio-([0-9a-f]{64})\.scope/,
  /\/libpod-([0-9a-f]{64})(?:\.scope)?/,
  /\/kubepods[^\n]*\/([0-9a-f]{64})/,
  /\/lxc(?:\.payload)?[./]([^/\n]+)/,
];

/**
 * The systemd unit and container id from /proc/<pid>/cgroup. Units are the last `.service`
 * component of the path (a process in `system.slice/nginx.service` belongs to nginx.service);
 * containers are recognised by the path conventions of Docker, containerd, CRI-O, Podman and LXC.
 */
export function parseCgroup(text: string): { unit: string | null; container: string | null } {
  let unit: string | null = null;
  let container: string | null = null;
  for (const line of text.split('\n')) {
    // "hierarchy-ID:controllers:path"; cgroup v2 is "0::/path".
    const path = line.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
    if (path === '' || path === '/') continue;
    if (container === null) {
      for (const pattern of CONTAINER_PATTERNS) {
        const match = pattern.exec(path);
        if (match?.[1] !== undefined) {
          container = match[1];
          break;
        }
      }
    }
    if (unit === null) {
      const services = path.split('/').filter((part) => part.endsWith('.service'));
      if (services.length > 0) unit = services[services.length - 1] ?? null;
    }
  }
  return { unit, container };
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The start time of a pid in clock ticks, or null when it is gone. Used to detect pid reuse. */
export function processStartTicks(pid: number): number | null {
  const stat = readText(`/proc/${pid}/stat`);
  return stat === null ? null : (parseProcStat(stat)?.startTicks ?? null);
}

/**
 * /proc/<pid>/cmdline as arguments: NUL-separated with a trailing NUL. Empty (a kernel thread, or a
 * zombie) gives no arguments. A program that rewrote its title may leave one space-joined string:
 * that is what it says, and it is kept as it is.
 *
 * @example
 * splitCmdline('ssh\0-N\0-L\08080:localhost:80\0web1\0') // ['ssh', '-N', '-L', '8080:localhost:80', 'web1']
 */
export function splitCmdline(cmdline: string): string[] {
  if (cmdline === '') return [];
  return cmdline.replace(/\0$/, '').split('\0');
}

export interface ProcessDetails extends ProcessInfo {
  readonly startTicks: number;
}

/** Where process files come from: the live /proc, or a snapshot of it. */
export interface ProcSource {
  /** The text of a file, or null when it cannot be read (the process exited, or it is not ours). */
  readonly text: (path: string) => string | null;
  readonly bootTimeMs: () => number | null;
  readonly userName: (uid: number) => string;
}

const LIVE_PROC: ProcSource = { text: readText, bootTimeMs: readBootTimeMs, userName };

/**
 * Everything we report about one process. Returns null when the process has exited. Fields
 * that a non-root caller may not read (another user's cmdline is readable; cgroup is too)
 * degrade to empty values rather than failing the whole process.
 */
export function readProcess(pid: number, options: { cgroup?: boolean } = {}, source: ProcSource = LIVE_PROC): ProcessDetails | null {
  const statText = source.text(`/proc/${pid}/stat`);
  if (statText === null) return null;
  const stat = parseProcStat(statText);
  if (stat === null) return null;
  const statusText = source.text(`/proc/${pid}/status`);
  const uid = statusText === null ? -1 : (parseStatusUid(statusText) ?? -1);
  const cmdline = source.text(`/proc/${pid}/cmdline`);
  // Arguments are NUL-separated with a trailing NUL; kernel threads have an empty cmdline.
  const command = cmdline === null || cmdline === '' ? `[${stat.name}]` : cmdline.replace(/\0+$/, '').split('\0').join(' ');
  // The unit and container cost one more file per process; callers that do not show them skip it.
  const cgroup = options.cgroup === false ? null : source.text(`/proc/${pid}/cgroup`);
  const { unit, container } = cgroup === null ? { unit: null, container: null } : parseCgroup(cgroup);
  const boot = source.bootTimeMs();
  return {
    pid,
    ppid: stat.ppid,
    name: stat.name,
    command,
    user: uid === -1 ? '?' : source.userName(uid),
    uid,
    state: stat.state,
    startedAt: boot === null ? null : new Date(boot + (stat.startTicks * 1000) / CLOCK_TICKS_PER_SECOND).toISOString(),
    unit,
    container,
    startTicks: stat.startTicks,
  };
}

/** The public shape (without the internal start ticks). */
export function toProcessInfo(details: ProcessDetails): ProcessInfo {
  const { startTicks: _startTicks, ...info } = details;
  return info;
}
