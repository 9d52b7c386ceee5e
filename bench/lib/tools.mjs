// Everything `npm run bench` times, per question, with the parser that turns each tool's stdout
// into an answer the correctness checks compare with the load's own record (load.json).
// (Commands and parsers follow the team's reference harness, ../shared/bench/tools.mjs.)
//
// who: "which processes hold port X?"          answer { pids: number[] }
// ls:  "every listening socket with its owners"  answer { rows: [{ proto, addr, port, pids }] }
//
// A tool is { id, kind, label, argv(x), checkArgv?(x), parse }. `argv` is what hyperfine times;
// `checkArgv` (default: argv) is what the correctness pass runs, e.g. ours with --json.
// kinds: ours | os (what a person types) | peer (npm package, one Node process per call) |
//        peer-cmd (the shell commands a peer runs) | lower (a floor, not an answer)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url)).replace(/\/lib$/, '');
export const REPO_DIR = dirname(BENCH_DIR);
const CLI = join(REPO_DIR, 'dist/cli/portdoctor.cjs');
const PEERS = join(BENCH_DIR, 'peers');
const NODE = process.execPath;

const uniq = (a) => [...new Set(a.map(Number))].sort((x, y) => x - y);

function splitAddr(s) {
  const i = s.lastIndexOf(':');
  let addr = s.slice(0, i).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (addr === '') addr = '*';
  return { addr, port: Number(s.slice(i + 1)) };
}

function mergeRows(rows) {
  const byKey = new Map();
  for (const r of rows) {
    const key = `${r.proto}/${r.port}/${r.addr}`;
    const old = byKey.get(key);
    if (old) old.pids = uniq([...old.pids, ...r.pids]);
    else byKey.set(key, { ...r, pids: uniq(r.pids) });
  }
  return [...byKey.values()];
}

/** Sockets of our --json document that are in the caller's namespace and accept (LISTEN / UNCONN). */
function ourListeners(out) {
  const doc = JSON.parse(out);
  return doc.sockets.filter((s) => s.netns.current && (s.state === 'LISTEN' || (s.protocol === 'udp' && s.state === 'UNCONN')));
}

export const parse = {
  ssPids: (out) => ({ pids: uniq([...out.matchAll(/pid=(\d+)/g)].map((m) => m[1])) }),
  lsofPids: (out) => ({ pids: uniq(out.split('\n').slice(1).map((l) => l.trim().split(/\s+/)[1]).filter((x) => /^\d+$/.test(x ?? ''))) }),
  intLines: (out) => ({ pids: uniq(out.split('\n').map((l) => l.trim()).filter((l) => /^\d+$/.test(l))) }),
  // Ours answers for TCP and UDP (labelled); the question is the TCP listener, as for ss/lsof.
  ourWho: (out) => ({ pids: uniq(ourListeners(out).filter((s) => s.protocol === 'tcp').flatMap((s) => s.processes.map((p) => p.pid))) }),
  ourLs: (out) => ({ rows: mergeRows(ourListeners(out).map((s) => ({ proto: s.protocol, addr: s.address, port: s.port, pids: s.processes.map((p) => p.pid) }))) }),
  ssRows(out) {
    const rows = [];
    for (const line of out.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 6 || !/^(tcp|udp)/.test(f[0])) continue;
      rows.push({ proto: f[0].slice(0, 3), ...splitAddr(f[4]), pids: [...line.matchAll(/pid=(\d+)/g)].map((m) => m[1]) });
    }
    return { rows: mergeRows(rows) };
  },
  // lsof -nP -i: TCP rows in (LISTEN) and UDP rows without a peer ("->") are the listeners.
  lsofRows(out) {
    const rows = [];
    for (const line of out.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 9 || !/^(TCP|UDP)$/.test(f[7]) || f[8].includes('->')) continue;
      if (f[7] === 'TCP' && f[9] !== '(LISTEN)') continue;
      rows.push({ proto: f[7].toLowerCase(), ...splitAddr(f[8]), pids: [f[1]] });
    }
    return { rows: mergeRows(rows) };
  },
  // "proto addr port pid[,pid]" lines (the systeminformation wrapper)
  stdRows(out) {
    const rows = [];
    for (const line of out.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4 || !/^(tcp|udp)/.test(f[0])) continue;
      rows.push({ proto: f[0].slice(0, 3), addr: f[1], port: Number(f[2]), pids: f[3] === '-' ? [] : f[3].split(',') });
    }
    return { rows: mergeRows(rows) };
  },
};

