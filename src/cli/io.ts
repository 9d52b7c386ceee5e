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

/** Items stringified together: some 64 KiB of JSON for sockets, few write calls, bounded buffers. */
const ITEMS_PER_BATCH = 80;

/**
 * Prints `{"<key>": [items…], …rest}` a batch of items at a time, waiting for the stream to drain
 * when its buffer is full. The same document as writeJson, but a listing of 20,000 sockets never
 * exists as one 30 MB string, and a slow reader (`| jq`) holds back our memory, not grows it.
 *
 * Each batch is stringified as `{"<key>": [batch]}` with the document's indentation, so its items
 * come out already indented for their place in the document: the batch's text between `[` and
 * `\n  ]\n}` is the document's text of those items, with no per-item re-indenting.
 *
 * @example
 * await writeJsonList(io, 'sockets', inventory.sockets, { stats: inventory.stats });
 */
export async function writeJsonList(io: CliIO, key: string, items: readonly unknown[], rest: Record<string, unknown>): Promise<void> {
  const out = io.stdout;
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const open = `{\n  ${JSON.stringify(key)}: [`;
  const close = '\n  ]\n}';
  let chunk = open;
  for (let start = 0; start < items.length; start += ITEMS_PER_BATCH) {
    const text = JSON.stringify({ [key]: items.slice(start, start + ITEMS_PER_BATCH) }, null, 2);
    chunk += `${start === 0 ? '' : ','}${text.slice(open.length, text.length - close.length)}`;
    await write(chunk);
    chunk = '';
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
