// How fast does a waiter notice that a port opened? For each waiter and trial: find a port free on
// both loopback families, start the waiter, let it poll for a random 0.8–1.8 s (so the opening falls
// at a random point of its poll cycle, in its steady state), open a TCP listener on 127.0.0.1, and
// measure the milliseconds from listen() to the waiter's process exit. A short second series opens
// the port on [::1] only: does the waiter notice at all?
//
// Ours is `node dist/cli/portdoctor.cjs wait PORT` (run `npm run build` first). Peers are measured only when
// present, never downloaded (`npx wait-on` would fetch it from the registry):
//   --peers 'wait-on=node /path/wait-on/bin/wait-on tcp:{port};wait-port=node /path/wait-port.js {port}'
//   or the same text in $PORTDOCTOR_BENCH_PEERS, or $WAIT_ON_CMD / $WAIT_PORT_CMD (one command each);
//   otherwise wait-on / wait-port found under ./node_modules or ../shared/bench/peers/node_modules.
// Commands are split on spaces and run without a shell; {port} is replaced by the port.
//
// usage: node bench/wait-latency.mjs [--trials 20] [--v6-trials 2] [--timeout-s 6] [--peers SPEC] [--json FILE]
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 && index + 1 < process.argv.length ? process.argv[index + 1] : fallback;
}
const TRIALS = Number(option('trials', '20'));
const V6_TRIALS = Number(option('v6-trials', '2'));
const TIMEOUT_MS = Number(option('timeout-s', '6')) * 1000;
const JSON_OUT = option('json', null);

/** A small deterministic generator, so two runs open the port at the same points of the cycle. */
function makeRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const random = makeRandom(20240601);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function waiters() {
  const list = [
    {
      label: 'portdoctor wait PORT',
      argv: (port) => [process.execPath, join(ROOT, 'dist/cli/portdoctor.cjs'), 'wait', String(port), '--timeout', String(TIMEOUT_MS / 1000 + 5)],
    },
  ];
  const spec = option('peers', process.env.PORTDOCTOR_BENCH_PEERS ?? '');
  const named = spec.split(';').map((entry) => entry.trim()).filter(Boolean).map((entry) => {
    const eq = entry.indexOf('=');
    return eq > 0 ? { label: entry.slice(0, eq), command: entry.slice(eq + 1) } : { label: entry, command: entry };
  });
  if (process.env.WAIT_ON_CMD) named.push({ label: 'wait-on', command: process.env.WAIT_ON_CMD });
  if (process.env.WAIT_PORT_CMD) named.push({ label: 'wait-port', command: process.env.WAIT_PORT_CMD });
  if (named.length === 0) named.push(...installedPeers());
  for (const peer of named) {
    const words = peer.command.split(/\s+/).filter(Boolean);
    list.push({ label: peer.label, argv: (port) => words.map((word) => word.replaceAll('{port}', String(port))) });
  }
  return list;
}

/** wait-on and wait-port when someone installed them; nothing is downloaded. */
function installedPeers() {
  const found = [];
  for (const base of [join(ROOT, 'node_modules'), resolve(ROOT, '../shared/bench/peers/node_modules')]) {
    const waitOn = join(base, 'wait-on/bin/wait-on');
    const waitPort = join(base, 'wait-port/bin/wait-port.js');
    if (existsSync(waitOn) && !found.some((peer) => peer.label === 'wait-on')) {
      found.push({ label: 'wait-on', command: `${process.execPath} ${waitOn} tcp:{port}` });
    }
    if (existsSync(waitPort) && !found.some((peer) => peer.label === 'wait-port')) {
      found.push({ label: 'wait-port', command: `${process.execPath} ${waitPort} {port}` });
    }
  }
  return found;
}

function listen(port, host) {
  return new Promise((done) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', (error) => done({ error }));
    server.listen(port, host, () => done({ server, openedAt: performance.now() }));
  });
}

const closeServer = (server) => new Promise((done) => server.close(() => done()));

/** A port that both 127.0.0.1 and ::1 can bind right now (the kernel picks it). */
async function freePort() {
  for (let tries = 0; tries < 50; tries++) {
    const first = await listen(0, '127.0.0.1');
    if (first.error) continue;
    const port = first.server.address().port;
    const second = await listen(port, '::1');
    await closeServer(first.server);
    if (second.error) continue;
    await closeServer(second.server);
    return port;
  }
  throw new Error('no port free on both 127.0.0.1 and ::1 after 50 tries');
}

