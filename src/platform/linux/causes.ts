import { readdir, readFile } from 'node:fs/promises';
import { errnoCode } from '../../errors.js';
import type { Collected } from '../../types.js';
import { notAvailable, type CauseSources, type OpenFiles, type ProcessEnvironment, type SocketUnit } from '../causes-types.js';
import type { SourceReader } from '../snapshot/reader.js';
import { parseEnviron, parseListSockets, parseOpenFilesLimit } from './causes-parsers.js';
import { parseIntegerSysctl, readSysctl } from './sysctl.js';

const TW_REUSE = 'net.ipv4.tcp_tw_reuse';

function unreadable<T>(path: string, code: string, pid: number): Collected<T> {
  if (code === 'ENOENT' || code === 'ESRCH') return { ok: false, reason: `process ${pid} has exited (${path}: ${code}).`, hint: 'Run again while it runs.' };
  if (code === 'EACCES' || code === 'EPERM') return { ok: false, reason: `${path} belongs to another user (${code}).`, hint: `Run with sudo to read it.` };
  return { ok: false, reason: `${path} could not be read (${code}).`, hint: 'Check that /proc is mounted.' };
}

/**
 * /proc/PID/environ, read directly and never through the snapshot reader: an environment holds
 * secrets (tokens, passwords in proxy URLs), so a bug report must not carry it.
 */
async function environment(pid: number): Promise<Collected<ProcessEnvironment>> {
  const path = `/proc/${pid}/environ`;
  try {
    return { ok: true, value: parseEnviron(await readFile(path)) };
  } catch (error) {
    return unreadable(path, errnoCode(error) ?? 'EIO', pid);
  }
}

/** The open descriptors (entries of /proc/PID/fd) against the "Max open files" of /proc/PID/limits. */
async function openFiles(pid: number): Promise<Collected<OpenFiles>> {
  const limitsPath = `/proc/${pid}/limits`;
  const fdPath = `/proc/${pid}/fd`;
  let limitsText: string;
  let entries: string[];
  try {
    limitsText = await readFile(limitsPath, 'latin1');
  } catch (error) {
    return unreadable(limitsPath, errnoCode(error) ?? 'EIO', pid);
  }
  try {
    entries = await readdir(fdPath);
  } catch (error) {
    return unreadable(fdPath, errnoCode(error) ?? 'EIO', pid);
  }
  const limit = parseOpenFilesLimit(limitsText);
  if (limit === null) return { ok: false, reason: `${limitsPath} has no "Max open files" line portdoctor recognises.`, hint: `Look at it yourself: cat ${limitsPath}` };
  return { ok: true, value: { pid, open: entries.length, softLimit: limit.soft, hardLimit: limit.hard } };
}

/**
 * The Linux sources of the cause checks. `reader` carries the sources a snapshot may hold
 * (`systemctl list-sockets`, the sysctl); the per-process files are live only.
 */
export function linuxCauseSources(reader: SourceReader): CauseSources {
  const replay = reader.replaying;
  const notInSnapshot = <T>(what: string): Collected<T> => notAvailable(what, 'from a replayed snapshot', 'Run portdoctor on the machine itself.');
  return {
    environment: (pid) => (replay ? Promise.resolve(notInSnapshot(`The environment of process ${pid}`)) : environment(pid)),
    openFiles: (pid) => (replay ? Promise.resolve(notInSnapshot(`The open files of process ${pid}`)) : openFiles(pid)),
    async socketUnits(): Promise<Collected<readonly SocketUnit[]>> {
      const run = await reader.run('systemctl-list-sockets', 'systemctl', ['list-sockets', '--all', '--full', '--no-pager'], { timeoutMs: 3000 });
      if (!run.ok) {
        const why = run.failure === 'missing' ? 'systemctl is not installed' : run.failure === 'not-recorded' ? 'the snapshot has no systemctl list-sockets' : `systemctl list-sockets failed (${run.stderr.trim().split('\n')[0] || run.failure})`;
        return { ok: false, reason: `${why}: the socket unit could not be named.`, hint: "Look for it with 'systemctl list-sockets --all'." };
      }
      const units = parseListSockets(run.stdout);
      if (units === null) return { ok: false, reason: 'systemctl list-sockets printed a table portdoctor does not recognise.', hint: "Look for the unit with 'systemctl list-sockets --all'." };
      return { ok: true, value: units };
    },
    async timeWaitReuse(): Promise<Collected<number>> {
      const read = await readSysctl(TW_REUSE, { reader });
      const value = read.ok ? parseIntegerSysctl(read.text) : null;
      return value === null ? { ok: false, reason: `${TW_REUSE} could not be read${read.ok ? '' : ` (${read.detail})`}.`, hint: `sysctl ${TW_REUSE}` } : { ok: true, value };
    },
  };
}
