import { serve, type RunningServer, type ServeEvent, type ServeMode } from '../../actions/serve.js';
import { errnoCode, PortdoctorError, usageError } from '../../errors.js';
import { whoHolds } from '../../inventory.js';
import { formatHostPort, parseTarget } from '../../target.js';
import { parseCommandArgs, parseDuration, parseIntegerFlag } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { writeLine, type CliIO } from '../io.js';
import { refuseOnReplay } from '../live-only.js';

const help = `Usage: portdoctor serve [HOST:]PORT [--echo | --http | --udp] [options]

Starts a test listener and prints every connection it gets: proof that the path from a client
to this address works (try 'portdoctor probe' or curl from the other side).
With only a PORT it listens on both 127.0.0.1 and ::1; with HOST:PORT on exactly that.
PORT 0 lets the kernel choose (the port is printed).

Modes:
  --echo                 TCP echo: sends back what it receives (default)
  --http                 answers every request with a small page: who answered, on which address,
                         to which client, when (HTML for browsers, text for curl)
  --udp                  echoes UDP datagrams

Options:
  --max-connections N    stop after N connections (HTTP: requests; UDP: datagrams)
  --duration DURATION    stop after this long (10s, 500ms, 2m)
  --json                 one JSON event per line: {"event":"listening",...}, {"event":"connection",...}

Ctrl-C stops it cleanly.

Examples:
  portdoctor serve 8080
  portdoctor serve 0.0.0.0:3000 --http
  portdoctor serve [::1]:5353 --udp --duration 30s

Exit codes: 0 stopped cleanly, 2 could not listen (port in use, privileged, no such address).`;

/**
 * `[HOST:]PORT` where PORT may be 0 (parseTarget accepts 1-65535 only).
 *
 * @example
 * parseListenSpec('[::1]:0'); // { host: '::1', port: 0 }
 */
export function parseListenSpec(text: string): { host: string | null; port: number } {
  const trimmed = text.trim();
  if (/^0+$/.test(trimmed)) return { host: null, port: 0 };
  const zeroPort = /^(.+):0+$/.exec(trimmed);
  const target = parseTarget(zeroPort === null ? trimmed : `${zeroPort[1] ?? ''}:1`);
  if (target.scheme !== null) throw usageError(`serve takes [HOST:]PORT, not a URL ("${text}").`, 'e.g. portdoctor serve 127.0.0.1:8080 --http');
  return { host: target.host, port: zeroPort === null ? target.port : 0 };
}

function modeOf(values: { echo?: boolean | undefined; http?: boolean | undefined; udp?: boolean | undefined }): ServeMode {
  const chosen = (['echo', 'http', 'udp'] as const).filter((mode) => values[mode] === true);
  if (chosen.length > 1) throw usageError(`--${chosen.join(' and --')} do not go together.`, 'Pick one mode.');
  return chosen[0] ?? 'echo';
}

const command: CommandModule = {
  help,
  async run(argv, io) {
    refuseOnReplay('serve', 'a test listener');
    const { values, positionals } = parseCommandArgs('serve', argv, {
      echo: { type: 'boolean' },
      http: { type: 'boolean' },
      udp: { type: 'boolean' },
      'max-connections': { type: 'string' },
      duration: { type: 'string' },
    });
    if (positionals.length !== 1) throw usageError('serve needs exactly one [HOST:]PORT.', "See 'portdoctor serve --help'.");
    const spec = parseListenSpec(positionals[0] ?? '');
    const mode = modeOf(values);
    const maxConnections = values['max-connections'] === undefined ? undefined : parseIntegerFlag(values['max-connections'], '--max-connections', 1, 1_000_000);
    const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration, '--duration');
    const json = values.json === true;

    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      let server: RunningServer;
      try {
        server = await serve({
          host: spec.host,
          port: spec.port,
          mode,
          signal: stop.signal,
          onEvent: (event) => printEvent(io, event, json),
          ...(maxConnections === undefined ? {} : { maxConnections }),
          ...(durationMs === undefined ? {} : { durationMs }),
        });
      } catch (error) {
        throw await withHolder(error, spec.port);
      }
      printPreamble(io, server, spec, json);
      await server.done;
      return EXIT_OK;
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
  },
};

