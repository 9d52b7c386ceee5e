import { access } from 'node:fs/promises';
import type { Collected } from '../../../types.js';
import type { RawLogLine } from '../../../logs/types.js';
import { runTool } from '../run-tool.js';

/**
 * Parses `journalctl -o json` output: one JSON object per line. MESSAGE is a string, or an array
 * of bytes when the message is not valid UTF-8 or contains control characters (journald's rule);
 * null when the message was too large to store. Lines that are not JSON are skipped.
 *
 * @example
 * parseJournalJson('{"MESSAGE":"listening on 3000"}\n', 'web.service') // [{ text: 'listening on 3000', source: 'web.service', line: null }]
 */
export function parseJournalJson(text: string, unit: string): RawLogLine[] {
  const out: RawLogLine[] = [];
  for (const row of text.split('\n')) {
    if (!row.startsWith('{')) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(row);
    } catch {
      continue;
    }
    const message = (entry as { MESSAGE?: unknown }).MESSAGE;
    let decoded: string | null = null;
    if (typeof message === 'string') decoded = message;
    else if (Array.isArray(message) && message.every((b) => typeof b === 'number')) decoded = Buffer.from(message as number[]).toString('utf8');
    if (decoded === null) continue;
    // A multi-line message (a stack trace logged at once) becomes one line per row, like a file.
    for (const part of decoded.replace(/\r?\n$/, '').split(/\r?\n/)) out.push({ text: part, source: unit, line: null });
  }
  return out;
}

export interface JournalOptions {
  readonly maxEntries?: number;
  readonly timeoutMs?: number;
}

/**
 * The last entries of a systemd unit's journal (`journalctl -u UNIT -o json -n 500 --no-pager`).
 * An absent journalctl, a machine without systemd, or a failing journalctl is a reason, not a throw.
 *
 * @example
 * const read = await readJournal('nginx.service');
 * if (read.ok) console.log(read.value.length);
 */
export async function readJournal(unit: string, options: JournalOptions = {}): Promise<Collected<RawLogLine[]>> {
  const n = String(options.maxEntries ?? 500);
  const result = await runTool('journalctl', ['-u', unit, '-o', 'json', '-n', n, '--no-pager', '-q'], { timeoutMs: options.timeoutMs ?? 5000, maxBuffer: 16 * 1024 * 1024 });
  if (result.failure === 'missing') {
    return { ok: false, reason: 'journalctl is not installed', hint: 'Read the service log file directly with --log FILE.' };
  }
  if (result.failure === 'timeout') {
    return { ok: false, reason: 'journalctl did not answer in time', hint: `Run: journalctl -u ${unit} -n 100` };
  }
  if (!result.ok) {
    const why = result.stderr.trim().split('\n')[0] ?? '';
    return { ok: false, reason: `journalctl failed${why ? `: ${why}` : ''}`, hint: 'Reading other units\' journals may need root or the systemd-journal group.' };
  }
  const lines = parseJournalJson(result.stdout, unit);
  if (lines.length === 0 && !(await systemdRunning())) {
    return { ok: false, reason: 'systemd is not running on this machine, so there is no journal', hint: 'Read the service log file directly with --log FILE.' };
  }
  return { ok: true, value: lines };
}

/** sd_booted(3): systemd is PID 1 exactly when /run/systemd/system exists. */
async function systemdRunning(): Promise<boolean> {
  return access('/run/systemd/system').then(
    () => true,
    () => false,
  );
}
