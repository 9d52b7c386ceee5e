#!/usr/bin/env node
// A tiny supervisor for the kill tests: keeps a listener on 127.0.0.1:PORT alive, restarting it
// 50 ms after it dies (at most 5 times; exits by itself after 60 s). It holds no socket itself.
// Prints one JSON line per child it starts: {"supervisor": pid, "child": pid}.
//   node respawner.mjs PORT
import { spawn } from 'node:child_process';

const port = process.argv[2];
const listener = new URL('./listener.mjs', import.meta.url).pathname;
let restarts = 0;
let current = null;

function start() {
  current = spawn(process.execPath, [listener, '--lifetime', '60', `tcp:127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  current.stdout.once('data', () => process.stdout.write(`${JSON.stringify({ supervisor: process.pid, child: current.pid })}\n`));
  current.once('exit', () => {
    if (restarts++ < 5) setTimeout(start, 50);
  });
}

process.on('SIGTERM', () => {
  current?.kill('SIGKILL');
  process.exit(0);
});
setTimeout(() => {
  current?.kill('SIGKILL');
  process.exit(0);
}, 60_000);
start();
