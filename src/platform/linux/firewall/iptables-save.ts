/**
 * A pure parser for `iptables-save` / `ip6tables-save` output (both back-ends print the same
 * format). It splits the text into tables, chains with policies, and rules as option lists; what
 * the options mean is decided in iptables-rule.ts.
 */

export interface IptablesOption {
  /** The `-m` module the option belongs to; null for the built-in options (-p, -s, -d, -i, -o, -f). */
  readonly module: string | null;
  /** As written: `-p`, `--dport`, … */
  readonly option: string;
  readonly negated: boolean;
  readonly values: readonly string[];
}

export interface IptablesRuleLine {
  readonly chain: string;
  /** The line as printed (counters stripped), for quoting. */
  readonly line: string;
  readonly options: readonly IptablesOption[];
  /** Modules loaded with `-m` in order (some, like `-m comment`, matter only through their options). */
  readonly modules: readonly string[];
  /** `-j TARGET` or `-g CHAIN`; null when the rule has neither (it only counts packets). */
  readonly target: { readonly name: string; readonly goto: boolean; readonly options: readonly string[] } | null;
  /** True when the line names its chain but the rest could not be parsed: kept so it is reported, not skipped. */
  readonly unparsable: boolean;
}

export interface IptablesChain {
  readonly name: string;
  /** ACCEPT / DROP for built-in chains; null for user chains (`-` in the save format). */
  readonly policy: string | null;
}

export interface IptablesTable {
  readonly name: string;
  readonly chains: readonly IptablesChain[];
  readonly rules: readonly IptablesRuleLine[];
}

export interface IptablesSave {
  /** From the header: `(nf_tables)` → nft, otherwise legacy; null when there is no header (empty output). */
  readonly backend: 'nft' | 'legacy' | null;
  readonly tables: readonly IptablesTable[];
  /** Lines we could not parse at all (kept so the evaluator can report them). */
  readonly unparsed: readonly string[];
  /** Tables the tool itself says it cannot show (`# Table `filter' is incompatible, use 'nft' tool.`). */
  readonly incompatible: readonly string[];
}

/** Splits a rule line like a shell would for iptables-save's quoting: "…" with \" and \\ escapes. */
export function tokenize(line: string): string[] | null {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    let token = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '"') {
        i++;
        let closed = false;
        while (i < line.length) {
          const ch = line[i];
          if (ch === '\\' && i + 1 < line.length) {
            token += line[i + 1];
            i += 2;
          } else if (ch === '"') {
            closed = true;
            i++;
            break;
          } else {
            token += ch;
            i++;
          }
        }
        if (!closed) return null;
      } else {
        token += line[i];
        i++;
      }
    }
    tokens.push(token);
  }
  return tokens;
}

const BUILTIN_WITH_VALUE = new Map<string, string>([
  ['-p', '-p'],
  ['--protocol', '-p'],
  ['-s', '-s'],
  ['--source', '-s'],
  ['--src', '-s'],
  ['-d', '-d'],
  ['--destination', '-d'],
  ['--dst', '-d'],
  ['-i', '-i'],
  ['--in-interface', '-i'],
  ['-o', '-o'],
  ['--out-interface', '-o'],
]);

/** Parses the tokens after `-A CHAIN`. Returns null when the line does not have the expected shape. */
function parseRuleTokens(chain: string, line: string, tokens: readonly string[]): IptablesRuleLine | null {
  const options: IptablesOption[] = [];
  const modules: string[] = [];
  let module: string | null = null;
  let negated = false;
  let target: IptablesRuleLine['target'] = null;
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] ?? '';
    if (token === '!') {
      negated = true;
      i++;
      continue;
    }
    if (token === '-m' || token === '--match') {
      module = tokens[i + 1] ?? null;
      if (module === null) return null;
      modules.push(module);
      i += 2;
      continue;
    }
    if (token === '-j' || token === '--jump' || token === '-g' || token === '--goto') {
      const name = tokens[i + 1];
      if (name === undefined) return null;
      // Target options follow the target to the end of the line (iptables-save prints the target last).
      target = { name, goto: token === '-g' || token === '--goto', options: tokens.slice(i + 2) };
      break;
    }
    if (token === '-c' || token === '--set-counters') {
      i += 3;
      continue;
    }
    const builtin = BUILTIN_WITH_VALUE.get(token);
    if (builtin !== undefined) {
      const value = tokens[i + 1];
      if (value === undefined) return null;
      options.push({ module: null, option: builtin, negated, values: [value] });
      negated = false;
      i += 2;
      continue;
    }
    if (token === '-f' || token === '--fragment') {
      options.push({ module: null, option: '-f', negated, values: [] });
      negated = false;
      i++;
      continue;
    }
    if (!token.startsWith('-')) return null;
    const values: string[] = [];
    i++;
    while (i < tokens.length) {
      const value = tokens[i] ?? '';
      if (value === '!') {
        // Old-style negation written after the option: `--dport ! 80`.
        negated = !negated;
        i++;
        continue;
      }
      if (value.startsWith('-') && value.length > 1 && !/^-\d/.test(value)) break;
      values.push(value);
      i++;
    }
    options.push({ module, option: token, negated, values });
    negated = false;
  }
  return { chain, line, options, modules, target, unparsable: false };
}

/** Parses the whole `iptables-save` output. Never throws; odd lines land in `unparsed`. */
export function parseIptablesSave(text: string): IptablesSave {
  let backend: IptablesSave['backend'] = null;
  const tables: IptablesTable[] = [];
  const unparsed: string[] = [];
  const incompatible: string[] = [];
  let current: { name: string; chains: IptablesChain[]; rules: IptablesRuleLine[] } | null = null;

  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      if (line.startsWith('# Generated by')) backend = line.includes('(nf_tables)') ? 'nft' : 'legacy';
      const bad = /^# Table `([^']+)' is incompatible/.exec(line);
      if (bad?.[1] !== undefined) incompatible.push(bad[1]);
      continue;
    }
    if (line.startsWith('*')) {
      current = { name: line.slice(1), chains: [], rules: [] };
      tables.push(current);
      continue;
    }
    if (line === 'COMMIT') {
      current = null;
      continue;
    }
    if (current === null) {
      unparsed.push(line);
      continue;
    }
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(/\s+/);
      if (name === undefined || name === '') unparsed.push(line);
      else current.chains.push({ name, policy: policy === undefined || policy === '-' ? null : policy });
      continue;
    }
    // With `iptables-save -c` each rule starts with its counters: `[12:345] -A INPUT …`.
    const withoutCounters = line.replace(/^\[\d+:\d+\]\s+/, '');
    const tokens = tokenize(withoutCounters);
    const words = withoutCounters.split(/\s+/);
    const chain = words[0] === '-A' ? words[1] : undefined;
    const parsed = tokens !== null && chain !== undefined ? parseRuleTokens(chain, withoutCounters, tokens.slice(2)) : null;
    if (parsed !== null) current.rules.push(parsed);
    else if (chain !== undefined) {
      current.rules.push({ chain, line: withoutCounters, options: [], modules: [], target: null, unparsable: true });
    } else unparsed.push(line);
  }
  return { backend, tables, unparsed, incompatible };
}
