/**
 * Would the firewall drop or reject loopback traffic to this address and port? Reads iptables
 * (nf_tables and legacy back-ends) and nftables, walks the first packet of the connection through
 * the output and input hooks, and quotes the rule that stops it.
 */
import { PortdoctorError } from '../errors.js';
import type { Collected } from '../types.js';
import { parseAddress } from '../platform/linux/firewall/address.js';
import { evaluatePath } from '../platform/linux/firewall/evaluate.js';
import type { Packet } from '../platform/linux/firewall/model.js';
import { readFirewallRules, type SourceRead } from '../platform/linux/firewall/read-rules.js';
import { buildBaseChains } from '../platform/linux/firewall/ruleset.js';
import type { FirewallQuery, FirewallReport } from '../platform/linux/firewall/types.js';

export type { FirewallQuery, FirewallReport, FirewallRuleMatch, FirewallSourceStatus } from '../platform/linux/firewall/types.js';

export interface CollectFirewallOptions {
  /** Read the rules of this `ip netns` namespace instead of our own. */
  readonly netns?: string;
  /** Per-tool timeout; default 5000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The kernel's default ephemeral range (net.ipv4.ip_local_port_range). Only rules matching on the
 * source port care; a rule whose range partly overlaps it is reported as uninterpreted.
 */
const EPHEMERAL_PORTS = { from: 32768, to: 60999 } as const;

/**
 * The source address of loopback traffic: 127.0.0.1 for the 127/8 block (the kernel's route for it
 * says `src 127.0.0.1`), ::1 for ::1, and the address itself for any other local address.
 */
function sourceFor(query: FirewallQuery): string {
  if (query.family === 'ipv4' && query.address.startsWith('127.')) return '127.0.0.1';
  return query.address;
}

function packetFor(query: FirewallQuery): Omit<Packet, 'hook' | 'iif' | 'oif'> {
  const parsed = parseAddress(query.address);
  if (parsed === null || parsed.version !== (query.family === 'ipv4' ? 4 : 6)) {
    throw new PortdoctorError('bad-target', `${query.address} is not an ${query.family === 'ipv4' ? 'IPv4' : 'IPv6'} address.`, {
      hint: 'Give a numeric address of the stated family, e.g. 127.0.0.1 or ::1.',
    });
  }
  if (!Number.isInteger(query.port) || query.port < 1 || query.port > 65535) {
    throw new PortdoctorError('bad-port', `${query.port} is outside the port range 1-65535.`, { hint: 'A port is a whole number from 1 to 65535.' });
  }
  return {
    family: query.family,
    protocol: query.protocol === 'tcp' ? 6 : 17,
    protocolName: query.protocol,
    saddr: sourceFor(query),
    daddr: query.address,
    sport: EPHEMERAL_PORTS,
    dport: query.port,
  };
}

function unreadable(sources: readonly SourceRead[]): { reason: string; hint: string } {
  const tried = sources.filter((s) => s.failure !== 'missing');
  if (tried.length === 0) {
    return {
      reason: 'iptables-save and nft are not installed, so the firewall rules cannot be read.',
      hint: 'Install nftables (apt-get install nftables) or iptables to let portdoctor check the firewall.',
    };
  }
  if (tried.some((s) => s.failure === 'permission')) {
    return { reason: 'Reading firewall rules needs root.', hint: 'Run with sudo to let portdoctor check the firewall.' };
  }
  return {
    reason: `The firewall rules could not be read: ${tried.map((s) => `${s.name}: ${s.reason ?? 'failed'}`).join('; ')}.`,
    hint: 'Run `sudo nft list ruleset` and `sudo iptables-save` to see the rules yourself.',
  };
}

/**
 * Decides whether the firewall drops or rejects loopback traffic to `query`, and quotes the rule.
 * Bad input (an address of the wrong family, a port out of range) throws a PortdoctorError; rules
 * that cannot be read are a value (`ok: false` with a hint) when nothing at all could be read.
 *
 * @example
 * const result = await collectFirewall({ protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 8080 });
 * if (result.ok && result.value.blocked) console.log(`blocked by: ${result.value.blocked.rule}`);
 */
export async function collectFirewall(query: FirewallQuery, options: CollectFirewallOptions = {}): Promise<Collected<FirewallReport>> {
  const [result] = await collectFirewallChecks([query], options);
  return result!;
}

/**
 * The same check for several destinations (the doctor asks for every address a client tries),
 * reading the rule sets once: the tools are the slow part, the evaluation is microseconds.
 *
 * @example
 * const [v4, v6] = await collectFirewallChecks([
 *   { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', port: 3000 },
 *   { protocol: 'tcp', family: 'ipv6', address: '::1', port: 3000 },
 * ]);
 */
export async function collectFirewallChecks(queries: readonly FirewallQuery[], options: CollectFirewallOptions = {}): Promise<Collected<FirewallReport>[]> {
  queries.forEach(packetFor); // validate before running any tool
  return (await loadFirewall(options)).check(queries);
}

/** Rule sets read once, ready to answer any number of queries. */
export interface LoadedFirewall {
  check(queries: readonly FirewallQuery[]): Collected<FirewallReport>[];
}

/**
 * Reads the rule sets (the slow part: five tools, run concurrently) so that callers can start
 * the reading early and ask their questions once they know them.
 *
 * @example
 * const loading = loadFirewall();            // start now
 * const addresses = await whatTheClientTries();
 * const results = (await loading).check(addresses.map(toQuery));
 */
export async function loadFirewall(options: CollectFirewallOptions = {}): Promise<LoadedFirewall> {
  const { rulesets, sources } = await readFirewallRules(options);
  if (!sources.some((s) => s.read)) {
    const failure = { ok: false as const, ...unreadable(sources) };
    return { check: (queries) => queries.map(() => failure) };
  }
  const { bases, notes } = buildBaseChains(rulesets);
  const sourceStatus = sources.map(({ name, read, reason }) => ({ name, read, reason }));
  return {
    check: (queries) =>
      queries.map((query) => {
        const evaluation = evaluatePath(packetFor(query), bases);
        return { ok: true as const, value: { blocked: evaluation.blocked, sources: sourceStatus, uninterpreted: [...notes, ...evaluation.uninterpreted] } };
      }),
  };
}
