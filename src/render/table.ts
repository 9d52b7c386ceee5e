import { visibleLength } from './color.js';

export interface Column {
  readonly header: string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/**
 * The lines of an aligned table, produced one at a time. Columns are as wide as their widest cell;
 * the last column is cut with "…" so every line fits `width` (the terminal's columns, 80 when not
 * a terminal), which keeps long command lines from wrapping into unreadable output. `rows` is
 * called twice — once to measure (`measuring` true), once to print — so a 20,000-row listing is
 * never held as formatted text all at once. The last column is never padded, so while measuring
 * its cells are not read: a producer may leave them out (they are the long, costly ones).
 *
 * @example
 * for (const line of tableLines([{ header: 'PORT', right: true }], () => [['3000']], 80)) console.log(line);
 */
export function* tableLines(
  columns: readonly Column[],
  rows: (measuring: boolean) => Iterable<readonly string[]>,
  width: number,
  headerStyle: (text: string) => string = (t) => t,
): Generator<string> {
  const widths = columns.map((column) => visibleLength(column.header));
  const padded = columns.length - 1;
  for (const row of rows(true)) {
    for (let index = 0; index < padded; index++) {
      const length = visibleLength(row[index] ?? '');
      if (length > widths[index]!) widths[index] = length;
    }
  }
  const format = (cells: readonly string[], style: (text: string) => string): string => {
    let line = '';
    cells.forEach((cell, index) => {
      const column = columns[index];
      const isLast = index === columns.length - 1;
      const pad = (widths[index] ?? 0) - visibleLength(cell);
      if (isLast) {
        const room = Math.max(width - visibleLength(line), 8);
        line += visibleLength(cell) > room ? `${cell.slice(0, room - 1)}…` : cell;
      } else {
        line += column?.right === true ? ' '.repeat(pad) + cell : cell + ' '.repeat(pad);
        line += '  ';
      }
    });
    return style(line.trimEnd());
  };
  yield format(
    columns.map((c) => c.header),
    headerStyle,
  );
  for (const row of rows(false)) yield format(row, (t) => t);
}

/**
 * Renders an aligned table as one string (see tableLines).
 *
 * @example
 * renderTable([{ header: 'PORT', right: true }, { header: 'PROCESS' }], [['3000', 'node']], 80)
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], width: number, headerStyle: (text: string) => string = (t) => t): string {
  return [...tableLines(columns, () => rows, width, headerStyle)].join('\n');
}

/** The width to render for: the terminal's, or 80 when output is not a terminal. */
export function outputWidth(stream: NodeJS.WritableStream): number {
  const columns = (stream as { columns?: number }).columns;
  return typeof columns === 'number' && columns > 20 ? columns : 80;
}
