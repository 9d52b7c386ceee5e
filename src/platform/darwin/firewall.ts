/**
 * macOS has two firewalls. The Application Firewall (`/usr/libexec/ApplicationFirewall/
 * socketfilterfw`) decides per program whether it may accept incoming connections; pf (`pfctl`,
 * root only) filters packets by rules, and ships with only Apple's anchors loaded. These parsers
 * read what the tools print and say "unknown" (null, or an `uninterpreted` rule) for any wording
 * they were not taught: a firewall verdict is never guessed from text that was not understood.
 */

export interface SocketFilterState {
  /** `--getglobalstate`: State = 1 or 2 → true, State = 0 → false. */
  readonly enabled: boolean | null;
  /** `--getstealthmode`. */
  readonly stealth: boolean | null;
  /** `--getblockall`, or State = 2 of `--getglobalstate` ("block all non-essential"). */
  readonly blockAll: boolean | null;
  /** Lines of the output that matched no known sentence. */
  readonly unrecognised: readonly string[];
}

/**
 * The sentences socketfilterfw prints, across releases. Sources: recorded outputs in
 * test/fixtures/darwin (SOURCES.md) and the older wordings other projects' parsers name.
 */
const SENTENCES: readonly { readonly pattern: RegExp; readonly set: Partial<Record<'enabled' | 'stealth' | 'blockAll', boolean>> }[] = [
  { pattern: /^Firewall is enabled\. \(State = 1\)$/, set: { enabled: true } },
  { pattern: /^Firewall is disabled\. \(State = 0\)$/, set: { enabled: false } },
  { pattern: /^Firewall is blocking all non-essential incoming connections\. \(State = 2\)$/, set: { enabled: true, blockAll: true } },
  { pattern: /^(?:Firewall )?stealth mode (?:is on|enabled)$/i, set: { stealth: true } },
  { pattern: /^(?:Firewall )?stealth mode (?:is off|disabled)$/i, set: { stealth: false } },
  { pattern: /^Firewall has block all state set to enabled\.$/, set: { blockAll: true } },
  { pattern: /^Firewall has block all state set to disabled\.$/, set: { blockAll: false } },
  { pattern: /^Firewall is blocking all non-essential incoming connections\.$/, set: { blockAll: true } },
  { pattern: /^Firewall is set to block all non-essential incoming connections$/, set: { blockAll: true } },
  { pattern: /^Firewall is set to allow specific incoming connections\.$/, set: { blockAll: false } },
  { pattern: /^Block all ENABLED!$/, set: { blockAll: true } },
  { pattern: /^Block all DISABLED!$/, set: { blockAll: false } },
];

/**
 * Reads the output of `socketfilterfw --getglobalstate`, `--getstealthmode` and `--getblockall`
 * (one text with any of them, e.g. the three outputs joined).
 *
 * @example
 * parseSocketFilterFw('Firewall is disabled. (State = 0)\nFirewall has block all state set to disabled.\n');
 * // { enabled: false, stealth: null, blockAll: false, unrecognised: [] }
 */
export function parseSocketFilterFw(text: string): SocketFilterState {
  const state: { enabled: boolean | null; stealth: boolean | null; blockAll: boolean | null } = { enabled: null, stealth: null, blockAll: null };
  const unrecognised: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const sentence = SENTENCES.find((s) => s.pattern.test(line));
    if (sentence === undefined) unrecognised.push(line);
    else Object.assign(state, sentence.set);
  }
  return { ...state, unrecognised };
}

export interface PfInfo {
  /** From `Status: Enabled …` / `Status: Disabled`; null when there is no status line. */
  readonly enabled: boolean | null;
}

/**
 * Reads `pfctl -s info` (stdout and stderr joined is fine: the "No ALTQ support in kernel" lines
 * are skipped).
 *
 * @example
 * parsePfInfo('Status: Enabled for 0 days 00:02:03           Debug: Urgent\n'); // { enabled: true }
 * parsePfInfo('pfctl: /dev/pf: Permission denied\n');                          // { enabled: null }
 */
export function parsePfInfo(text: string): PfInfo {
  const match = /^Status:\s+(Enabled|Disabled)\b/m.exec(text);
  return { enabled: match === null ? null : match[1] === 'Enabled' };
}