/** For "port in use", name the holder when the socket table shows it (one line still). */
async function withHolder(error: unknown, port: number): Promise<unknown> {
  if (!(error instanceof PortdoctorError) || errnoCode(error.cause) !== 'EADDRINUSE' || port === 0) return error;
  try {
    const { sockets } = await whoHolds([port]);
    const holders = [...new Set(sockets.flatMap((socket) => socket.processes.map((process) => `${process.name} (pid ${process.pid})`)))];
    if (holders.length === 0) return error;
    return new PortdoctorError('port-in-use', `${error.message.replace(/ \(EADDRINUSE\)\.$/, '')}, by ${holders.join(', ')}.`, { hint: error.hint, cause: error.cause });
  } catch {
    return error;
  }
}

const MODE_WORDS: Readonly<Record<ServeMode, string>> = { echo: 'TCP echo', http: 'HTTP', udp: 'UDP echo' };

function printPreamble(io: CliIO, server: RunningServer, spec: { host: string | null; port: number }, json: boolean): void {
  if (json) {
    for (const skipped of server.skipped) writeLine(io.stdout, JSON.stringify({ event: 'skipped', time: new Date().toISOString(), ...skipped }));
    return;
  }
  writeLine(io.stdout, `portdoctor serve: ${MODE_WORDS[server.mode]} on port ${server.port}${spec.port === 0 ? ' (chosen by the kernel)' : ''}, pid ${process.pid}`);
  for (const address of server.addresses) writeLine(io.stdout, `listening on ${formatHostPort(address.address, address.port)} (${address.protocol})`);
  if (spec.host === null && server.skipped.length === 0) writeLine(io.stdout, 'No HOST given: listening on both loopback addresses, 127.0.0.1 and ::1 (give HOST:PORT for exactly one).');
  for (const skipped of server.skipped) writeLine(io.stdout, `not on ${skipped.address}: ${skipped.reason}`);
  writeLine(io.stdout, 'Ctrl-C to stop.');
}

function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

/** accept() and friends: say what the code means for someone running a test listener. */
function describeListenError(code: string, message: string): string {
  if (code === 'EMFILE') return 'EMFILE: this process has no file descriptors left, a connection could not be accepted (raise `ulimit -n`, or close connections)';
  if (code === 'ENFILE') return 'ENFILE: the system has no file descriptors left, a connection could not be accepted';
  return message;
}

function printEvent(io: CliIO, event: ServeEvent, json: boolean): void {
  if (json) {
    writeLine(io.stdout, JSON.stringify(event));
    return;
  }
  const time = clock(event.time);
  switch (event.event) {
    case 'listening':
      return; // the preamble lists the addresses, once serve() has them all
    case 'closed':
      writeLine(io.stdout, `${time} stopped (${event.reason})`);
      return;
    case 'error':
      writeLine(io.stdout, `${time} ${formatHostPort(event.address, event.port)} (${event.protocol}): ${describeListenError(event.code, event.message)}; still listening`);
      return;
    default: {
      const path = `${formatHostPort(event.remoteAddress, event.remotePort)} → ${formatHostPort(event.localAddress, event.localPort)}`;
      const what =
        event.event === 'connection'
          ? 'connected'
          : event.event === 'disconnected'
            ? `closed (${event.bytes} bytes echoed)`
            : event.event === 'request'
              ? `${event.method} ${event.path} → ${event.status}`
              : `datagram of ${event.bytes} bytes echoed`;
      writeLine(io.stdout, `${time} ${path} ${what}`);
    }
  }
}

export default command;
