/**
 * Rebuilds `nft list ruleset`-style text from nft's JSON, to quote a rule the way the user sees it
 * (counters left out: they change on every read). Anything unfamiliar is shown as its JSON, so a
 * quote is never silently shortened.
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const QUOTED_META_KEYS = new Set(['iifname', 'oifname', 'iifgroup', 'oifgroup']);

export function formatValue(value: Json, quoteStrings = false): string {
  if (typeof value === 'string') return quoteStrings ? `"${value}"` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => formatValue(v, quoteStrings)).join(', ');
  if (isObject(value)) {
    if ('set' in value && Array.isArray(value.set)) {
      const elements = value.set.map((e) => (Array.isArray(e) && e.length === 2 ? `${formatValue(e[0])} : ${formatVerdictOrValue(e[1])}` : formatValue(e, quoteStrings)));
      return `{ ${elements.join(', ')} }`;
    }
    if ('range' in value && Array.isArray(value.range)) return `${formatValue(value.range[0])}-${formatValue(value.range[1])}`;
    if ('prefix' in value && isObject(value.prefix)) return `${formatValue(value.prefix.addr)}/${formatValue(value.prefix.len)}`;
    if ('concat' in value && Array.isArray(value.concat)) return value.concat.map((v) => formatValue(v, quoteStrings)).join(' . ');
    if ('meta' in value && isObject(value.meta)) {
      const key = String(value.meta.key);
      // nft prints the common meta keys bare (`iifname`), the rest with their `meta` prefix.
      return QUOTED_META_KEYS.has(key) || key === 'iif' || key === 'oif' ? key : `meta ${key}`;
    }
    if ('payload' in value && isObject(value.payload)) return `${formatValue(value.payload.protocol)} ${formatValue(value.payload.field)}`;
    if ('ct' in value && isObject(value.ct)) return `ct ${formatValue(value.ct.key)}`;
    if ('&' in value && Array.isArray(value['&'])) return `${formatValue(value['&'][0])} & (${formatFlags(value['&'][1])})`;
    if ('fib' in value && isObject(value.fib)) return `fib ${formatValue(value.fib.flags).replace(/, /g, ' . ')} ${formatValue(value.fib.result)}`;
    const verdict = formatVerdict(value);
    if (verdict !== null) return verdict;
  }
  return JSON.stringify(value);
}

function formatFlags(value: Json): string {
  return Array.isArray(value) ? value.map((v) => formatValue(v)).join('|') : formatValue(value);
}

function formatVerdictOrValue(value: Json): string {
  return (isObject(value) ? formatVerdict(value) : null) ?? formatValue(value);
}

/** accept / drop / jump X …; null when the object is not a verdict. */
export function formatVerdict(expr: Record<string, Json>): string | null {
  for (const kind of ['accept', 'drop', 'return', 'continue'] as const) if (kind in expr) return kind;
  for (const kind of ['jump', 'goto'] as const) {
    const target = expr[kind];
    if (isObject(target)) return `${kind} ${formatValue(target.target)}`;
  }
  if ('reject' in expr) {
    const reject = expr.reject;
    if (!isObject(reject)) return 'reject';
    const how = typeof reject.expr === 'string' ? `${formatValue(reject.type)} ${reject.expr}` : formatValue(reject.type);
    return `reject with ${how}`;
  }
  return null;
}

function formatMatch(match: Record<string, Json>): string {
  const left = match.left;
  const op = match.op;
  const quote = isObject(left) && isObject(left.meta) && QUOTED_META_KEYS.has(String(left.meta.key));
  const right = formatValue(match.right, quote);
  const shownOp = op === '==' || op === 'in' ? '' : `${String(op)} `;
  return `${formatValue(left)} ${shownOp}${right}`;
}

function formatStatement(expr: Json): string | null {
  if (!isObject(expr)) return JSON.stringify(expr);
  if (isObject(expr.match)) return formatMatch(expr.match);
  if ('counter' in expr) return 'counter';
  const verdict = formatVerdict(expr);
  if (verdict !== null) return verdict;
  if (isObject(expr.vmap)) return `${formatValue(expr.vmap.key)} vmap ${formatValue(expr.vmap.data)}`;
  if (isObject(expr.log)) return typeof expr.log.prefix === 'string' ? `log prefix "${expr.log.prefix}"` : 'log';
  if ('log' in expr) return 'log';
  if (isObject(expr.limit)) return `limit rate ${formatValue(expr.limit.rate)}/${formatValue(expr.limit.per)}`;
  if (isObject(expr.xt)) return `xt ${formatValue(expr.xt.type)} ${formatValue(expr.xt.name)}`;
  return JSON.stringify(expr);
}

/** One rule's expression list as nft text, e.g. `iifname "lo" tcp dport 8080 drop`. */
export function formatNftRule(expressions: readonly Json[]): string {
  return expressions
    .map(formatStatement)
    .filter((s): s is string => s !== null)
    .join(' ');
}
