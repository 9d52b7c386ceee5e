import type { ContainerPublish, ProcessInfo } from '../../types.js';
import type { DockerContainer } from './docker-ps.js';
import { homebrewServiceOf } from './homebrew.js';
import type { LsofProcess } from './lsof.js';
import type { PsProcess } from './ps.js';
import { stateLetter } from './ps-state.js';
import { instantOf } from './tz.js';

/** What is known of processes, from each tool that names them. */
/** ps's processes by pid (read lazily: see PsTable). */
export interface PsLookup {
  has(pid: number): boolean;
  get(pid: number): PsProcess | undefined;
}

export interface ProcessSources {
  readonly ps: PsLookup | null;
  readonly lsof: ReadonlyMap<number, LsofProcess>;
  /** The process name netstat printed next to a pid (the process-pid layout; at most 16 characters). */
  readonly netstatNames: ReadonlyMap<number, string>;
  readonly states: ReadonlyMap<number, string> | null;
  readonly utcOffsetMinutes: number | null;
  readonly launchdJobs: ReadonlyMap<number, string> | null;
  readonly containers: readonly DockerContainer[] | null;
}

/** netstat prints at most 16 characters of a name. */
const NETSTAT_NAME_WIDTH = 16;
/** Docker Desktop's processes that hold published ports on the Mac. */
const DOCKER_FORWARDER = /^(com\.docker\.|vpnkit)/;

/**
 * The program's name from a command line: the last path component of its first word. A path with
 * spaces (`/Applications/Google Chrome.app/…`) cannot be told from its arguments in ps's text, so
 * this is only used when neither lsof nor netstat named the process.
 */
function nameFromCommand(command: string): string {
  const space = command.indexOf(' ');
  const first = space === -1 ? command : command.slice(0, space);
  return first.slice(first.lastIndexOf('/') + 1);
}

function publishesOf(name: string, containers: readonly DockerContainer[] | null): ContainerPublish[] | undefined {
  if (containers === null || !DOCKER_FORWARDER.test(name)) return undefined;
  return containers
    .filter((c) => c.state === null || c.state === 'running')
    .flatMap((c) =>
      c.published.map((p) => ({ port: p.hostPort, protocol: p.protocol, hostAddress: p.hostAddress, containerPort: p.containerPort, container: c.name, containerId: c.id, image: c.image })),
    );
}

/**
 * Every process a socket names, as portdoctor reports it: the name from lsof (the whole name), else
 * netstat (cut at 16 characters), else ps's command; ppid, user, start time and command line from
 * ps (lsof's where ps has none); the state from `ps -o stat`. Built once per listing; each pid is
 * worked out on first use.
 */
export class ProcessDirectory {
  private readonly cache = new Map<number, ProcessInfo>();

  constructor(private readonly sources: ProcessSources) {}

  /** Whether ps (when read) lists the pid: a pid it does not list has exited. */
  exists(pid: number): boolean | null {
    if (this.sources.ps === null) return null;
    return this.sources.ps.has(pid);
  }

  /** The uid ps or lsof gives the pid, or null. */
  uidOf(pid: number): number | null {
    return this.sources.ps?.get(pid)?.uid ?? this.sources.lsof.get(pid)?.uid ?? null;
  }

  info(pid: number): ProcessInfo {
    let info = this.cache.get(pid);
    if (info === undefined) {
      info = this.build(pid);
      this.cache.set(pid, info);
    }
    return info;
  }

  private build(pid: number): ProcessInfo {
    const { ps: psTable, lsof, netstatNames, states, utcOffsetMinutes, launchdJobs, containers } = this.sources;
    const ps = psTable?.get(pid);
    const listed = lsof.get(pid);
    const netstatName = netstatNames.get(pid);
    const command = ps?.command ?? '';
    const fromCommand = command === '' ? '' : nameFromCommand(command);
    // netstat's name may be cut at 16 characters: the command's own name is better when it starts the same.
    const fromNetstat = netstatName !== undefined && netstatName.length >= NETSTAT_NAME_WIDTH && fromCommand.startsWith(netstatName) ? fromCommand : netstatName;
    const name = (listed?.command || undefined) ?? fromNetstat ?? (fromCommand || '?');
    const uid = ps?.uid ?? listed?.uid ?? -1;
    const ppid = ps?.ppid ?? listed?.ppid ?? -1;
    const stat = states?.get(pid);
    const launchdJob = launchdJobs?.get(pid) ?? null;
    const homebrewService = homebrewServiceOf(launchdJob, command, ppid);
    const publishes = publishesOf(name, containers);
    // Optional fields are added when known (not spread in: this runs for every holder of a listing).
    const details: { os: 'darwin'; launchdJob: string | null; homebrewService?: string; publishes?: ContainerPublish[] } = { os: 'darwin', launchdJob };
    if (homebrewService !== null) details.homebrewService = homebrewService;
    if (publishes !== undefined) details.publishes = publishes;
    return {
      pid,
      ppid,
      name,
      command,
      user: ps?.user ?? listed?.login ?? (uid === -1 ? 'unknown' : String(uid)),
      uid,
      state: stat === undefined ? '?' : stateLetter(stat),
      startedAt: ps !== undefined && ps.start !== null && utcOffsetMinutes !== null ? instantOf(ps.start, utcOffsetMinutes) : null,
      container: null,
      details,
    };
  }
}
