/**
 * Puts the rule sets read from the tools together into one list of base chains, so that each
 * kernel rule is evaluated (and quoted) exactly once:
 * - legacy iptables tables live apart from nf_tables: always evaluated from iptables-legacy-save;
 * - iptables-nft tables are nf_tables tables: evaluated from nft's JSON (the kernel's truth), with
 *   iptables-nft-save supplying the meaning of `xt` matches and the familiar quote. Only when nft
 *   cannot be read do we fall back to iptables-nft-save alone. We do not trust iptables-nft-save
 *   for tables nft rules were added to: it prints a rule using a set as a bare `-p tcp -j DROP`.
 */
import { iptablesBaseChains, iptablesRule } from './iptables-rule.js';
import type { IptablesSave, IptablesTable } from './iptables-save.js';
import type { BaseChain, Rule, RuleOrigin } from './model.js';
import { nftBaseChains, nftUnevaluatedChains, type IptablesCompanion, type NftRuleset, type NftTable } from './nft-json.js';

export interface ReadRulesets {
  readonly iptablesNft: IptablesSave | null;
  readonly ip6tablesNft: IptablesSave | null;
  readonly iptablesLegacy: IptablesSave | null;
  readonly ip6tablesLegacy: IptablesSave | null;
  readonly nft: NftRuleset | null;
}

export interface BuiltChains {
  readonly bases: readonly BaseChain[];
  /** Things not evaluated at all (unparsable lines, incompatible tables, chains on other hooks). */
  readonly notes: readonly string[];
}

/** Expression kinds iptables-nft never writes: their presence means nft was used on the table. */
const NFT_ONLY = /"(set|vmap|map|concat|elem)"|"@/;

function companionFor(table: NftTable, save: IptablesSave | null, source: 'iptables' | 'ip6tables'): IptablesCompanion | null {
  if (save === null || save.incompatible.includes(table.name)) return null;
  const twin = save.tables.find((t) => t.name === table.name);
  if (twin === undefined || !pairs(table, twin)) return null;
  const chainNames = new Set(twin.chains.map((c) => c.name));
  const byChain = new Map<string, Rule[]>();
  const origin = (chain: string): RuleOrigin => ({ source, backend: 'nft', table: table.name, chain });
  for (const line of twin.rules) {
    const list = byChain.get(line.chain) ?? [];
    list.push(iptablesRule(line, chainNames, origin(line.chain)));
    byChain.set(line.chain, list);
  }
  return {
    rule: (chain, index) => byChain.get(chain)?.[index],
    quoteAsIptables: table.rules.every((r) => !NFT_ONLY.test(JSON.stringify(r.expr))),
    origin,
  };
}

/**
 * Same chains, same number of rules in each: then rule i of nft is rule i of iptables-nft-save.
 * iptables-nft creates built-in chains only when first used, yet iptables-nft-save prints them all:
 * a chain missing from nft must be empty in the save output.
 */
export function pairs(table: NftTable, twin: IptablesTable): boolean {
  const count = (list: readonly { chain: string }[], chain: string) => list.filter((r) => r.chain === chain).length;
  const nftNames = new Set(table.chains.map((c) => c.name));
  if (table.chains.some((chain) => !twin.chains.some((c) => c.name === chain.name))) return false;
  return twin.chains.every((chain) =>
    nftNames.has(chain.name) ? count(table.rules, chain.name) === count(twin.rules, chain.name) : count(twin.rules, chain.name) === 0,
  );
}

function saveNotes(save: IptablesSave | null, tool: string): string[] {
  if (save === null) return [];
  return [
    ...save.unparsed.map((line) => `${tool}: ${line} (line not understood)`),
    ...save.incompatible.map((table) => `${tool}: table ${table} is shown only by nft`),
  ];
}

export function buildBaseChains(read: ReadRulesets): BuiltChains {
  const bases: BaseChain[] = [];
  const notes: string[] = [];
  if (read.iptablesLegacy !== null) bases.push(...iptablesBaseChains(read.iptablesLegacy, 'iptables', 'legacy'));
  if (read.ip6tablesLegacy !== null) bases.push(...iptablesBaseChains(read.ip6tablesLegacy, 'ip6tables', 'legacy'));
  notes.push(...saveNotes(read.iptablesLegacy, 'iptables-legacy-save'), ...saveNotes(read.ip6tablesLegacy, 'ip6tables-legacy-save'));
  if (read.nft !== null) {
    bases.push(
      ...nftBaseChains(read.nft, (table) =>
        table.family === 'ip' ? companionFor(table, read.iptablesNft, 'iptables') : table.family === 'ip6' ? companionFor(table, read.ip6tablesNft, 'ip6tables') : null,
      ),
    );
    notes.push(...nftUnevaluatedChains(read.nft));
  } else {
    for (const [save, source] of [[read.iptablesNft, 'iptables'], [read.ip6tablesNft, 'ip6tables']] as const) {
      if (save === null) continue;
      bases.push(...iptablesBaseChains({ ...save, tables: save.tables.filter((t) => !save.incompatible.includes(t.name)) }, source, 'nft'));
      notes.push(...saveNotes(save, `${source}-nft-save`));
    }
  }
  return { bases, notes };
}
