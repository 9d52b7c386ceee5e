import { forwardText } from '../forwarders/socket-forward.js';
import { adviceFor } from '../platform/advice.js';
import type { OsName, ScanStats } from '../platform/types.js';
import type { Socket } from '../types.js';
import { displayAddress } from './address.js';
import { styler } from './color.js';
import { tableLines, type Column } from './table.js';

export interface SocketTableOptions {
  readonly color: boolean;
  readonly width: number;
  /** Add the REMOTE column (for --all, where connections are listed). */
  readonly showRemote: boolean;
  /** Whose sockets these are (default linux): it words the hint for hidden owners. */
  readonly os?: OsName;
}

function protoLabel(socket: Socket): string {
  return socket.family === 'ipv6' ? `${socket.protocol}6` : socket.protocol;
}

/**
 * The human table of `ls` and `who`: one line per (socket, process); a socket shared by several
 * processes (pre-fork servers) gets one line per process, so no owner is hidden behind another.
 */
export function renderSocketTable(sockets: readonly Socket[], options: SocketTableOptions): string {
  return [...socketTableLines(sockets, options)].join('\n');
}

/** The same table, one line at a time (for long listings: see writeLines in cli/io.ts). */
export function socketTableLines(sockets: readonly Socket[], options: SocketTableOptions): Generator<string> {
  const style = styler(options.color);
  const showNetns = sockets.some((s) => s.netns !== undefined && !s.netns.current);
  const hiddenOwner = `owner hidden — ${adviceFor(options.os ?? 'linux').elevateHint} to see the process`;
  const columns: Column[] = [{ header: 'PROTO' }, { header: 'LOCAL' }];
  if (options.showRemote) columns.push({ header: 'REMOTE' });
  columns.push({ header: 'STATE' });
  if (showNetns) columns.push({ header: 'NETNS' });
  columns.push({ header: 'PID', right: true }, { header: 'USER' }, { header: 'PROCESS' });

  function* rows(measuring: boolean): Generator<string[]> {
    for (const socket of sockets) {
      const lead = [protoLabel(socket), displayAddress(socket.address, socket.port)];
      if (options.showRemote) lead.push(socket.remoteAddress === null ? '' : displayAddress(socket.remoteAddress, socket.remotePort));
      lead.push(socket.state);
      if (showNetns) lead.push(socket.netns === undefined || socket.netns.current ? '' : style.yellow(socket.netns.name ?? `net:${socket.netns.id}`));
      if (socket.processes.length === 0) {
        const what = socket.ownerHidden ? style.yellow(hiddenOwner) : socket.inode === 0 ? style.dim('(no process: kernel-held)') : style.dim('(no process found)');
        yield [...lead, '-', socket.user, what];
        continue;
      }
      let first = true;
      for (const proc of socket.processes) {
        const cells = first ? lead : lead.map(() => '');
        // The forward goes next to the holder, before the command line that the width may cut.
        const forward = first && socket.forward !== undefined ? ` ${style.cyan(forwardText(socket.forward))} ` : ' ';
        first = false;
        const stopped = proc.state === 'T' || proc.state === 't' ? style.red(' [stopped]') : proc.state === 'Z' ? style.red(' [zombie]') : '';
        // The last column is not measured (see tableLines): skip building it then.
        yield [...cells, String(proc.pid), proc.user, measuring ? '' : `${style.bold(proc.name)}${stopped}${forward}${style.dim(proc.command)}`];
      }
    }
  }
  return tableLines(columns, rows, options.width, style.dim);
}

/** What the scan could not see — hidden owners, unread sources — or nothing when it saw everything. */
export function renderScanNote(stats: ScanStats, sockets: readonly Socket[], os: OsName = 'linux'): string | null {
  const notes: string[] = [];
  const hidden = sockets.filter((s) => s.ownerHidden).length;
  if (hidden > 0 && !stats.privileged) {
    const why = os === 'linux' ? `${stats.processesHidden} processes not readable without root` : 'other users\' processes are not shown without privileges';
    notes.push(`${hidden} socket${hidden === 1 ? '' : 's'} belong to processes of other users (${why}): ${adviceFor(os).elevateHint} to see them.`);
  }
  for (const unread of stats.unread ?? []) notes.push(`Not read: ${unread.source} (${unread.reason}): ${unread.effect}.`);
  return notes.length === 0 ? null : notes.join('\n');
}