async function trial(waiter, host) {
  const port = await freePort();
  const [file, ...args] = waiter.argv(port);
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  let exitedAt = null;
  let exitCode = null;
  const exited = new Promise((done) => child.once('exit', (code, signal) => {
    exitedAt = performance.now();
    exitCode = code ?? signal;
    done();
  }));
  await Promise.race([sleep(800 + random() * 1000), exited]);
  if (exitedAt !== null) return { error: `exited before the port opened (exit ${exitCode}) ${stderr.trim().slice(0, 160)}` };
  const opened = await listen(port, host);
  if (opened.error) {
    child.kill('SIGKILL');
    await exited;
    return { error: `could not open ${host}:${port}: ${opened.error.code}` };
  }
  await Promise.race([exited, sleep(TIMEOUT_MS)]);
  let result;
  if (exitedAt === null) {
    child.kill('SIGKILL');
    await exited;
    result = { error: `not noticed within ${TIMEOUT_MS / 1000} s` };
  } else if (exitCode !== 0) {
    result = { error: `exit ${exitCode} ${stderr.trim().slice(0, 160)}` };
  } else {
    result = { ms: exitedAt - opened.openedAt };
  }
  await closeServer(opened.server);
  return result;
}

function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]; // nearest rank
  return { n: sorted.length, median, p95, min: sorted[0], max: sorted[sorted.length - 1] };
}

const fmt = (ms) => (ms === undefined ? '–' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

if (!existsSync(join(ROOT, 'dist/cli/portdoctor.cjs'))) {
  console.error('dist/cli/portdoctor.cjs is missing: run `npm run build` first.');
  process.exit(2);
}
const list = waiters();
const rows = [];
for (const waiter of list) {
  const v4 = [];
  for (let i = 0; i < TRIALS; i++) v4.push(await trial(waiter, '127.0.0.1'));
  const v6 = [];
  for (let i = 0; i < V6_TRIALS; i++) v6.push(await trial(waiter, '::1'));
  const stats = summarize(v4.filter((r) => r.ms !== undefined).map((r) => r.ms));
  const failures = v4.filter((r) => r.error).map((r) => r.error);
  const v6Noticed = v6.filter((r) => r.ms !== undefined);
  rows.push({ label: waiter.label, stats, failures, v6: { noticed: v6Noticed.length, of: V6_TRIALS, ms: v6Noticed.map((r) => r.ms) }, samples: v4.map((r) => r.ms ?? null) });
  console.error(`[wait-latency] ${waiter.label}: median ${fmt(stats?.median)} ms, p95 ${fmt(stats?.p95)} ms, failures ${failures.length}/${TRIALS}`);
}

const lines = [
  `ms from listen() on 127.0.0.1 to the waiter's exit; waiter started 0.8–1.8 s before; ${TRIALS} trials; p95 = nearest rank.`,
  '',
  '| waiter | median ms | p95 | min | max | failures | [::1]-only listener noticed |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((row) => `| ${row.label} | ${fmt(row.stats?.median)} | ${fmt(row.stats?.p95)} | ${fmt(row.stats?.min)} | ${fmt(row.stats?.max)} | ${row.failures.length}/${TRIALS} | ${row.v6.noticed}/${row.v6.of} |`),
];
if (list.length === 1) lines.push('', 'No peer waiter given or installed: pass --peers or set WAIT_ON_CMD / WAIT_PORT_CMD to compare.');
const ours = rows[0]?.stats;
for (const row of rows.slice(1)) {
  if (ours && row.stats) lines.push(`${row.label}: ${(row.stats.median / ours.median).toFixed(1)}× our median.`);
}
console.log(lines.join('\n'));
for (const row of rows) for (const failure of row.failures) console.error(`[wait-latency] ${row.label}: ${failure}`);
if (JSON_OUT) writeFileSync(JSON_OUT, `${JSON.stringify({ trials: TRIALS, v6Trials: V6_TRIALS, timeoutMs: TIMEOUT_MS, waiters: rows }, null, 1)}\n`);
