import type { StartTime } from './ps.js';

/**
 * `date +%z`: the machine's offset from UTC as strftime writes it, `+hhmm` or `-hhmm`. ps's
 * `lstart` is local time without a zone, so this is what turns it into an instant.
 */

/**
 * The offset in minutes east of UTC, or null when the text is not `±hhmm`.
 *
 * @example
 * parseUtcOffset('+0530\n'); // 330
 * parseUtcOffset('-0700');   // -420
 */
export function parseUtcOffset(text: string): number | null {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(text.trim());
  if (match === null) return null;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  if (hours > 23 || minutes > 59) return null;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * A local calendar time at a UTC offset, as an ISO-8601 instant (UTC, like every `startedAt`).
 * The offset is the machine's when it was recorded: a start time from before a daylight-saving
 * change is off by that hour, which a start time used for display (not identity) can bear.
 *
 * @example
 * instantOf({ year: 2026, month: 9, day: 7, hour: 14, minute: 55, second: 26 }, 120); // '2026-09-07T12:55:26.000Z'
 */
export function instantOf(start: StartTime, offsetMinutes: number): string {
  const utc = Date.UTC(start.year, start.month - 1, start.day, start.hour, start.minute, start.second) - offsetMinutes * 60_000;
  return new Date(utc).toISOString();
}
