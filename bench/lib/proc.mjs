// Bounded process running for the benchmark: every child gets a timeout after which its whole
// process group is killed (a tool that hangs must not hang the benchmark).
// (The runner follows run() in the team's reference harness, ../shared/bench/harness.mjs.)
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/**
 * Runs argv (no shell) and resolves with its exit code, output and wall time. Never rejects.
 * @param {readonly string[]} argv
 * @param {{ timeoutS?: number, env?: Record<string, string>, cwd?: string, maxOut?: number }} [options]
 */
export function run(argv, { timeoutS = 60, env = {}, cwd, maxOut = 64e6 } = {}) {
  return new Promise((resolve) => {
    const started = performance.now();
    let out = '';
    let err = '';
    let timedOut = false;
    const child = spawn(argv[0], argv.slice(1), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    child.stdout.on('data', (d) => { if (out.length < maxOut) out += d; });
    child.stderr.on('data', (d) => { if (err.length < 1e6) err += d; });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (e) => { err += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, ms: performance.now() - started, timedOut });
    });
  });
}

/** Signals the process group led by pid (our own child, started detached); ignores "already gone". */
export function killGroup(pid, signal) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already exited
  }
}

export const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Peak resident set size of one run of argv, in KiB: python3's os.wait4 returns the child's own
// rusage (ru_maxrss covers every thread, so our fd-scan worker thread is included). hyperfine
// does not report memory, and /usr/bin/time is not on every machine; python3 is.
const MAXRSS_PY = [
  'import os, sys',
  'pid = os.fork()',
  'if pid == 0:',
  '    fd = os.open(os.devnull, os.O_WRONLY); os.dup2(fd, 1); os.dup2(fd, 2)',
  '    os.execvp(sys.argv[1], sys.argv[1:])',
  '_, status, ru = os.wait4(pid, 0)',
  'print(ru.ru_maxrss, os.waitstatus_to_exitcode(status))',
].join('\n');

/** @returns {Promise<{ kib: number, exit: number } | null>} */
export async function peakRss(argv, { python = 'python3', timeoutS = 60 } = {}) {
  const r = await run([python, '-c', MAXRSS_PY, ...argv], { timeoutS });
  const m = r.out.trim().match(/^(\d+) (-?\d+)$/);
  return m ? { kib: Number(m[1]), exit: Number(m[2]) } : null;
}

/**
 * Interleaved timing: round i runs every command once, in rotating order, so that a burst of
 * other work on the machine hits all of them alike (hyperfine runs one command's runs back to
 * back). Returns per command the median wall ms, and per round the ratios to the first command's
 * time in the same round (their median is robust against a busy machine).
 * @param {{ id: string, argv: string[] }[]} commands
 */
export async function interleaved(commands, rounds, { timeoutS = 60 } = {}) {
  const times = commands.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < commands.length; k++) {
      const i = (k + r) % commands.length;
      const res = await run(commands[i].argv, { timeoutS, maxOut: 1 });
      times[i].push(res.timedOut ? Number.NaN : res.ms);
    }
  }
  const median = (xs) => {
    const a = xs.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
    if (a.length === 0) return null;
    return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  return Object.fromEntries(commands.map((c, i) => [c.id, {
    medianMs: median(times[i]),
    ratioToFirst: i === 0 ? 1 : median(times[i].map((t, r) => t / times[0][r])),
    diffToFirstMs: i === 0 ? 0 : median(times[i].map((t, r) => t - times[0][r])),
    rounds: times[i].length,
  }]));
}
