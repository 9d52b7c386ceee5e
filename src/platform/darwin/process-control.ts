import type { Socket } from '../../types.js';
import { sendSignal } from '../common/signal.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { HolderVerdict, KillContext, PlannedHolder, ProcessControl } from '../types.js';
import { parseLsof } from './lsof.js';
import { parseLstart } from './ps.js';
import { LSOF_HOLDS_ARGS, PS_IDENTITY_ARGS } from './sources.js';

/**
 * A macOS process's identity for the life of the system: its pid and `lstart` (the start time ps
 * prints to the second, in the C locale). A pid reused within the same second by a new process
 * is the one case this cannot tell apart; the socket check below still has to pass.
 */
const identityOf = (lstart: string): string => `lstart:${lstart}`;

interface PsIdentity {
  readonly ppid: number;
  readonly uid: number;
  readonly lstart: string;
}

/** `ps -o pid=,ppid=,uid=,lstart= -p …` → pid → identity fields. */
export function parseIdentities(text: string): Map<number, PsIdentity> {
  const found = new Map<number, PsIdentity>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s*$/.exec(line);
    if (match === null) continue;
    const lstart = (match[4] ?? '').replace(/\s+/g, ' ');
    if (parseLstart(lstart) === null) continue;
    found.set(Number(match[1]), { ppid: Number(match[2]), uid: Number(match[3]), lstart });
  }
  return found;
}

async function identities(reader: SourceReader, pids: readonly number[]): Promise<Map<number, PsIdentity>> {
  if (pids.length === 0) return new Map();
  // ps exits 1 when one of the pids is gone: its output for the others still counts.
  const run = await reader.run('kill-ps', 'ps', PS_IDENTITY_ARGS(pids), { timeoutMs: 5000 });
  return parseIdentities(run.stdout);
}

/** Our ancestors, by walking ps's parent pids up to launchd (bounded: a process tree is not deep). */
async function ancestorsOf(reader: SourceReader, pid: number): Promise<number[]> {
  const chain: number[] = [];
  let current = pid;
  for (let depth = 0; depth < 64; depth++) {
    const parent = (await identities(reader, [current])).get(current)?.ppid;
    if (parent === undefined || parent <= 0 || chain.includes(parent)) break;
    chain.push(parent);
    if (parent === 1) break;
    current = parent;
  }
  return chain;
}

/** Does `pid` still hold a listening TCP or bound UDP socket on one of the planned ports? */
async function stillHolds(reader: SourceReader, holder: PlannedHolder): Promise<boolean> {
  for (const socket of holder.sockets) {
    const run = await reader.run('kill-lsof', 'lsof', LSOF_HOLDS_ARGS(holder.pid, socket.protocol, socket.port), { timeoutMs: 5000 });
    const held = parseLsof(run.stdout).processes.some((p) => p.pid === holder.pid && p.sockets.some((s) => s.port === socket.port && (s.state === 'LISTEN' || (s.protocol === 'udp' && s.state === 'UNCONN'))));
    if (held) return true;
  }
  return false;
}

/**
 * Stopping processes on macOS: identities from ps (pid + lstart), holding re-checked with lsof,
 * signals with kill(2). Without root, lsof cannot see another user's process hold its socket;
 * such a process is then left to the kernel, which refuses the signal (EPERM) — reported as
 * permission-denied, never mistaken for "released".
 */
export function darwinProcessControl(reader: SourceReader): ProcessControl {
  const selfUid = process.getuid?.() ?? null;
  return {
    forcefulOnly: false,
    async context(sockets: readonly Socket[]): Promise<KillContext> {
      const pids = [...new Set(sockets.flatMap((s) => s.processes.map((p) => p.pid)))];
      const [found, ancestors] = await Promise.all([identities(reader, pids), ancestorsOf(reader, process.pid)]);
      const ids = new Map<number, string | null>();
      for (const pid of pids) {
        const identity = found.get(pid);
        ids.set(pid, identity === undefined ? null : identityOf(identity.lstart));
      }
      return { identities: ids, startTicks: new Map(pids.map((pid) => [pid, null])), selfPid: process.pid, ancestors, userManagerPids: new Set() };
    },
    async verify(holder: PlannedHolder): Promise<HolderVerdict> {
      const now = (await identities(reader, [holder.pid])).get(holder.pid);
      if (now === undefined) return 'gone';
      if (identityOf(now.lstart) !== holder.identity) return 'reused';
      if (selfUid !== 0 && now.uid !== selfUid) return 'same';
      return (await stillHolds(reader, holder)) ? 'same' : 'released';
    },
    async signal(pid, signal) {
      return sendSignal(pid, signal);
    },
  };
}

/**
 * A replay plans (`kill --dry-run`) from the snapshot's ps lines and never signals: the processes
 * belong to the machine the snapshot came from. A snapshot without ps still plans, by pid alone
 * (`pid:N`, an identity nothing could ever be checked against, so it could never be signalled).
 */
export function replayProcessControl(lstartOf: (pid: number) => Promise<string | null | undefined>): ProcessControl {
  return {
    forcefulOnly: false,
    async context(sockets) {
      const pids = [...new Set(sockets.flatMap((s) => s.processes.map((p) => p.pid)))];
      const ids = new Map<number, string | null>();
      for (const pid of pids) {
        const lstart = await lstartOf(pid);
        ids.set(pid, lstart === undefined ? `pid:${pid}` : lstart === null ? null : identityOf(lstart));
      }
      return { identities: ids, startTicks: new Map(pids.map((pid) => [pid, null])), selfPid: -1, ancestors: [], userManagerPids: new Set() };
    },
    async verify() {
      return 'gone';
    },
    async signal() {
      return 'gone';
    },
  };
}
