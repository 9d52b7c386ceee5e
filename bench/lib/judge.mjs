// Correctness: every tool's answer against the load's own record (load.json), never against
// another tool. (Targets and verdicts follow the team's reference harness, ../shared/bench/harness.mjs.)

const sorted = (a) => [...a].map(Number).sort((x, y) => x - y);
const samePids = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The `who` targets: every fixture, one worker listener per family, and a port nobody holds. */
export function whoTargets(load) {
  const fx = load.fixtures;
  const targets = [
    { id: 'v4', label: '127.0.0.1:3000', port: 3000, pids: fx.v4.pids },
    { id: 'v6', label: '[::1]:5173', port: 5173, pids: fx.v6.pids },
    { id: 'any4', label: '0.0.0.0:8000', port: 8000, pids: fx.any4.pids },
    { id: 'any6', label: '[::]:8080 dual-stack', port: 8080, pids: fx.any6.pids },
    { id: 'shared', label: '0.0.0.0:8443, 2 owners', port: 8443, pids: fx.shared.pids },
    { id: 'udp-decoy', label: 'TCP 9053 + UDP 9053 in another process', port: 9053, pids: fx['tcp-9053'].pids },
  ];
  const pick = (kind) => {
    const l = load.listeners.filter((x) => x.kind === kind && x.port >= load.params.base_port);
    return l.length ? l[Math.floor(l.length / 2)] : null;
  };
  const v4 = pick('tcp4-lo');
  const v6 = pick('tcp6-lo');
  if (v4) targets.push({ id: 'load-v4', label: `load 127.0.0.1:${v4.port}`, port: v4.port, pids: v4.pids });
  if (v6) targets.push({ id: 'load-v6', label: `load [::1]:${v6.port}`, port: v6.port, pids: v6.pids });
  targets.push({ id: 'none', label: '300 (free; 3000 is not)', port: 300, pids: [] });
  for (const t of targets) t.pids = sorted(t.pids);
  return targets;
}

/** Verdict for one `who` answer: ok | partial | extra pids | wrong pid | not found | false positive. */
export function judgeWho(tool, res, target) {
  if (res.timedOut) return { ok: false, verdict: 'timeout' };
  let answer;
  try {
    answer = tool.parse(res.out);
  } catch (e) {
    return { ok: false, verdict: `unparseable (exit ${res.code}): ${e.message}` };
  }
  const got = answer.pids;
  const exp = target.pids;
  if (samePids(got, exp)) return { ok: true, verdict: 'ok', got };
  if (!exp.length) return { ok: false, verdict: 'false positive', got };
  if (!got.length) return { ok: false, verdict: 'not found', got };
  const common = got.filter((p) => exp.includes(p));
  if (common.length === got.length) return { ok: false, verdict: `partial ${common.length}/${exp.length} pids`, got };
  if (common.length === exp.length) return { ok: false, verdict: `extra pids ${got.filter((p) => !exp.includes(p)).join(',')}`, got };
  return { ok: false, verdict: `wrong pid ${got.join(',')}`, got };
}

/**
 * The `ls` answer against every listener of the load. Keyed by protocol/port (each load port has
 * one listener per protocol; address spellings differ between tools: `*`, `[::]`, `0.0.0.0`).
 */
export function judgeLs(tool, res, load) {
  if (res.timedOut) return { ok: false, verdict: 'timeout' };
  let rows;
  try {
    rows = tool.parse(res.out).rows;
  } catch (e) {
    return { ok: false, verdict: `unparseable (exit ${res.code}): ${e.message}` };
  }
  const byKey = new Map();
  for (const r of rows) {
    const key = `${r.proto}/${r.port}`;
    const old = byKey.get(key);
    byKey.set(key, old ? { ...old, pids: sorted(new Set([...old.pids, ...r.pids])) } : { ...r, pids: sorted(r.pids) });
  }
  const expected = load.listeners.map((l) => ({ key: `${l.proto}/${l.port}`, kind: l.kind, addr: l.addr, pids: sorted(l.pids) }));
  const expKeys = new Set(expected.map((e) => e.key));
  let found = 0;
  let exact = 0;
  let partial = 0;
  let wrong = 0;
  let addrMismatch = 0;
  const missingByKind = {};
  const missingSample = [];
  for (const e of expected) {
    const g = byKey.get(e.key);
    if (!g) {
      missingByKind[e.kind] = (missingByKind[e.kind] ?? 0) + 1;
      if (missingSample.length < 10) missingSample.push(`${e.key} ${e.addr} pids ${e.pids.join(',')}`);
      continue;
    }
    found++;
    if (tool.kind === 'ours' && g.addr !== e.addr) addrMismatch++; // our JSON contract: numeric addresses
    if (samePids(g.pids, e.pids)) exact++;
    else if (g.pids.length && g.pids.every((p) => e.pids.includes(p))) partial++;
    else wrong++;
  }
  const extra = [...byKey.keys()].filter((k) => !expKeys.has(k));
  const ok = found === expected.length && exact === expected.length && extra.length === 0 && addrMismatch === 0;
  const parts = [`${found}/${expected.length} found`, `${exact} exact`];
  if (partial) parts.push(`${partial} partial`);
  if (wrong) parts.push(`${wrong} wrong/no pid`);
  if (extra.length) parts.push(`${extra.length} extra`);
  if (addrMismatch) parts.push(`${addrMismatch} wrong address`);
  const missing = Object.entries(missingByKind).map(([k, n]) => `${n}× ${k}`).join(', ');
  if (missing) parts.push(`missing ${missing}`);
  return { ok, verdict: ok ? 'ok' : parts.join(', '), expected: expected.length, found, exact, partial, wrong, extra: extra.slice(0, 10), extraCount: extra.length, addrMismatch, missingByKind, missingSample };
}
