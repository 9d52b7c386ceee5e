import { classifyLogLine, type LineClass } from './classify.js';
import type { LogLine, RawLogLine } from './types.js';

export interface SelectOptions {
  /** Keep at most this many lines (bind failures and the latest exception's first line always stay). */
  readonly maxLines?: number;
  /** Stack frames kept after each exception's first line. */
  readonly maxFrames?: number;
  /** Longer lines are cut to this many characters, except lines that must stay whole. */
  readonly maxLineLength?: number;
}

interface Candidate {
  readonly raw: RawLogLine;
  readonly cls: LineClass;
  readonly order: number;
  mustKeep: boolean;
}

/**
 * Picks the relevant lines of one or more sources, oldest first: error lines, bind failures, and
 * each exception's first line with its first frames. Every bind failure in the window and the
 * first line of each source's latest exception are kept whole even when the budget cuts older
 * lines; other long lines are shortened. Linked findings are set, nothing is removed for having one.
 *
 * @example
 * selectLogLines([{ text: 'Error: listen EADDRINUSE :::3000', source: 'app.log', line: 1 }])
 * // [{ text: 'Error: listen EADDRINUSE :::3000', source: 'app.log', line: 1, finding: 'port-in-use' }]
 */
export function selectLogLines(raw: readonly RawLogLine[], options: SelectOptions = {}): LogLine[] {
  const maxLines = options.maxLines ?? 60;
  const maxFrames = options.maxFrames ?? 8;
  const maxLength = options.maxLineLength ?? 500;
  const chosen: Candidate[] = [];
  const latestHead = new Map<string, Candidate>();
  let framesLeft = 0;
  let inPythonTrace = false;
  raw.forEach((line, order) => {
    const cls = classifyLogLine(line.text);
    const nextIsFrame = raw[order + 1]?.source === line.source && classifyLogLine(raw[order + 1]?.text ?? '').frame;
    const pythonHeader = /^Traceback \(most recent call last\):/.test(line.text.trim());
    const head = !cls.frame && (nextIsFrame || pythonHeader);
    // Python: indented lines after the header are frames and code; the first unindented line ends it.
    if (inPythonTrace && !/^\s/.test(line.text)) inPythonTrace = false;
    const candidate: Candidate = { raw: line, cls, order, mustKeep: cls.bindFailure };
    if (head) {
      framesLeft = maxFrames;
      inPythonTrace = pythonHeader;
      latestHead.set(line.source, candidate);
      chosen.push(candidate);
    } else if ((cls.frame || inPythonTrace) && framesLeft > 0) {
      framesLeft--;
      chosen.push(candidate);
    } else if (cls.bindFailure || cls.error) {
      chosen.push(candidate);
    }
    if (!cls.frame && !head && !inPythonTrace) framesLeft = 0;
  });
  for (const head of latestHead.values()) head.mustKeep = true;
  let kept = chosen;
  if (chosen.length > maxLines) {
    // Keep the newest lines within budget, plus every must-keep line wherever it is.
    const must = chosen.filter((c) => c.mustKeep);
    const room = Math.max(0, maxLines - must.length);
    const rest = room === 0 ? [] : chosen.filter((c) => !c.mustKeep).slice(-room);
    kept = [...must, ...rest].sort((a, b) => a.order - b.order);
  }
  return kept.map((c) => ({
    text: c.mustKeep || c.raw.text.length <= maxLength ? c.raw.text : `${c.raw.text.slice(0, maxLength)}…`,
    source: c.raw.source,
    line: c.raw.line,
    finding: c.cls.finding,
  }));
}
