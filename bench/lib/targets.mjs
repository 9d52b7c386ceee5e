// The speed targets of issue 2 ("How fast"), evaluated on one scale's measurements.
// Every ratio is whole-process median against median, measured in the same run.

const LIMITS = {
  small: { floorSlackMs: 15 }, // within 15 ms of `node -e 0` (a ratio to ss is meaningless there)
  medium: { ssRatio: 1.25 },
  large: { ssRatio: 0.8, peerFactor: 3, rssMiB: 120 },
};

/**
 * @param {string} scale
 * @param {{ who: Record<string, any>, ls: Record<string, any>, floor: Record<string, any> }} timing medians per tool id
 * @param {{ who: object[], ls: object[] }} tools the registry (for kinds)
 * @param {{ kib: number } | null} rss peak RSS of ours (max of who and ls)
 * @param {{ who: boolean, ls: boolean }} oursCorrect
 * @returns {{ target: string, met: boolean | null, detail: string }[]}
 */
export function evaluateTargets(scale, timing, tools, rss, oursCorrect) {
  const out = [];
  const limits = LIMITS[scale] ?? {};
  const med = (q, id) => timing[q]?.[id]?.median ?? null;
  const node = med('floor', 'node-e-0');
  const fmt = (x) => (x === null ? 'n/a' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  for (const q of ['who', 'ls']) {
    const ours = med(q, 'ours');
    const ss = med(q, 'ss');
    const what = q === 'who' ? '`who PORT`' : '`ls`';
    const ssLabel = q === 'who' ? "`ss -ltnpH 'sport = :PORT'`" : '`ss -ltunpH`';
    if (ours === null) {
      out.push({ target: `${what} timed`, met: false, detail: 'no timing for ours' });
      continue;
    }
    if (limits.floorSlackMs !== undefined && node !== null) {
      const over = ours - node;
      out.push({ target: `${what} within ${limits.floorSlackMs} ms of \`node -e 0\``, met: over <= limits.floorSlackMs, detail: `${fmt(ours)} − ${fmt(node)} = ${fmt(over)} ms` });
    }
    if (limits.ssRatio !== undefined && ss !== null) {
      const ratio = ours / ss;
      out.push({ target: `${what} ≤ ${limits.ssRatio}× ${ssLabel}`, met: ratio <= limits.ssRatio, detail: `${fmt(ours)} / ${fmt(ss)} ms = ${ratio.toFixed(2)}×` });
    }
    const factor = limits.peerFactor ?? 1;
    for (const tool of tools[q].filter((t) => t.kind === 'peer')) {
      const peer = med(q, tool.id);
      if (peer === null) continue;
      const speedup = peer / ours;
      out.push({ target: `${what} ${factor > 1 ? `≥ ${factor}× faster than` : 'faster than'} ${tool.id}`, met: speedup >= factor && ours < peer, detail: `${fmt(peer)} / ${fmt(ours)} ms = ${speedup.toFixed(2)}×` });
    }
    const lsof = med(q, 'lsof');
    if (scale !== 'small' && lsof !== null) {
      out.push({ target: `${what} faster than lsof`, met: ours < lsof, detail: `${fmt(ours)} vs ${fmt(lsof)} ms (${(lsof / ours).toFixed(2)}×)` });
    }
    out.push({ target: `${what} answers correctly (every target vs load.json)`, met: oursCorrect[q], detail: oursCorrect[q] ? 'all ok' : 'see correctness table' });
  }
  if (limits.rssMiB !== undefined) {
    const mib = rss === null ? null : rss.kib / 1024;
    out.push({ target: `peak RSS of ours ≤ ${limits.rssMiB} MiB`, met: mib === null ? null : mib <= limits.rssMiB, detail: mib === null ? 'not measured' : `${mib.toFixed(1)} MiB` });
  }
  return out;
}
