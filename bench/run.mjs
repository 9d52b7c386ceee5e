#!/usr/bin/env node
// `npm run bench` — times `portdoctor who PORT` and `portdoctor ls` against ss, lsof and the npm
// peers under a real socket load, checks every answer against the load's own record, and writes
// bench/results/<scale>.md + .json.   usage: node bench/run.mjs [small|medium|large|all ...]
// (default: small medium). BENCH_QUICK=1: a smoke run with very few timed runs.
//
// The method (private network namespace, fork()ed loopback load, hyperfine per tool, correctness
// against load.json) is the one of the team's reference harness, ../shared/bench/run.sh and
// harness.mjs; this copy lives in the repository so that it runs without ../shared.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { alive, interleaved, killGroup, peakRss, run } from './lib/proc.mjs';
import { BENCH_DIR, quote, REPO_DIR, registry } from './lib/tools.mjs';
import { judgeLs, judgeWho, whoTargets } from './lib/judge.mjs';
import { evaluateTargets } from './lib/targets.mjs';
import { renderConsole, renderMarkdown } from './lib/report.mjs';

const SCALES = {
  small: { P: 0, S: 0, E: 0, F: 20, lifetimeS: 900 },
  medium: { P: 200, S: 2000, E: 2000, F: 20, lifetimeS: 1200 },
  large: { P: 2000, S: 20000, E: 10000, F: 20, lifetimeS: 2400 },
};
const QUICK = Boolean(process.env.BENCH_QUICK);
const num = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const CFG = {
  targetS: num('BENCH_TARGET_S', QUICK ? 0.3 : 4), // ≈ wall seconds of timed runs per tool
  minRuns: num('BENCH_MIN_RUNS', QUICK ? 2 : 5),
  maxRuns: num('BENCH_MAX_RUNS', QUICK ? 3 : 50),
  cmdTimeoutS: num('BENCH_CMD_TIMEOUT_S', 60), // one command
  rssRuns: QUICK ? 1 : 3,
  pairedRounds: num('BENCH_PAIRED_ROUNDS', QUICK ? 3 : 15),
  timingPort: 3000,
};
const PYTHON = process.env.PYTHON || 'python3';
const RESULTS = join(BENCH_DIR, 'results');
const SELF = fileURLToPath(import.meta.url);
const t0 = performance.now();
const log = (...a) => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${a.join(' ')}`);

function parseScales(argv) {
  const names = argv.length === 0 ? ['small', 'medium'] : argv.flatMap((a) => (a === 'all' ? Object.keys(SCALES) : [a]));
  for (const n of names) {
    if (!(n in SCALES)) {
      console.error(`usage: node bench/run.mjs [small|medium|large|all ...]  (unknown scale "${n}")`);
      process.exit(2);
    }
  }
  return [...new Set(names)];
}

// ---------- outside the namespace: checks, peers, then re-run this file inside a private netns ----------
function preflight(scales) {
  if (process.platform !== 'linux') fail('the benchmark needs Linux (/proc, network namespaces).');
  if (process.getuid?.() !== 0) fail('needs root: it creates a private network namespace (unshare --net) and reads every /proc/*/fd. Run: sudo npm run bench');
  const missing = ['hyperfine', 'ss', 'lsof', 'unshare', 'ip', 'mount', PYTHON].filter((t) => spawnSync('sh', ['-c', `command -v "${t}"`]).status !== 0);
  if (missing.length) fail(`missing tools: ${missing.join(', ')} (Debian: apt-get install -y hyperfine iproute2 lsof util-linux python3)`);
  if (!existsSync(join(REPO_DIR, 'dist/cli/portdoctor.cjs'))) fail('dist/cli/portdoctor.cjs is missing: run `npm run build` first (npm run bench does).');
  if (!existsSync(join(BENCH_DIR, 'peers/node_modules/find-process'))) {
    log('installing the pinned npm peers into bench/peers/node_modules (npm ci) ...');
    const r = spawnSync('npm', ['ci', '--prefix', join(BENCH_DIR, 'peers'), '--no-audit', '--no-fund'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
    if (r.status !== 0) fail('npm ci in bench/peers failed');
  }
  // ≈1.6 MiB per fork()ed worker was measured by the reference harness; keep 2× headroom
  const biggest = Math.max(...scales.map((s) => SCALES[s].P));
  const availMiB = Number(readFileSync('/proc/meminfo', 'utf8').match(/MemAvailable:\s+(\d+)/)?.[1] ?? 0) / 1024;
  const needMiB = biggest * 3 + 512;
  if (availMiB < needMiB) fail(`not enough memory for P=${biggest}: need ≈${needMiB} MiB, ${Math.round(availMiB)} MiB available`);
  const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  if (countPids() + biggest + 200 > pidMax) fail(`kernel.pid_max=${pidMax} is too small for ${biggest} more processes`);
}

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

// ---------- inside the namespace ----------
function setupNamespace() {
  const ns = join(RESULTS, '.ns');
  mkdirSync(ns, { recursive: true });
  const step = (argv) => {
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0) fail(`${argv.join(' ')} failed: ${r.stderr}`);
  };
  step(['ip', 'link', 'set', 'lo', 'up']);
  // Tools that do reverse DNS (lsof without -n, used by kill-port and port-pid) must never reach a
  // real resolver, and localhost must mean 127.0.0.1 and ::1 as on a Debian default install.
  writeFileSync(join(ns, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
  writeFileSync(join(ns, 'hosts'), `127.0.0.1\tlocalhost\n127.0.1.1\t${os.hostname()}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
  step(['mount', '--bind', join(ns, 'resolv.conf'), '/etc/resolv.conf']);
  step(['mount', '--bind', join(ns, 'hosts'), '/etc/hosts']);
}

