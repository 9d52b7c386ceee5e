/**
 * `netsh int ipv4|ipv6 show dynamicport tcp|udp` and
 * `netsh interface ipv4|ipv6 show excludedportrange protocol=tcp|udp`, read by their numbers.
 * netsh localises every word of both outputs (`Start Port` / `启动端口` / `Puerto de inicio`,
 * `* - Administered port exclusions.` / `* - 管理的端口排除。`), but not the digits, the dashes
 * under the column headings, or the `*` that marks a range an administrator added.
 */

export interface DynamicPortRange {
  readonly start: number;
  readonly count: number;
  /** start + count − 1: the last port of the range. */
  readonly end: number;
}

export interface ExcludedPortRange {
  readonly from: number;
  readonly to: number;
  /**
   * Marked `*`: added with `netsh … add excludedportrange` (by an administrator or an installer),
   * persistent. Unmarked ranges are reserved at run time, mostly by WinNAT/HNS for Hyper-V, WSL2
   * and Docker, and move when WinNAT restarts.
   */
  readonly administered: boolean;
}

export type NetshResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const NUMBER_AFTER_COLON = /:\s*(\d+)\s*$/;
const RANGE_LINE = /^\s*(\d+)\s+(\d+)(\s+\*)?\s*$/;
const DASH_LINE = /^\s*-{3,}\s+-{3,}\s*$/;

/**
 * The dynamic (ephemeral) range from `show dynamicport`: the two lines that end in
 * `: <number>` are the start port and the number of ports, in that order, in every language.
 * Anything else (an error text, a third number) gives no range.
 *
 * @example
 * parseDynamicPortRange('Protocol tcp Dynamic Port Range\n---\nStart Port      : 49152\nNumber of Ports : 16384\n');
 * // { ok: true, value: { start: 49152, count: 16384, end: 65535 } }
 */
export function parseDynamicPortRange(text: string): NetshResult<DynamicPortRange> {
  const numbers: number[] = [];
  for (const line of text.split(/\r?\n|\r/)) {
    const match = NUMBER_AFTER_COLON.exec(line);
    if (match) numbers.push(Number(match[1]));
  }
  if (numbers.length !== 2) return { ok: false, reason: `expected two "label : number" lines (start port, number of ports), found ${numbers.length}` };
  const [start = 0, count = 0] = numbers;
  const end = start + count - 1;
  if (start < 1 || start > 65535 || count < 1 || end > 65535) {
    return { ok: false, reason: `start ${start} with ${count} ports is not a range of ports 1–65535` };
  }
  return { ok: true, value: { start, count, end } };
}

/**
 * The excluded ranges from `show excludedportrange`: the lines under the dashed heading line
 * that hold two port numbers, the second not below the first, optionally followed by `*`.
 * The footnote and blank lines are ignored. Without the dashed line (an error message such as
 * "The requested operation requires elevation", in any language) there is no table and no
 * answer — rather than a wrong "nothing is excluded". A line under the dashes that starts with a
 * digit but is not a valid range also gives no answer.
 *
 * @example
 * parseExcludedPortRanges('Start Port    End Port\n----------    --------\n  5357  5357\n 50000 50059     *\n');
 * // { ok: true, value: [{ from: 5357, to: 5357, administered: false }, { from: 50000, to: 50059, administered: true }] }
 */
export function parseExcludedPortRanges(text: string): NetshResult<ExcludedPortRange[]> {
  const lines = text.split(/\r?\n|\r/);
  const dashes = lines.findIndex((line) => DASH_LINE.test(line));
  if (dashes === -1) return { ok: false, reason: 'no table: the dashed line under the column headings is missing' };
  const ranges: ExcludedPortRange[] = [];
  for (let index = dashes + 1; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const match = RANGE_LINE.exec(line);
    if (match === null) {
      if (/^\s*\d/.test(line)) return { ok: false, reason: `line ${index + 1} "${line.trim()}" starts with a number but is not a range` };
      continue;
    }
    const from = Number(match[1]);
    const to = Number(match[2]);
    if (from < 1 || to > 65535 || to < from) return { ok: false, reason: `line ${index + 1}: ${from}–${to} is not a range of ports 1–65535` };
    ranges.push({ from, to, administered: match[3] !== undefined });
  }
  return { ok: true, value: ranges };
}

/**
 * The excluded range that holds `port`, or null.
 *
 * @example
 * excludedRangeFor(5037, [{ from: 4990, to: 5089, administered: false }]); // that range
 */
export function excludedRangeFor(port: number, ranges: readonly ExcludedPortRange[]): ExcludedPortRange | null {
  return ranges.find((range) => port >= range.from && port <= range.to) ?? null;
}
