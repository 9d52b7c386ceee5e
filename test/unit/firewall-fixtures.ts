/** Loads the captured rule sets in test/fixtures/firewall (see capture.sh there) and evaluates queries. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { evaluatePath, type Evaluation } from '../../src/platform/linux/firewall/evaluate.js';
import { parseIptablesSave } from '../../src/platform/linux/firewall/iptables-save.js';
import { parseNftJson } from '../../src/platform/linux/firewall/nft-json.js';
import { buildBaseChains, type ReadRulesets } from '../../src/platform/linux/firewall/ruleset.js';
import type { FirewallQuery } from '../../src/platform/linux/firewall/types.js';

const dir = fileURLToPath(new URL('../fixtures/firewall/', import.meta.url));

export function fixture(file: string): string {
  return readFileSync(`${dir}${file}`, 'utf8');
}

export function loadScenario(name: string, options: { nft?: boolean } = {}): ReadRulesets {
  return {
    iptablesNft: parseIptablesSave(fixture(`${name}.iptables-nft-save.txt`)),
    ip6tablesNft: parseIptablesSave(fixture(`${name}.ip6tables-nft-save.txt`)),
    iptablesLegacy: parseIptablesSave(fixture(`${name}.iptables-legacy-save.txt`)),
    ip6tablesLegacy: parseIptablesSave(fixture(`${name}.ip6tables-legacy-save.txt`)),
    nft: options.nft === false ? null : parseNftJson(fixture(`${name}.nft.json`)),
  };
}

export function evaluateQuery(rulesets: ReadRulesets, query: FirewallQuery): Evaluation {
  const { bases, notes } = buildBaseChains(rulesets);
  const saddr = query.family === 'ipv4' && query.address.startsWith('127.') ? '127.0.0.1' : query.address;
  const result = evaluatePath(
    {
      family: query.family,
      protocol: query.protocol === 'tcp' ? 6 : 17,
      protocolName: query.protocol,
      saddr,
      daddr: query.address,
      sport: { from: 32768, to: 60999 },
      dport: query.port,
    },
    bases,
  );
  return { blocked: result.blocked, uninterpreted: [...notes, ...result.uninterpreted] };
}

export const v4 = (protocol: 'tcp' | 'udp', port: number, address = '127.0.0.1'): FirewallQuery => ({ protocol, family: 'ipv4', address, port });
export const v6 = (protocol: 'tcp' | 'udp', port: number, address = '::1'): FirewallQuery => ({ protocol, family: 'ipv6', address, port });