function countPids() {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

/** Processes, open fds and socket fds on the whole machine (what every fd scan walks). */
function procCensus() {
  let processes = 0;
  let fds = 0;
  let socketFds = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let list;
    try {
      list = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    processes++;
    fds += list.length;
    for (const fd of list) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) socketFds++;
      } catch {
        // closed meanwhile
      }
    }
  }
  return { processes, fds, socketFds };
}

async function environment() {
  const first = async (argv, re) => ((await run(argv, { timeoutS: 10 })).out + '').match(re)?.[0] ?? '?';
  const peers = {};
  const pj = JSON.parse(readFileSync(join(BENCH_DIR, 'peers/package.json'), 'utf8'));
  for (const name of Object.keys(pj.dependencies)) {
    try {
      peers[name] = JSON.parse(readFileSync(join(BENCH_DIR, 'peers/node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      peers[name] = 'missing';
    }
  }
  return {
    date: new Date().toISOString(),
    kernel: os.release(),
    cpu: os.cpus()[0]?.model ?? '?',
    cpus: os.cpus().length,
    memTotalMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    hyperfine: await first(['hyperfine', '--version'], /hyperfine [\d.]+/),
    ss: await first(['ss', '-V'], /iproute2-[\w.]+/),
    lsof: (await run(['lsof', '-v'], { timeoutS: 10 })).err.match(/revision: ([\d.]+)/)?.[1] ?? '?',
    peers,
    proc: procCensus(),
  };
}

async function startLoad(scale, outDir) {
  const p = SCALES[scale];
  const loadJson = join(outDir, 'load.json');
  const argv = [PYTHON, join(BENCH_DIR, 'load.py'), '-P', String(p.P), '-S', String(p.S), '-E', String(p.E), '-F', String(p.F), '--lifetime', String(p.lifetimeS), '--out', loadJson];
  log(`starting load: P=${p.P} S=${p.S} E=${p.E} (lifetime ${p.lifetimeS} s)`);
  // Not run(): the load keeps running while we measure; stopLoad() ends it by pid.
  const logFile = join(outDir, 'load.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['ignore', fd, fd] });
  for (let i = 0; i < 1500 && !existsSync(loadJson); i++) {
    if (child.exitCode !== null || !alive(child.pid)) break;
    await sleep(200);
  }
  if (!existsSync(loadJson)) {
    await stopLoad(child);
    throw new Error(`the load did not start; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  return { child, load: JSON.parse(readFileSync(loadJson, 'utf8')) };
}

async function stopLoad(child) {
  if (!child || child.exitCode !== null) return;
  killGroup(child.pid, 'SIGTERM'); // load.py stops its workers by pid on SIGTERM
  for (let i = 0; i < 100 && child.exitCode === null && alive(child.pid); i++) await sleep(100);
  if (child.exitCode === null) killGroup(child.pid, 'SIGKILL');
}

// ---------- hyperfine ----------
function runPlan(singleMs) {
  const s = Math.max(singleMs, 0.5) / 1000;
  const runs = Math.max(CFG.minRuns, Math.min(CFG.maxRuns, Math.round(CFG.targetS / s)));
  const warmup = QUICK ? 1 : s < 0.2 ? 3 : 1;
  return { runs, warmup, capS: Math.ceil(s * (runs + warmup) * 4 + 60) };
}

async function hyperfine(rawDir, group, tool, argvOrSh, singleMs) {
  const { runs, warmup, capS } = runPlan(singleMs);
  const file = join(rawDir, `${group}__${tool.id}.json`);
  const argv = ['hyperfine', '--style', 'basic', '-i', '--warmup', String(warmup), '--runs', String(runs), '--export-json', file, '-n', tool.label];
  if (typeof argvOrSh === 'string') argv.push(argvOrSh); // run by hyperfine's shell, whose start-up it subtracts
  else argv.push('-N', quote(argvOrSh));
  const r = await run(argv, { timeoutS: capS, env: { BENCH_CALL_LOG: file.replace(/\.json$/, '.calls') } });
  if (r.timedOut || !existsSync(file)) {
    log(`  ${group} ${tool.id}: hyperfine failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}) ${r.err.slice(-300)}`);
    return { failed: true, timedOut: r.timedOut };
  }
  const h = JSON.parse(readFileSync(file, 'utf8')).results[0];
  const nonZeroExits = (h.exit_codes ?? []).filter((c) => c !== 0).length;
  const res = { median: h.median * 1000, mean: h.mean * 1000, min: h.min * 1000, max: h.max * 1000, stddev: (h.stddev ?? 0) * 1000, runs: h.times.length, userMs: h.user * 1000, systemMs: h.system * 1000, nonZeroExits };
  log(`  ${group} ${tool.id.padEnd(18)} median ${res.median.toFixed(1).padStart(7)} ms  (${res.runs} runs)`);
  return res;
}

// ---------- one scale ----------
async function runScale(scale) {
  const outDir = join(RESULTS, scale);
  const rawDir = join(outDir, 'raw');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(rawDir, { recursive: true });
  const { child, load } = await startLoad(scale, outDir);
  activeLoad = child;
  try {
    log(`load ready: ${load.processes} processes, ${load.listeners.length} listeners, ${load.connections.connected} connections`);
    await sleep(QUICK ? 500 : 2000); // let the set-up burst settle
    const assertLoad = () => {
      if (!alive(load.loadPid)) throw new Error('the load is gone (lifetime over?): results would be wrong');
    };
    const tools = registry();
    const env = await environment();
    log(`machine: ${env.proc.processes} processes, ${env.proc.fds} fds, ${env.proc.socketFds} sockets`);

    // sanity: ss agrees with the load's own record, or the load is broken and nothing means anything
    const targets = whoTargets(load);
    const ssWho = tools.who.find((t) => t.id === 'ss');
    for (const t of targets) {
      const v = judgeWho(ssWho, await run(ssWho.argv(t.port), { timeoutS: CFG.cmdTimeoutS }), t);
      if (!v.ok) throw new Error(`sanity: ss says ${v.got} for port ${t.port}, load.json says ${t.pids}`);
    }

    // correctness: one run per tool and target
    const correctness = { who: {}, ls: {} };
    const single = {};
    for (const tool of tools.who) {
      const per = {};
      for (const t of targets) {
        assertLoad();
        const argv = (tool.checkArgv ?? tool.argv)(t.port);
        const res = await run(argv, { timeoutS: CFG.cmdTimeoutS });
        per[t.id] = { ...judgeWho(tool, res, t), exit: res.code, ms: Math.round(res.ms) };
        if (t.port === CFG.timingPort) single[`who/${tool.id}`] = res.ms;
      }
      correctness.who[tool.id] = per;
      const bad = targets.filter((t) => !per[t.id].ok).map((t) => `${t.id}: ${per[t.id].verdict}`);
      log(`who ${tool.id}: ${bad.length ? bad.join('; ') : 'all targets ok'}`);
    }
    for (const tool of tools.ls) {
      assertLoad();
      const res = await run((tool.checkArgv ?? tool.argv)(), { timeoutS: CFG.cmdTimeoutS });
      single[`ls/${tool.id}`] = res.ms;
      correctness.ls[tool.id] = { ...judgeLs(tool, res, load), exit: res.code, ms: Math.round(res.ms) };
      log(`ls ${tool.id}: ${correctness.ls[tool.id].verdict}`);
    }

    // timings: floors, then who (X = 3000), then ls
    const timing = { floor: {}, who: {}, ls: {} };
    for (const tool of tools.floor) {
      assertLoad();
      const cmd = tool.sh ?? tool.argv();
      const once = await run(tool.sh ? ['sh', '-c', tool.sh] : tool.argv(), { timeoutS: CFG.cmdTimeoutS });
      timing.floor[tool.id] = await hyperfine(rawDir, 'floor', tool, cmd, once.ms);
    }
    for (const group of ['who', 'ls']) {
      for (const tool of tools[group]) {
        assertLoad();
        timing[group][tool.id] = await hyperfine(rawDir, group, tool, tool.argv(CFG.timingPort), single[`${group}/${tool.id}`] ?? 1000);
      }
    }

    // interleaved rounds: ours, ss, node -e 0 alternate, so a busy machine hurts them alike
    const paired = {};
    const nodeFloor = tools.floor.find((t) => t.id === 'node-e-0');
    for (const group of ['who', 'ls']) {
      assertLoad();
      const cmds = ['ours', 'ss'].map((id) => tools[group].find((t) => t.id === id)).map((t) => ({ id: t.id, argv: t.argv(CFG.timingPort) }));
      cmds.push({ id: 'node-e-0', argv: nodeFloor.argv() });
      paired[group] = await interleaved(cmds, CFG.pairedRounds, { timeoutS: CFG.cmdTimeoutS });
      const p = paired[group];
      log(`paired ${group}: ours ${p.ours.medianMs?.toFixed(1)} ms, ss ${p.ss.medianMs?.toFixed(1)} ms, node -e 0 ${p['node-e-0'].medianMs?.toFixed(1)} ms; ours/ss ${(1 / p.ss.ratioToFirst).toFixed(2)}×, ours − node ${(-p['node-e-0'].diffToFirstMs).toFixed(1)} ms`);
    }

    // peak memory of ours: hyperfine does not measure it
    const rss = {};
    for (const [label, argv] of [[`portdoctor who ${CFG.timingPort}`, tools.who[0].argv(CFG.timingPort)], ['portdoctor ls', tools.ls[0].argv()], ['portdoctor ls --json', tools.ls[0].checkArgv()]]) {
      let best = null;
      for (let i = 0; i < CFG.rssRuns; i++) {
        const m = await peakRss(argv, { python: PYTHON, timeoutS: CFG.cmdTimeoutS });
        if (m && (best === null || m.kib > best.kib)) best = m;
      }
      rss[label] = best;
      log(`peak RSS ${label}: ${best ? (best.kib / 1024).toFixed(1) : '?'} MiB`);
    }
    assertLoad();
    // Did every load process survive the run? (A missing listener in every tool's answer means the
    // load changed under us, e.g. something else on the machine killed a worker, not a tool bug.)
    const loadAlive = load.pids.filter((pid) => alive(pid)).length;
    if (loadAlive !== load.pids.length) log(`WARNING: ${load.pids.length - loadAlive} of ${load.pids.length} load processes died during the run`);

    const oursCorrect = { who: Object.values(correctness.who.ours).every((v) => v.ok), ls: correctness.ls.ours.ok };
    const rssMax = Object.values(rss).reduce((a, v) => (v && (a === null || v.kib > a.kib) ? v : a), null);
    const result = {
      scale,
      quick: QUICK,
      config: CFG,
      timingPort: CFG.timingPort,
      env,
      load: { ...load, listeners: undefined, pids: undefined, listenerCount: load.listeners.length },
      whoTargets: targets,
      tools: Object.fromEntries(Object.entries(tools).map(([q, l]) => [q, l.map((t) => ({ id: t.id, kind: t.kind, label: t.label }))])),
      correctness,
      timing,
      rss,
      paired,
      loadProcesses: { started: load.pids.length, aliveAtEnd: loadAlive },
      targets: evaluateTargets(scale, timing, tools, rssMax, oursCorrect),
      elapsedS: 0,
    };
    return result;
  } finally {
    await stopLoad(child);
    activeLoad = null;
  }
}

let activeLoad = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, async () => {
    log(`${signal}: stopping the load`);
    await stopLoad(activeLoad);
    process.exit(130);
  });
}

async function waitLatency() {
  const script = join(BENCH_DIR, 'wait-latency.mjs');
  if (!existsSync(script)) return null;
  log('running bench/wait-latency.mjs');
  // the peers it compares against: the pinned wait-on and wait-port of bench/peers
  const mods = join(BENCH_DIR, 'peers/node_modules');
  const peers = `wait-on=${process.execPath} ${mods}/wait-on/bin/wait-on tcp:{port};wait-port=${process.execPath} ${mods}/wait-port/bin/wait-port.js {port}`;
  const argv = [process.execPath, script, '--peers', peers, '--json', join(RESULTS, 'wait-latency.json'), ...(QUICK ? ['--trials', '3', '--v6-trials', '1'] : [])];
  const r = await run(argv, { cwd: REPO_DIR, timeoutS: num('BENCH_WAIT_TIMEOUT_S', 900) });
  const text = `${r.out}${r.code === 0 ? '' : `\n(exit ${r.code}${r.timedOut ? ', timed out' : ''})\n${r.err.slice(-2000)}`}`;
  writeFileSync(join(RESULTS, 'wait-latency.txt'), text);
  return text;
}

async function inside(scales) {
  setupNamespace();
  const results = [];
  let status = 0;
  for (const scale of scales) {
    const started = performance.now();
    try {
      const r = await runScale(scale);
      r.elapsedS = Math.round((performance.now() - started) / 1000);
      results.push(r);
      writeFileSync(join(RESULTS, `${scale}.json`), JSON.stringify(r, null, 1));
      writeFileSync(join(RESULTS, `${scale}.md`), renderMarkdown(r));
      log(`scale ${scale} done in ${r.elapsedS} s → bench/results/${scale}.md`);
    } catch (e) {
      status = 1;
      log(`scale ${scale} FAILED: ${e.stack ?? e}`);
    }
  }
  const wait = await waitLatency();
  if (wait !== null && results.length) {
    const last = results[results.length - 1];
    last.waitLatency = wait;
    writeFileSync(join(RESULTS, `${last.scale}.md`), renderMarkdown(last));
  }
  for (const r of results) console.log(renderConsole(r));
  if (wait !== null) console.log(`\nwait latency:\n${wait}`);
  return status;
}

const scales = parseScales(process.argv.slice(2));
if (process.env.PD_BENCH_IN_NS === '1') {
  process.exitCode = await inside(scales);
} else {
  preflight(scales);
  mkdirSync(RESULTS, { recursive: true });
  log(`scales: ${scales.join(', ')}${QUICK ? ' (BENCH_QUICK)' : ''}; entering a private network namespace`);
  const r = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', process.execPath, SELF, ...scales], {
    stdio: 'inherit',
    env: { ...process.env, PD_BENCH_IN_NS: '1' },
    timeout: num('BENCH_TOTAL_TIMEOUT_S', 3 * 3600) * 1000, // SIGTERM: the inner run stops its load by pid
  });
  process.exitCode = r.status ?? 1;
}
