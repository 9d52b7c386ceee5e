#!/usr/bin/env node
// A live smoke test of the built CLI on the machine it runs on (Linux, macOS or Windows):
// serve a port, then who, doctor and kill it. Exits non-zero, with what went wrong, on any miss.
// Used by .github/workflows/ci.yml on every OS; run it locally with `npm run build && node scripts/smoke.mjs`.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/cli/portdoctor.cjs', import.meta.url));

function run(args) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  console.log(`$ portdoctor ${args.join(' ')}  # exit ${result.status}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, json: () => JSON.parse(result.stdout) };
}

function check(condition, what, detail = '') {
  if (!condition) {
    console.error(`smoke: FAILED: ${what}${detail === '' ? '' : `\n${detail}`}`);
    process.exit(1);
  }
  console.log(`smoke: ok: ${what}`);
}

const free = run(['free', '--json']);
check(free.code === 0, 'free finds a port', free.stderr);
const port = free.json().ports[0];

const server = spawn(process.execPath, [CLI, 'serve', `127.0.0.1:${port}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const lines = createInterface({ input: server.stdout });
await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('serve did not start listening within 20 s')), 20_000);
  lines.on('line', (line) => {
    if (line.includes('"listening"')) {
      clearTimeout(timer);
      resolve();
    }
  });
  server.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening`)));
});

try {
  const who = run(['who', String(port), '--json']);
  check(who.code === 0, 'who finds the listener', who.stdout + who.stderr);
  const pids = who.json().sockets.flatMap((s) => s.processes.map((p) => p.pid));
  check(pids.includes(server.pid), `who names the serve process (pid ${server.pid})`, JSON.stringify(who.json().sockets, null, 2));

  const doctor = run(['doctor', `127.0.0.1:${port}`, '--json', '--no-config']);
  const report = doctor.json();
  check(report.probes.some((p) => p.status === 'open'), 'doctor connects to it', JSON.stringify(report.probes, null, 2));
  check(report.findings.every((f) => f.code !== 'nothing-listening'), 'doctor sees the listener', JSON.stringify(report.findings, null, 2));

  const kill = run(['kill', String(port), '--yes', '--json']);
  check(kill.code === 0 && kill.json().released === true, 'kill releases the port', kill.stdout + kill.stderr);
  const after = run(['who', String(port), '--json']);
  check(after.code === 1, 'nothing holds the port afterwards', after.stdout);
} finally {
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {
    // stopped by kill, as it should be
  }
}
console.log('smoke: all checks passed');
