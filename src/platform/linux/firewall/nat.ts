/**
 * Destination NAT, interpreted: the DNAT and REDIRECT rules of the rule sets already read for the
 * firewall check (iptables-save of both back-ends, nft's JSON), each kernel rule read once — legacy
 * tables from iptables-legacy-save, nf_tables from nft (iptables-nft's own rules through their
 * iptables-save twin), iptables-nft-save alone only when nft could not be read.
 */
import { parseAddress, parseNetwork, networkContains } from './address.js';
import { iptablesNat } from './nat-iptables.js';
import { nftNat } from './nat-nft.js';
import type { NatReading, NatRedirect } from './nat-types.js';
import type { ReadRulesets } from './ruleset.js';

/**
 * Every DNAT/REDIRECT rule in the rule sets, and the ones that could not be read.
 *
 * @example
 * const { redirects } = natRedirects((await readFirewallRules()).rulesets);
 * redirects.filter((r) => r.dport?.from === 8080);
 */
export function natRedirects(read: ReadRulesets): NatReading {
  const redirects: NatRedirect[] = [];
  const unreadable: string[] = [];
  const add = (part: { redirects: NatRedirect[]; unreadable: string[] }): void => {
    redirects.push(...part.redirects);
    unreadable.push(...part.unreadable);
  };
  if (read.iptablesLegacy !== null) add(iptablesNat(read.iptablesLegacy, { source: 'iptables', backend: 'legacy' }));
  if (read.ip6tablesLegacy !== null) add(iptablesNat(read.ip6tablesLegacy, { source: 'ip6tables', backend: 'legacy' }));
  if (read.nft !== null) add(nftNat(read.nft, { ip: read.iptablesNft, ip6: read.ip6tablesNft }));
  else {
    if (read.iptablesNft !== null) add(iptablesNat(read.iptablesNft, { source: 'iptables', backend: 'nft' }));
    if (read.ip6tablesNft !== null) add(iptablesNat(read.ip6tablesNft, { source: 'ip6tables', backend: 'nft' }));
  }
  return { redirects, unreadable };
}

export interface NatDestination {
  readonly protocol: string;
  readonly address: string;
  readonly port: number;
}

/** Does the written destination network (possibly negated) cover the address? 'unknown' when it cannot be read. */
function addressMatches(daddr: string | null, negated: boolean, address: string): boolean | 'unknown' {
  if (daddr === null) return true;
  const network = parseNetwork(daddr);
  const parsed = parseAddress(address);
  if (network === null || parsed === null) return 'unknown';
  const inside = networkContains(network, parsed);
  return negated ? !inside : inside;
}

/**
 * The redirects whose own matches cover a destination (protocol, address, port), each with
 * `certain: false` when the rule has other conditions (an interface, `fib daddr type local`, …) that
 * are not evaluated here. Whether a packet reaches the rule's chain at all is in `redirect.paths`
 * (a connection from this machine takes the `output` hook; one from outside, `prerouting`).
 *
 * @example
 * redirectsFor(redirects, { protocol: 'tcp', address: '127.0.0.1', port: 8080 })
 * // [{ redirect: { kind: 'dnat', toAddress: '172.17.0.2', toPort: { from: 80, to: 80 }, … }, certain: false }]
 */
export function redirectsFor(redirects: readonly NatRedirect[], destination: NatDestination): { readonly redirect: NatRedirect; readonly certain: boolean }[] {
  const family = destination.address.includes(':') ? 'ipv6' : 'ipv4';
  const found: { redirect: NatRedirect; certain: boolean }[] = [];
  for (const redirect of redirects) {
    if (redirect.family !== null && redirect.family !== family) continue;
    if (redirect.protocol !== null && redirect.protocol !== destination.protocol) continue;
    if (redirect.dport !== null && (destination.port < redirect.dport.from || destination.port > redirect.dport.to)) continue;
    const address = addressMatches(redirect.daddr, redirect.daddrNegated, destination.address);
    if (address === false) continue;
    const certain = address === true && redirect.conditions.length === 0;
    found.push({ redirect, certain });
  }
  return found;
}
