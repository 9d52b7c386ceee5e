#!/usr/bin/env node
import { main } from './run.js';

// A reader that stops early (`portdoctor ls --json | head`) closes the pipe: the answer it wanted
// has gone out, so stop quietly, as `rg` and `fd` do, instead of dying on an unhandled EPIPE with a
// stack trace. Other stream errors keep their default (they are real failures).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

// No top-level await: this file is also the entry of the one-file CommonJS bundle (see
// scripts/bundle-cli.mjs), and CommonJS has none.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Exit at once (saving Node's ~5-10 ms shutdown, which `wait` users feel) only when everything
  // written has reached the kernel. Pipe writes are not always synchronous: when the reader is
  // slower than us (`portdoctor ls --json | jq`, a 64 KiB pipe buffer) the rest waits in Node's
  // buffer, and process.exit() would drop it. Then Node drains it and exits by itself.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
});
