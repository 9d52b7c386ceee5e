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

/**
 * Prints `{"<key>": [items…], …rest}` one item at a time, waiting for the stream to drain when
 * its buffer is full. The same document as writeJson, but a listing of 20,000 sockets never
 * exists as one 30 MB string, and a slow reader (`| jq`) holds back our memory, not grows it.
 */
export async function writeJsonList(io: CliIO, key: string, items: readonly unknown[], rest: Record<string, unknown>): Promise<void> {
  const out = io.stdout;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const indent = (text: string): string => text.replace(/\n/g, '\n    ');
  let chunk = `{\n  ${JSON.stringify(key)}: [`;
  for (let i = 0; i < items.length; i++) {
    chunk += `${i === 0 ? '' : ','}\n    ${indent(JSON.stringify(items[i], null, 2))}`;
    // Batches of ~64 KiB: few write calls, bounded buffers.
    if (chunk.length > 65_536) {
      await write(chunk);
      chunk = '';
    }
  }
  chunk += items.length === 0 ? ']' : '\n  ]';
  for (const [name, value] of Object.entries(rest)) chunk += `,\n  ${JSON.stringify(name)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}`;
  await write(`${chunk}\n}\n`);
}

/**
 * Writes lines in batches of ~64 KiB, waiting for the stream to drain when its buffer is full:
 * a 20,000-line listing is never one string in memory, and a slow reader holds us back instead of
 * growing our buffers.
 */
export async function writeLines(io: CliIO, lines: Iterable<string>): Promise<void> {
  const out = io.stdout;
  let chunk = '';
  const flush = async (): Promise<void> => {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    chunk = '';
  };
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 65_536) await flush();
  }
  if (chunk !== '') await flush();
}
