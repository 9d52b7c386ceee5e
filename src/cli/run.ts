import { isPortdoctorError, PortdoctorError, usageError } from '../errors.js';
import { REPLAY_ENV } from '../platform/replay-env.js';
import { PORTDOCTOR_VERSION } from '../version.js';
import { EXIT_FAILURE } from './exit-codes.js';
import { defaultIO, writeLine, type CliIO } from './io.js';
import { COMMANDS } from './registry.js';

function topLevelHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((name) => name.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name]?.summary ?? ''}`);
  return `portdoctor — what is on this port, and why can't I reach it?

Usage:
  portdoctor TARGET              diagnose a port, host:port or URL (same as 'portdoctor doctor TARGET')
  portdoctor COMMAND [options]

Commands:
${lines.join('\n')}

Options for every command: --json, --help, --verbose, --no-color (NO_COLOR is respected too),
--replay FILE (answer from a snapshot recorded with 'portdoctor snapshot', on any machine;
also PORTDOCTOR_REPLAY=FILE).

Examples:
  portdoctor 62893                 why can't I reach (or bind) port 62893?
  portdoctor who 3000              what holds port 3000?
  portdoctor ls --tcp              every TCP listener with its process
  portdoctor snapshot --redact --out snap.json    record this machine for a bug report
  portdoctor who 5000 --replay snap.json          answer from someone else's machine

Exit codes: 0 healthy/found, 1 problem found or nothing there, 2 bad usage or could not answer.
Run 'portdoctor COMMAND --help' for a command's options.`;
}

/** A bare argument that reads as a port, host:port or URL is the doctor's shorthand. */
function looksLikeTarget(arg: string): boolean {
  return /^\d+$/.test(arg) || /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || /^\[.*\](:\d*)?$/.test(arg) || /:\d*$/.test(arg) || /^-\d+$/.test(arg);
}

/**
 * Takes `--replay FILE` (or `--replay=FILE`) out of the arguments, wherever it is: every command
 * accepts it, and it changes where answers come from, not what the command does.
 */
function takeReplay(argv: readonly string[]): { args: string[]; file: string | null } {
  const args: string[] = [];
  let file: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      args.push(...argv.slice(i));
      break;
    }
    if (arg === '--replay') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw usageError('--replay needs a FILE.', "Give a snapshot written by 'portdoctor snapshot --out FILE'.");
      file = value;
      i++;
    } else if (arg.startsWith('--replay=')) file = arg.slice('--replay='.length);
    else args.push(arg);
  }
  return { args, file };
}

/** Runs the CLI and returns the exit code. The one place where errors become messages. */
export async function main(rawArgv: readonly string[], io: CliIO = defaultIO(rawArgv.includes('--verbose') || rawArgv.includes('-v'), rawArgv.includes('--no-color'))): Promise<number> {
  try {
    const { args: argv, file: replayFile } = takeReplay(rawArgv);
    // Through the environment, as PORTDOCTOR_REPLAY=FILE would: the command's own platform code
    // (a chunk of its own in the CLI bundle) loads and checks the snapshot when it first asks.
    if (replayFile !== null) process.env[REPLAY_ENV] = replayFile;
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      writeLine(io.stdout, topLevelHelp());
      return first === undefined ? EXIT_FAILURE : 0;
    }
    if (first === '--version' || first === '-V') {
      writeLine(io.stdout, PORTDOCTOR_VERSION);
      return 0;
    }
    let name = first;
    let args = rest;
    if (!(first in COMMANDS)) {
      if (looksLikeTarget(first) && 'doctor' in COMMANDS) {
        name = 'doctor';
        args = [...argv];
      } else {
        throw new PortdoctorError('bad-usage', `"${first}" is neither a command nor a PORT, HOST:PORT or URL.`, {
          hint: `Commands: ${Object.keys(COMMANDS).join(', ')}. Run 'portdoctor --help'.`,
        });
      }
    }
    const entry = COMMANDS[name];
    if (entry === undefined) throw new PortdoctorError('internal', `command ${name} is not registered`);
    const command = (await entry.load()).default;
    if (args.includes('--help') || args.includes('-h')) {
      writeLine(io.stdout, command.help);
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIO): number {
  if (isPortdoctorError(error) && error.code !== 'internal') {
    writeLine(io.stderr, `portdoctor: ${error.message}${error.hint ? ` ${error.hint}` : ''}`);
    return EXIT_FAILURE;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeLine(io.stderr, `portdoctor: internal error: ${message}`);
  if (io.verbose || process.env['DEBUG']) {
    writeLine(io.stderr, error instanceof Error && error.stack ? error.stack : String(error));
  } else {
    writeLine(io.stderr, 'Run again with --verbose for details, and please report it.');
  }
  return EXIT_FAILURE;
}
