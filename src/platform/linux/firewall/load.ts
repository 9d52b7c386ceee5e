/**
 * Would the firewall drop or reject loopback traffic to this address and port? Reads iptables
 * (nf_tables and legacy back-ends) and nftables, walks the first packet of the connection through
 * the output and input hooks, and quotes the rule that stops it.
 */
import { PortdoctorError } from '../../../errors.js';
import type { Collected } from '../../../types.js';
import type { SourceReader } from '../../snapshot/reader.js';
import type { FirewallOptions, FirewallQuery, FirewallReport, LoadedFirewall, NatLookup, PortSpan } from '../../types.js';
import { parseAddress } from './address.js';
import { evaluatePath } from './evaluate.js';
import { natRedirects, redirectsFor } from './nat.js';
import type { Packet } from './model.js';
import { readFirewallRules, type SourceRead } from './read-rules.js';
import { buildBaseChains } from './ruleset.js';

export interface LinuxFirewallOptions extends FirewallOptions {
  /** Where the dumps come from: the live machine (default) or a snapshot. */
  readonly reader?: SourceReader;
  /** The ephemeral range client ports come from (net.ipv4.ip_local_port_range); default the kernel's. */
  readonly ephemeralRange?: PortSpan;
}

/**
 * The kernel's default ephemeral range (net.ipv4.ip_local_port_range). Only rules matching on the
 * source port care; a rule whose range partly overlaps it is reported as uninterpreted.
 */
const DEFAULT_EPHEMERAL_PORTS: PortSpan = { from: 32768, to: 60999 };

/**
 * The source address of loopback traffic: 127.0.0.1 for the 127/8 block (the kernel's route for it
 * says `src 127.0.0.1`), ::1 for ::1, and the address itself for any other local address.
 */
function sourceFor(query: FirewallQuery): string {
  if (query.family === 'ipv4' && query.address.startsWith('127.')) return '127.0.0.1';
  return query.address;
}

function packetFor(query: FirewallQuery, ephemeral: PortSpan): Omit<Packet, 'hook' | 'iif' | 'oif'> {
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
    sport: ephemeral,
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
 * Reads the rule sets (the slow part: five tools, run concurrently) so that callers can start
 * the reading early and ask their questions once they know them.
 *
 * @example
 * const loading = loadLinuxFirewall();       // start now
 * const addresses = await whatTheClientTries();
 * const results = (await loading).check(addresses.map(toQuery));
 */
export async function loadLinuxFirewall(options: LinuxFirewallOptions = {}): Promise<LoadedFirewall> {
  const { rulesets, sources } = await readFirewallRules(options);
  if (!sources.some((s) => s.read)) {
    const failure = { ok: false as const, ...unreadable(sources) };
    return { check: (queries) => queries.map(() => failure), redirects: () => failure };
  }
  const ephemeral = options.ephemeralRange ?? DEFAULT_EPHEMERAL_PORTS;
  const { bases, notes } = buildBaseChains(rulesets);
  const sourceStatus = sources.map(({ name, read, reason }) => ({ name, read, reason }));
  // A dumper that exists but failed (not one that is simply not installed) may hold the very rule
  // that blocks: the verdict from the rest is then only partial.
  const failed = sources.filter((s) => !s.read && s.failure !== 'missing');
  // The nat table is read from the same dumps, interpreted once, on the first question.
  let nat: ReturnType<typeof natRedirects> | undefined;
  const partial = failed.length > 0 ? { completeness: 'partial' as const, notes: [`Not read: ${failed.map((s) => `${s.name} (${s.reason ?? 'failed'})`).join('; ')}.`] } : {};
  return {
    check: (queries) =>
      queries.map((query): Collected<FirewallReport> => {
        const evaluation = evaluatePath(packetFor(query, ephemeral), bases);
        return { ok: true, value: { blocked: evaluation.blocked, sources: sourceStatus, uninterpreted: [...notes, ...evaluation.uninterpreted], ...partial } };
      }),
    redirects(destination): Collected<NatLookup> {
      nat ??= natRedirects(rulesets);
      const unreadTools = failed.map((s) => `${s.name} could not be read (${s.reason ?? 'failed'}): its DNAT rules are not known`);
      return { ok: true, value: { matches: redirectsFor(nat.redirects, destination), unreadable: [...nat.unreadable, ...unreadTools] } };
    },
  };
}
