import { visibleLength } from './color.js';

export interface Column {
  readonly header: string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

/**
 * Renders an aligned table. Columns are as wide as their widest cell; the last column is cut
 * with "…" so every line fits `width` (the terminal's columns, 80 when not a terminal), which
 * keeps long command lines from wrapping into unreadable output.
 *
 * @example
 * renderTable([{ header: 'PORT', right: true }, { header: 'PROCESS' }], [['3000', 'node']], 80)
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], width: number, headerStyle: (text: string) => string = (t) => t): string {
  const widths = columns.map((column, index) => Math.max(visibleLength(column.header), ...rows.map((row) => visibleLength(row[index] ?? ''))));
  const lines: string[] = [];
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
  lines.push(format(columns.map((c) => c.header), headerStyle));
  for (const row of rows) lines.push(format(row, (t) => t));
  return lines.join('\n');
}

/** The width to render for: the terminal's, or 80 when output is not a terminal. */
export function outputWidth(stream: NodeJS.WritableStream): number {
  const columns = (stream as { columns?: number }).columns;
  return typeof columns === 'number' && columns > 20 ? columns : 80;
}
