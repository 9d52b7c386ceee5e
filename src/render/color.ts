/** ANSI styles, applied only when the caller says colour is wanted (a TTY without NO_COLOR). */
export interface Styler {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const ANSI: Styler = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  cyan: wrap(36, 39),
};

const identity = (text: string): string => text;
const PLAIN: Styler = { bold: identity, dim: identity, red: identity, green: identity, yellow: identity, cyan: identity };

export function styler(color: boolean): Styler {
  return color ? ANSI : PLAIN;
}

/** Visible length of text that may contain ANSI escapes. */
export function visibleLength(text: string): number {
  // Fast path: plain text (no colour, or a cell without styling) needs no regex; tables of
  // 20,000 rows measure every cell.
  if (!text.includes('\u001b')) return text.length;
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}