const peer = (file) => join(PEERS, file);

/** @returns {{ who: object[], ls: object[], floor: object[] }} */
export function registry() {
  return {
    who: [
      { id: 'ours', kind: 'ours', label: 'portdoctor who X', argv: (x) => [NODE, CLI, 'who', String(x)], checkArgv: (x) => [NODE, CLI, 'who', String(x), '--json'], parse: parse.ourWho },
      { id: 'ss', kind: 'os', ref: true, label: "ss -ltnpH 'sport = :X'", argv: (x) => ['ss', '-ltnpH', `sport = :${x}`], parse: parse.ssPids },
      { id: 'lsof', kind: 'os', label: 'lsof -nP -iTCP:X -sTCP:LISTEN', argv: (x) => ['lsof', '-nP', `-iTCP:${x}`, '-sTCP:LISTEN'], parse: parse.lsofPids },
      { id: 'find-process', kind: 'peer', label: "find-process ('port', X)", argv: (x) => [NODE, peer('q1-find-process.mjs'), String(x)], parse: parse.intLines },
      { id: 'kill-port', kind: 'peer', label: 'kill-port (Node flow, lookup only)', argv: (x) => [NODE, peer('q1-kill-port.mjs'), String(x)], parse: parse.intLines },
      { id: 'kill-port-cmds', kind: 'peer-cmd', label: 'kill-port lookup cmds (sh, no kill)', argv: (x) => ['sh', peer('q1-kill-port-lookup.sh'), String(x)], parse: parse.intLines },
      { id: 'port-pid', kind: 'peer', label: 'port-pid (X).tcp', argv: (x) => [NODE, peer('q1-port-pid.mjs'), String(x)], parse: parse.intLines },
      { id: 'systeminformation', kind: 'peer', label: 'systeminformation networkConnections()', argv: (x) => [NODE, peer('q1-systeminformation.mjs'), String(x)], parse: parse.intLines },
    ],
    ls: [
      { id: 'ours', kind: 'ours', label: 'portdoctor ls', argv: () => [NODE, CLI, 'ls'], checkArgv: () => [NODE, CLI, 'ls', '--json'], parse: parse.ourLs },
      { id: 'ss', kind: 'os', ref: true, label: 'ss -ltunpH', argv: () => ['ss', '-ltunpH'], parse: parse.ssRows },
      { id: 'lsof', kind: 'os', label: 'lsof -nP -i', argv: () => ['lsof', '-nP', '-i'], parse: parse.lsofRows },
      { id: 'systeminformation', kind: 'peer', label: 'systeminformation networkConnections()', argv: () => [NODE, peer('q2-systeminformation.mjs')], parse: parse.stdRows },
    ],
    // floors: timed once per scale; not answers
    floor: [
      { id: 'node-e-0', kind: 'lower', label: 'node -e 0 (Node start-up floor)', argv: () => [NODE, '-e', '0'] },
      { id: 'find-procfd', kind: 'lower', label: "find /proc/[0-9]*/fd -lname 'socket:*'", sh: "find /proc/[0-9]*/fd -lname 'socket:*' >/dev/null 2>&1; true" },
      { id: 'cat-proc-net', kind: 'lower', label: 'cat /proc/net/{tcp,tcp6,udp,udp6}', argv: () => ['cat', '/proc/net/tcp', '/proc/net/tcp6', '/proc/net/udp', '/proc/net/udp6'] },
    ],
  };
}

/** Shell-quotes argv for `hyperfine -N`, which splits its command line with shell-words rules. */
export function quote(argv) {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