export type PfRule =
  | { readonly kind: 'anchor'; readonly text: string; readonly anchorType: string; readonly name: string }
  | {
      readonly kind: 'filter';
      readonly text: string;
      readonly action: 'block' | 'pass';
      readonly direction: 'in' | 'out' | null;
      readonly quick: boolean;
      /** The interface after `on`, or null for every interface. */
      readonly interface: string | null;
      readonly onLoopback: boolean;
      readonly family: 'inet' | 'inet6' | null;
      readonly protocol: string | null;
      /** Single ports after `port =` / `port` (source or destination); ranges are not read. */
      readonly ports: readonly number[];
      /** True when a `port` clause was there that is not a single port (a range, a list, a macro). */
      readonly portsUninterpreted: boolean;
    }
  | { readonly kind: 'scrub'; readonly text: string }
  | { readonly kind: 'uninterpreted'; readonly text: string };

/** pfctl's own notices, not rules (printed on stderr; harmless when joined with stdout). */
const NOISE = [/^No ALTQ support in kernel$/, /^ALTQ related functions disabled$/];

function filterRule(text: string, words: readonly string[]): PfRule {
  const action = words[0] === 'block' ? 'block' : 'pass';
  const on = words.indexOf('on');
  const iface = on === -1 ? null : (words[on + 1] ?? null);
  const proto = words.indexOf('proto');
  const ports: number[] = [];
  let portsUninterpreted = false;
  words.forEach((word, i) => {
    if (word !== 'port') return;
    const value = words[i + 1] === '=' ? words[i + 2] : words[i + 1];
    const range = words[i + 1] !== '=' && (words[i + 2] === '><' || words[i + 2] === '<>' || words[i + 2] === ':');
    if (value !== undefined && /^\d{1,5}$/.test(value) && !range) ports.push(Number(value));
    else portsUninterpreted = true;
  });
  return {
    kind: 'filter',
    text,
    action,
    direction: words.includes('in') ? 'in' : words.includes('out') ? 'out' : null,
    quick: words.includes('quick'),
    interface: iface,
    onLoopback: iface === 'lo0',
    family: words.includes('inet6') ? 'inet6' : words.includes('inet') ? 'inet' : null,
    protocol: proto === -1 ? null : (words[proto + 1] ?? null),
    ports,
    portsUninterpreted,
  };
}

/**
 * Reads `pfctl -s rules` (or `-a ANCHOR -s rules`) line by line, with a light classification.
 * Rules inside an anchor are not listed by `-s rules`: an `anchor` rule means "more rules may be
 * here" and must be read (`-a NAME -s rules`) before concluding anything.
 *
 * @example
 * parsePfRules('scrub-anchor "com.apple/*" all fragment reassemble\nanchor "com.apple/*" all\n');
 * // [{ kind: 'anchor', anchorType: 'scrub-anchor', name: 'com.apple/*', … }, { kind: 'anchor', anchorType: 'anchor', name: 'com.apple/*', … }]
 */
export function parsePfRules(text: string): PfRule[] {
  const rules: PfRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || NOISE.some((n) => n.test(line))) continue;
    const words = line.split(/\s+/);
    const first = words[0] ?? '';
    const anchor = /^((?:scrub-|nat-|rdr-|binat-|dummynet-)?anchor)\s+"([^"]*)"/.exec(line);
    if (anchor !== null) rules.push({ kind: 'anchor', text: line, anchorType: anchor[1] ?? first, name: anchor[2] ?? '' });
    else if (first === 'block' || first === 'pass') rules.push(filterRule(line, words));
    else if (first === 'scrub') rules.push({ kind: 'scrub', text: line });
    else rules.push({ kind: 'uninterpreted', text: line });
  }
  return rules;
}

/**
 * Reads `pfctl -s Interfaces -v`: one interface or group per line, `lo0 (skip)` for one that pf
 * does not filter at all (`set skip on lo0` in pf.conf). Returns the skipped names, or null when
 * the text lists no interface (not root: `pfctl: /dev/pf: Permission denied`).
 *
 * @example
 * parsePfSkippedInterfaces('No ALTQ support in kernel\nALL\nen0\nlo0 (skip)\n'); // ['lo0']
 */
export function parsePfSkippedInterfaces(text: string): string[] | null {
  const skipped: string[] = [];
  let listed = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || NOISE.some((n) => n.test(line))) continue;
    const match = /^([A-Za-z][\w.-]*)(?:\s+\((skip)\))?$/.exec(line);
    if (match === null) continue;
    listed++;
    if (match[2] === 'skip') skipped.push(match[1] ?? '');
  }
  return listed === 0 ? null : skipped;
}
