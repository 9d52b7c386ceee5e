import { waitFor, type WaitMode, type WaitOptions, type WaitResult } from '../../actions/wait.js';
import type { StatusRange } from '../../actions/wait-attempts.js';
import { usageError } from '../../errors.js';
import { parseCommandArgs, parseDuration } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';
import { refuseOnReplay } from '../live-only.js';

const help = `Usage: portdoctor wait TARGET... [options]

Waits until every TARGET accepts connections, then exits 0 (1 when the time runs out).
A TARGET is a PORT (every loopback address: 127.0.0.1, ::1 and what 'localhost' resolves to),
HOST:PORT (every address HOST resolves to, looked up again while waiting) or a URL
(http/https URLs wait for an HTTP answer). A target is ready as soon as ANY address accepts.

Options:
  --timeout DURATION          overall deadline: 30s (default), 500ms, 2m, or plain seconds
  --http                      wait for an HTTP answer with a 2xx status (URL path, else /)
  --status RANGES             statuses that count as ready, e.g. 200-399 or 200,204 (implies --http)
  --closed                    wait until nothing accepts any more
  --free                      wait until the port can be bound (127.0.0.1, ::1, 0.0.0.0 and ::)
  --interval DURATION         longest pause between attempts on one address
                              (default: 5 ms for the first 200 ms, then up to 10 ms on loopback,
                              100 ms elsewhere, 50 ms while an HTTP server answers "not yet")
  --connect-timeout DURATION  how long one connect may take (default 1s)
  --json                      print {"ready", "elapsedMs", "targets": [...]} (also on timeout)

Ctrl-C stops the wait: exit 1, with the last reason per address.

Examples:
  portdoctor wait 3000 && npm test
  portdoctor wait localhost:5432 redis://127.0.0.1:6379 --timeout 1m
  portdoctor wait http://localhost:8080/health --status 200-399
  portdoctor wait 3000 --closed --timeout 10s

Exit codes: 0 ready, 1 not ready in time (or interrupted), 2 bad usage.`;

/**
 * Parses `200-399`, `200`, or a comma list of both (`200,204,300-399`).
 *
 * @example
 * parseStatusRanges('200-399'); // [{ from: 200, to: 399 }]
 */
export function parseStatusRanges(text: string): StatusRange[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d{3})(?:\s*-\s*(\d{3}))?\s*$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (match === null || from < 100 || to > 599 || to < from) {
      throw usageError(`--status "${text}" is not a list of HTTP statuses.`, 'Write e.g. 200-399 or 200,204.');
    }
    return { from, to };
  });
}

function modeOf(closed: boolean, free: boolean): WaitMode {
  if (closed && free) throw usageError('--closed and --free do not go together.', 'Pick one.');
  return closed ? 'closed' : free ? 'free' : 'open';
}

const command: CommandModule = {
  help,
  async run(argv, io) {
    refuseOnReplay('wait', 'waiting for a port');
    const { values, positionals } = parseCommandArgs('wait', argv, {
      timeout: { type: 'string' },
      interval: { type: 'string' },
      'connect-timeout': { type: 'string' },
      http: { type: 'boolean' },
      status: { type: 'string' },
      closed: { type: 'boolean' },
      free: { type: 'boolean' },
    });
    if (positionals.length === 0) throw usageError('wait needs at least one TARGET.', "See 'portdoctor wait --help'.");
    const mode = modeOf(values.closed === true, values.free === true);
    const status = values.status === undefined ? undefined : parseStatusRanges(values.status);
    const http = values.http === true || status !== undefined ? true : undefined;
    if (http === true && mode !== 'open') throw usageError(`--http and --${mode} do not go together.`, `--${mode} looks at TCP only.`);
    const interval = values.interval === undefined ? undefined : parseDuration(values.interval, '--interval');
    if (interval === 0) throw usageError('--interval must be at least 1ms.');
    const connectTimeout = values['connect-timeout'] === undefined ? undefined : parseDuration(values['connect-timeout'], '--connect-timeout');
    if (connectTimeout === 0) throw usageError('--connect-timeout must be at least 1ms.');

    const interrupt = new AbortController();
    const onSignal = (): void => interrupt.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result: WaitResult;
    try {
      const options: WaitOptions = {
        mode,
        signal: interrupt.signal,
        ...(values.timeout === undefined ? {} : { timeoutMs: parseDuration(values.timeout, '--timeout') }),
        ...(http === undefined ? {} : { http }),
        ...(status === undefined ? {} : { status }),
        ...(interval === undefined ? {} : { maxIntervalMs: interval }),
        ...(connectTimeout === undefined ? {} : { connectTimeoutMs: connectTimeout }),
      };
      result = await waitFor(positionals, options);
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    if (values.json === true) writeJson(io, result);
    else printSummary(io, result, mode);
    return result.ready ? EXIT_OK : EXIT_NEGATIVE;
  },
};

const READY_WORD: Readonly<Record<WaitMode, string>> = { open: 'ready', closed: 'closed', free: 'free' };

function printSummary(io: CliIO, result: WaitResult, mode: WaitMode): void {
  for (const target of result.targets) {
    if (target.ready) {
      const where = target.address === null ? '' : ` on ${target.address}`;
      writeLine(io.stdout, `${READY_WORD[mode]}: ${target.target}${where} after ${formatMs(target.elapsedMs ?? result.elapsedMs)}`);
    } else {
      writeLine(io.stdout, `not ${READY_WORD[mode]}: ${target.target}: ${target.lastError ?? 'unknown'}`);
    }
  }
  if (!result.ready) {
    const why = result.aborted ? 'interrupted' : 'timed out';
    writeLine(io.stdout, `${why} after ${formatMs(result.elapsedMs)}`);
  }
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export default command;
