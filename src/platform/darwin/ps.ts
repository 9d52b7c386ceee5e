import { ProblemList } from './problems.js';

/**
 * `ps -axww -o pid=,ppid=,uid=,user=,lstart=,args=` on macOS (and the shorter `-o pid,lstart,command`
 * with its header). `lstart` is strftime's `%c`: in the C locale always `Dow Mon dd hh:mm:ss yyyy`
 * with the day space-padded (`Mon Sep  7 14:55:26 2026`), in other locales something else entirely
 * (`2026년 9월 6일 일요일 23시 59분 26초`), so the caller must run ps with LC_ALL=C. It carries no time
 * zone: it is the machine's local time, and turning it into an instant is left to the caller.
 */

export interface StartTime {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export interface PsProcess {
  readonly pid: number;
  /** Null when the output has no such column. */
  readonly ppid: number | null;
  readonly uid: number | null;
  readonly user: string | null;
  /** `lstart` as printed (spaces collapsed). */
  readonly lstart: string;
  /** The calendar fields of `lstart` (local time of the machine, no zone), or null if unreadable. */
  readonly start: StartTime | null;
  /** The full command line (`args`/`command`), as ps printed it. */
  readonly command: string;
}

export interface PsResult {
  readonly processes: readonly PsProcess[];
  readonly problems: readonly string[];
}

export type PsColumn = 'pid' | 'ppid' | 'uid' | 'user' | 'lstart' | 'args';

/** What `ps -axww -o pid=,ppid=,uid=,user=,lstart=,args=` prints, in this order. */
export const PS_COLUMNS: readonly PsColumn[] = ['pid', 'ppid', 'uid', 'user', 'lstart', 'args'];

const HEADER_NAMES: Readonly<Record<string, PsColumn>> = {
  PID: 'pid',
  PPID: 'ppid',
  UID: 'uid',
  USER: 'user',
  STARTED: 'lstart',
  COMMAND: 'args',
  ARGS: 'args',
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LSTART = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) +(\d{2}):(\d{2}):(\d{2}) +(\d{4})/;

/**
 * Reads a C-locale `lstart` (`Mon Sep  7 14:55:26 2026`) into calendar fields; null when it is not
 * one, or when its weekday does not belong to its date (a sign of a misread line).
 *
 * @example
 * parseLstart('Mon Sep  7 14:55:26 2026'); // { year: 2026, month: 9, day: 7, hour: 14, minute: 55, second: 26 }
 * parseLstart('Tue Sep  7 14:55:26 2026'); // null (7 September 2026 is a Monday)
 */
export function parseLstart(text: string): StartTime | null {
  const match = LSTART.exec(text.trim());
  if (match === null || match[0].length !== text.trim().length) return null;
  const dow = match[1] ?? '';
  const start = { year: Number(match[7]), month: MONTHS.indexOf(match[2] ?? '') + 1, day: Number(match[3]), hour: Number(match[4]), minute: Number(match[5]), second: Number(match[6]) };
  // Date.UTC of a calendar date gives its weekday in any time zone, and rolls over invalid days.
  const date = new Date(Date.UTC(start.year, start.month - 1, start.day));
  if (date.getUTCDate() !== start.day || DAYS[date.getUTCDay()] !== dow) return null;
  if (start.hour > 23 || start.minute > 59 || start.second > 60) return null;
  return start;
}

/**
 * The columns a ps header line names (`PID STARTED COMMAND`), or null when the line is not a
 * header (its first word must be PID).
 *
 * @example
 * psHeaderColumns('  PID STARTED COMMAND'); // ['pid', 'lstart', 'args']
 * psHeaderColumns('  101 Mon Sep  7 …');   // null
 */
export function psHeaderColumns(line: string): PsColumn[] | null {
  // The first word decides before the whole line is split: most lines are processes, and their
  // command lines can be long.
  if (!FIRST_WORD_PID.test(line)) return null;
  const words = line.trim().split(/\s+/);
  const columns = words.map((w) => HEADER_NAMES[w]);
  return columns.length > 0 && columns.every((c): c is PsColumn => c !== undefined) && columns[0] === 'pid' ? columns : null;
}

const FIRST_WORD_PID = /^\s*PID(?:\s|$)/;
const DIGITS = /^\d+$/;
const SPACES = /\s+/g;

const numberOf = (text: string | undefined): number | null => (text !== undefined && DIGITS.test(text) ? Number(text) : null);

/** A column list made into one expression, and the capture group of each column in it. */
interface LineReader {
  readonly pattern: RegExp;
  readonly group: Partial<Record<PsColumn, number>>;
}

const readers = new WeakMap<readonly PsColumn[], LineReader>();

/**
 * Single words, lstart's five words, args the rest of the line, as one expression per column list
 * (made once): one match per line instead of one per column. A word is `\S+` followed by blanks
 * or the end, so no word can end anywhere else and the expression splits a line exactly as reading
 * the words one after the other would.
 */
function readerOf(columns: readonly PsColumn[]): LineReader {
  let reader = readers.get(columns);
  if (reader === undefined) {
    const group: Partial<Record<PsColumn, number>> = {};
    let source = '^\\s*';
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      group[column] = i + 1;
      if (column === 'args') {
        source += '([\\s\\S]*)';
        break;
      }
      source += column === 'lstart' ? '(\\S+(?:\\s+\\S+){4})(?:\\s+|$)' : '(\\S+)(?:\\s+|$)';
    }
    reader = { pattern: new RegExp(source), group };
    readers.set(columns, reader);
  }
  return reader;
}

