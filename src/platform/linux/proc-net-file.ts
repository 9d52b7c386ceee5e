import { closeSync, openSync, readSync } from 'node:fs';
import { errnoCode } from '../../errors.js';
import { parseProcNetRows, type ProcNetRow, type ProcNetTable, type RowFilter } from './proc-net.js';

/**
 * Reading a live /proc/net table. Two facts of the kernel shape this file:
 * - one read() of a seq_file returns at most one page (4 KiB) of whole rows, whatever the buffer
 *   size, so a table of 20,000 sockets takes ~800 reads; the text is decoded and parsed once per
 *   full buffer rather than once per read, and never held whole (tables reach megabytes); a short
 *   read is the last one;
 * - the TCP tables list every listener before any other socket, so a listening-only query stops
 *   reading at the first established row, and the kernel never walks the rest of its hash.
 */

const BUFFER_SIZE = 64 * 1024;
/** Parse when less than a page is left, so that the next read still has room for a full page. */
const MIN_ROOM = 4096;
const NEWLINE = 10;
/**
 * A read this short was the last one. seq_file fills its buffer (one page, at least 4 KiB) until
 * the table ends, the caller's count is reached, or the next row does not fit; rows are under 300
 * bytes, so a read that returns less than a page minus 512 bytes, asking for more, has met the end.
 * Not asking again saves the final, empty read, which for TCP costs one more walk of the kernel's
 * whole established hash (≈2 ms even when it is empty).
 */
const LAST_READ_BELOW = 4096 - 512;

/** One buffer for every table: reads are blocking, so one table is read at a time. */
const sharedBuffer = Buffer.allocUnsafe(BUFFER_SIZE);

/** Turns the bytes of one table, as they arrive in its buffer, into rows. */
class TableParser {
  readonly rows: ProcNetRow[] = [];
  /** Where the next read goes: bytes [0, filled) are read but not parsed yet. */
  readonly buffer = sharedBuffer;
  filled = 0;
  private pastHeader = false;
  private finished = false;

  constructor(
    private readonly table: ProcNetTable,
    private readonly filter: RowFilter,
  ) {}

  get room(): number {
    return this.buffer.length - this.filled;
  }

  /** Takes the `bytesRead` bytes just read at `filled` (asking for `room`); returns false when the table needs no more reading. */
  accept(bytesRead: number): boolean {
    const eof = bytesRead === 0 || (bytesRead < LAST_READ_BELOW && bytesRead < this.room);
    const end = this.filled + bytesRead;
    this.filled = end;
    if (!eof && this.room >= MIN_ROOM) return true;
    const used = eof ? end : this.buffer.lastIndexOf(NEWLINE, end - 1) + 1;
    this.parse(this.buffer.toString('latin1', 0, used));
    if (eof || this.finished) return false;
    // Keep the partial last line for the next round.
    this.buffer.copy(this.buffer, 0, used, end);
    this.filled = end - used;
    return true;
  }

  private parse(text: string): void {
    let start = 0;
    if (!this.pastHeader) {
      start = text.indexOf('\n') + 1;
      if (start === 0) return;
      this.pastHeader = true;
    }
    const stopAfterListeners = this.filter.listeningOnly && this.table.protocol === 'tcp';
    this.finished = parseProcNetRows(text, start, this.table.protocol, this.table.family, this.filter, stopAfterListeners, this.rows);
  }
}

/**
 * Reads and parses one table. Blocking reads on purpose: measured against libuv's pool (one
 * round trip per 4 KiB page), they cost about half the system time at 40,000 sockets and were as
 * fast or faster at every scale of `npm run bench`. A table that cannot be read (tcp6 with IPv6
 * disabled at boot, a namespace that just vanished) gives null.
 */
export function readProcNetTableSync(path: string, table: ProcNetTable, filter: RowFilter, onError?: (code: string) => void): ProcNetRow[] | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    onError?.(errnoCode(error) ?? 'EIO');
    return null;
  }
  const parser = new TableParser(table, filter);
  try {
    while (parser.accept(readSync(fd, parser.buffer, parser.filled, parser.room, null)));
    return parser.rows;
  } catch (error) {
    onError?.(errnoCode(error) ?? 'EIO');
    return null;
  } finally {
    closeSync(fd);
  }
}
