#!/usr/bin/env node
import { main } from './run.js';

// Exit as soon as the answer is written: waiting for Node's natural shutdown (timers, handles
// being closed) costs ~5-10 ms, which `wait` users feel. Writes to files, pipes and terminals
// are synchronous on Linux, so nothing printed is lost.
process.exit(await main(process.argv.slice(2)));
