import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../errors.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean', short: 'v' },
  'no-color': { type: 'boolean' },
} as const satisfies OptionsConfig;

export interface ParsedCommandArgs<O extends OptionsConfig> {
  readonly values: ReturnType<typeof parseArgs<{ options: O & typeof COMMON_OPTIONS; allowPositionals: true; strict: true }>>['values'];
  readonly positionals: string[];
}

/**
 * Strict parsing with node's own parseArgs (no dependency): unknown flags and missing values
 * become one-line usage errors naming the command's --help, never a stack trace.
 */
export function parseCommandArgs<O extends OptionsConfig>(
  command: string,
  argv: readonly string[],
  options: O,
): ParsedCommandArgs<O> {
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: { ...options, ...COMMON_OPTIONS },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values, positionals: parsed.positionals } as ParsedCommandArgs<O>;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error);
    throw usageError(message.replace(/\. To specify a positional argument.*$/, '.'), `See 'portdoctor ${command} --help'.`);
  }
}

/** Parses a duration: `30s`, `500ms`, `2m`, or plain seconds (`1.5`). Returns milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw usageError(`${flag} "${text}" is not a duration.`, 'Write e.g. 500ms, 30s, 2m, or plain seconds.');
  }
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000;
  return Math.round(value * factor);
}

/** Parses a whole number flag within bounds. */
export function parseIntegerFlag(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw usageError(`${flag} "${text}" is not a whole number from ${min} to ${max}.`);
  }
  return Number(text);
}
