import { closeSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { errnoCode } from '../../errors.js';
import type { Collected } from '../../types.js';
import type { NamedProcess, NamedProcesses } from '../types.js';
import { listPids } from './fd-scan-core.js';
import { parseNsLink, procHidesPids } from './netns.js';
import { splitCmdline } from './process.js';

/** The namespace link of a process, or null when it cannot be read (another user's, without root). */
function netnsOf(pid: number | 'self'): number | null {
  try {
    return parseNsLink(readlinkSync(`/proc/${pid}/ns/net`));
  } catch {
    return null;
  }
}

/**
 * The live processes whose /proc/<pid>/comm is one of `names`, with their arguments. comm is one
 * short read per process (the kernel's task name, at most 15 bytes: longer names do not match);
 * cmdline and the namespace link are read only for the matches. A process that exits meanwhile is
 * skipped; one whose comm cannot be read (hidepid=1 hides other users' entries' contents,
 * hidepid=2 hides the entries) makes the answer partial, and it says so. Synchronous: a few
 * hundred tiny reads cost less than as many promises.
 *
 * @example
 * linuxProcessesNamed(['ssh']); // { ok: true, value: { processes: [{ pid: 4242, name: 'ssh', argv: ['ssh', '-N', '-L', …], … }], … } }
 */
export function linuxProcessesNamed(names: readonly string[], elevated: boolean): Collected<NamedProcesses> {
  let pids: number[];
  try {
    pids = listPids();
  } catch (error) {
    return { ok: false, reason: `/proc could not be listed (${errnoCode(error) ?? 'EIO'})`, hint: 'Run it where /proc is mounted.' };
  }
  const wanted = new Set(names);
  const ours = netnsOf('self');
  const processes: NamedProcess[] = [];
  let unreadable = 0;
  // One buffer for every comm (at most 16 bytes with its newline): open/read/close, no stat, no allocation per process.
  const buffer = Buffer.allocUnsafe(64);
  for (const pid of pids) {
    let length: number;
    try {
      const fd = openSync(`/proc/${pid}/comm`, 'r');
      try {
        length = readSync(fd, buffer, 0, buffer.length, 0);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT' && errnoCode(error) !== 'ESRCH') unreadable++;
      continue;
    }
    const name = buffer.toString('latin1', 0, length > 0 && buffer[length - 1] === 10 ? length - 1 : length);
    if (!wanted.has(name)) continue;
    let argv: string[];
    try {
      argv = splitCmdline(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      continue; // exited between the two reads
    }
    // A kernel thread or a zombie has an empty cmdline: no arguments to read.
    if (argv.length === 0) continue;
    const ns = netnsOf(pid);
    processes.push({ pid, name, argv, argvExact: true, sameNetns: ns === null || ours === null ? null : ns === ours });
  }
  let hides = false;
  if (!elevated) {
    try {
      hides = procHidesPids(readFileSync('/proc/self/mountinfo', 'utf8'));
    } catch {
      hides = false;
    }
  }
  const why = [hides ? '/proc is mounted with hidepid: only our own processes are listed' : null, unreadable > 0 ? `${unreadable} process${unreadable === 1 ? '' : 'es'} could not be read` : null].filter((w): w is string => w !== null);
  return { ok: true, value: { processes, examined: pids.length, partial: why.length === 0 ? null : why.join('; ') } };
}
