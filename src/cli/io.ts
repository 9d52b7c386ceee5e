/**
 * What a command may touch of the outside world: its output streams and whether colour is
 * wanted. Commands write through this rather than `console` so tests can capture output and
 * so colour decisions are made once.
 */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** True when stdout is a terminal and NO_COLOR / --no-color do not forbid colour. */
  readonly color: boolean;
  /** True when stdin and stdout are a terminal, so the user can be asked a question. */
  readonly interactive: boolean;
  readonly verbose: boolean;
}

export function defaultIO(verbose: boolean, noColor: boolean): CliIO {
  const tty = process.stdout.isTTY === true;
  const noColorEnv = process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '';
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    color: tty && !noColorEnv && !noColor && process.env['TERM'] !== 'dumb',
    interactive: tty && process.stdin.isTTY === true,
    verbose,
  };
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** Prints a JSON document on stdout: the machine-readable answer of every command with --json. */
export function writeJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
