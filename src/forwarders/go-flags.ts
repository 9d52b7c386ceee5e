/**
 * Reads a command line the way Go's `flag` package parses it (docker-proxy and its rootless twin are
 * Go programs): `-name value`, `-name=value`, `--name value`, `--name=value`; boolean flags stand
 * alone or take `=value`; parsing stops at `--` or at the first argument that is not a flag.
 */

export interface GoFlagSpec {
  /** Flags that take a value. */
  readonly values: ReadonlySet<string>;
  /** Flags that are booleans (no separate value). */
  readonly booleans: ReadonlySet<string>;
}

export type GoFlags =
  | { readonly ok: true; readonly flags: ReadonlyMap<string, string>; readonly rest: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses `args` (argv without the program name). An unknown flag followed by a non-flag argument is
 * ambiguous (a boolean, or a flag with a value?), so it makes the whole reading fail rather than
 * guess; an unknown flag written `-name=value` or followed by another flag is skipped.
 *
 * @example
 * parseGoFlags(['-proto', 'tcp', '-host-port=8080'], { values: new Set(['proto', 'host-port']), booleans: new Set() })
 * // { ok: true, flags: Map { 'proto' => 'tcp', 'host-port' => '8080' }, rest: [] }
 */
export function parseGoFlags(args: readonly string[], spec: GoFlagSpec): GoFlags {
  const flags = new Map<string, string>();
  let i = 0;
  while (i < args.length) {
    const arg = args[i] ?? '';
    if (arg === '--') return { ok: true, flags, rest: args.slice(i + 1) };
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    // Go rejects `---x` and `-=x`; such a process would not be running.
    if (body === '' || body.startsWith('-') || body.startsWith('=')) return { ok: false, reason: `bad flag syntax: ${arg}` };
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const inline = eq === -1 ? null : body.slice(eq + 1);
    if (spec.booleans.has(name)) {
      flags.set(name, inline ?? 'true');
      i++;
      continue;
    }
    if (spec.values.has(name)) {
      if (inline !== null) {
        flags.set(name, inline);
        i++;
        continue;
      }
      const value = args[i + 1];
      if (value === undefined) return { ok: false, reason: `flag needs an argument: ${arg}` };
      flags.set(name, value);
      i += 2;
      continue;
    }
    const next = args[i + 1];
    if (inline === null && next !== undefined && !next.startsWith('-')) {
      return { ok: false, reason: `unknown flag ${arg} followed by ${next}: cannot tell whether it takes a value` };
    }
    i++;
  }
  return { ok: true, flags, rest: args.slice(i) };
}
