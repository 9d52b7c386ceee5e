/**
 * Runs the rule-set dumpers (concurrently: together they take as long as the slowest one) and
 * parses what they print. Nothing here decides anything about packets.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { liveReader, type CommandRun, type SourceReader } from '../../snapshot/reader.js';
import { parseIptablesSave, type IptablesSave } from './iptables-save.js';
import { parseNftJson } from './nft-json.js';
import type { ReadRulesets } from './ruleset.js';
import type { FirewallSourceStatus } from './types.js';

export type FailureKind = 'missing' | 'permission' | 'timeout' | 'other';

export interface SourceRead extends FirewallSourceStatus {
  readonly failure: FailureKind | null;
}

export interface ReadResult {
  readonly rulesets: ReadRulesets;
  readonly sources: readonly SourceRead[];
}

export interface ReadOptions {
  readonly netns?: string;
  readonly timeoutMs?: number;
  /** Where the dumps come from: the live machine (default) or a snapshot. Keys are the tool names. */
  readonly reader?: SourceReader;
}

const LIVE = liveReader();

/**
 * The dumpers live in /usr/sbin, which is not on an ordinary user's PATH on Debian: look there too,
 * so an unprivileged run says "needs root" rather than "not installed".
 */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function resolveTool(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; try the next.
    }
  }
  return null;
}

function classify(result: CommandRun): { kind: FailureKind; reason: string } {
  const firstLine = result.stderr.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  // Under `ip netns exec` a missing tool is reported by ip, not by execFile.
  if (result.failure === 'missing' || /exec of ".*" failed: No such file/.test(result.stderr)) return { kind: 'missing', reason: 'not installed' };
  if (result.failure === 'not-recorded') return { kind: 'other', reason: 'not in the snapshot' };
  if (result.failure === 'timeout') return { kind: 'timeout', reason: 'timed out' };
  if (result.failure === 'denied' || /permission denied|operation not permitted|must be root/i.test(result.stderr)) {
    return { kind: 'permission', reason: `permission denied (needs root)${firstLine === '' ? '' : `: ${firstLine}`}` };
  }
  return { kind: 'other', reason: firstLine === '' ? `exited with code ${result.exitCode ?? '?'}` : firstLine };
}

interface Dump<T> {
  readonly status: SourceRead;
  readonly value: T | null;
}

async function dump<T>(name: string, args: readonly string[], parse: (text: string) => T | null, options: ReadOptions): Promise<Dump<T>> {
  const reader = options.reader ?? LIVE;
  // A replay asks the snapshot by name; only the live machine has a PATH to search. A tool found
  // nowhere is still run by its bare name: it fails at once as "missing", and a recording keeps that.
  const path = reader.replaying ? name : (resolveTool(name) ?? name);
  const [command, argv] = options.netns === undefined ? [path, args] : ['ip', ['netns', 'exec', options.netns, path, ...args]];
  const result = await reader.run(name, command, argv, { timeoutMs: options.timeoutMs ?? 5000 });
  if (!result.ok) {
    const { kind, reason } = classify(result);
    return { status: { name, read: false, reason, failure: kind }, value: null };
  }
  const value = parse(result.stdout);
  if (value === null) return { status: { name, read: false, reason: 'printed something we could not parse', failure: 'other' }, value: null };
  return { status: { name, read: true, reason: null, failure: null }, value };
}

const parseSave = (text: string): IptablesSave => parseIptablesSave(text);

/** Reads iptables (both back-ends, v4 and v6) and nftables rule sets. Never throws. */
export async function readFirewallRules(options: ReadOptions = {}): Promise<ReadResult> {
  const [v4nft, v6nft, v4legacy, v6legacy, nft] = await Promise.all([
    dump('iptables-nft-save', [], parseSave, options),
    dump('ip6tables-nft-save', [], parseSave, options),
    dump('iptables-legacy-save', [], parseSave, options),
    dump('ip6tables-legacy-save', [], parseSave, options),
    dump('nft', ['-j', 'list', 'ruleset'], parseNftJson, options),
  ]);
  const sources: SourceRead[] = [v4nft.status, v6nft.status, v4legacy.status, v6legacy.status, nft.status];
  let rulesets: ReadRulesets = {
    iptablesNft: v4nft.value,
    ip6tablesNft: v6nft.value,
    iptablesLegacy: v4legacy.value,
    ip6tablesLegacy: v6legacy.value,
    nft: nft.value,
  };
  // Before iptables 1.8 there is only `iptables-save` (legacy); its header names the back-end.
  if (v4nft.status.failure === 'missing' && v4legacy.status.failure === 'missing') {
    const [v4, v6] = await Promise.all([dump('iptables-save', [], parseSave, options), dump('ip6tables-save', [], parseSave, options)]);
    sources.push(v4.status, v6.status);
    const nftBackend = (save: IptablesSave | null) => save?.backend === 'nft';
    rulesets = {
      ...rulesets,
      iptablesNft: nftBackend(v4.value) ? v4.value : null,
      iptablesLegacy: nftBackend(v4.value) ? null : v4.value,
      ip6tablesNft: nftBackend(v6.value) ? v6.value : null,
      ip6tablesLegacy: nftBackend(v6.value) ? null : v6.value,
    };
  }
  return { rulesets, sources };
}