/**
 * One process line by the column list: single words, lstart's five words, args the rest of the
 * line; null when the line does not fit.
 *
 * @example
 * parsePsLine('  101     1   501 agent    Wed Jul 29 05:12:03 2026     claude', PS_COLUMNS)?.command; // 'claude'
 */
export function parsePsLine(line: string, columns: readonly PsColumn[]): PsProcess | null {
  const { pattern, group } = readerOf(columns);
  const match = pattern.exec(line);
  if (match === null) return null;
  const value = (column: PsColumn): string | undefined => {
    const at = group[column];
    return at === undefined ? undefined : match[at];
  };
  const values = { pid: value('pid'), ppid: value('ppid'), uid: value('uid'), user: value('user'), lstart: value('lstart'), args: value('args') };
  const pid = numberOf(values.pid);
  if (pid === null || values.lstart === undefined) return null;
  if (columns.includes('ppid') && numberOf(values.ppid) === null) return null;
  if (columns.includes('uid') && numberOf(values.uid) === null) return null;
  const lstart = values.lstart.replace(SPACES, ' ');
  // Only the C-locale shape tells where lstart ends and the command begins.
  if (!LSTART.test(lstart)) return null;
  return {
    pid,
    ppid: numberOf(values.ppid),
    uid: numberOf(values.uid),
    user: values.user ?? null,
    lstart,
    start: parseLstart(lstart),
    command: values.args ?? '',
  };
}

/**
 * Parses ps output with the given columns (default: the `pid= ppid= uid= user= lstart= args=`
 * form, no header). A header line (`PID … STARTED COMMAND`) is recognised and sets the columns.
 *
 * @example
 * parsePs('  1899 Mon Aug 24 16:50:17 2026     /Applications/Espanso.app/Contents/MacOS/espanso launcher', ['pid', 'lstart', 'args']).processes[0];
 * // { pid: 1899, ppid: null, uid: null, user: null, lstart: 'Mon Aug 24 16:50:17 2026',
 * //   start: { year: 2026, month: 8, day: 24, hour: 16, minute: 50, second: 17 },
 * //   command: '/Applications/Espanso.app/Contents/MacOS/espanso launcher' }
 */
export function parsePs(text: string, columns: readonly PsColumn[] = PS_COLUMNS): PsResult {
  const problems = new ProblemList();
  const processes: PsProcess[] = [];
  let current = columns;
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const header = psHeaderColumns(line);
    if (header !== null) {
      current = header;
      continue;
    }
    const process = parsePsLine(line, current);
    if (process === null) {
      unreadable++;
      problems.add(`unreadable ps line: "${line.trim()}"`);
      continue;
    }
    if (process.start === null) problems.add(`pid ${process.pid}: "${process.lstart}" is not a valid date`);
    processes.push(process);
  }
  if (unreadable > 0) problems.add(`${unreadable} lines could not be read; lstart must be C-locale text (run ps with LC_ALL=C)`);
  return { processes, problems: problems.list() };
}
