import { numericAddress } from '../render/address.js';
import { isIP } from 'node:net';
import type { BindResult } from '../collectors/bind-check.js';
import type { DoctorFacts, Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding, Socket } from '../types.js';
import { finding, freeFix, holderText, knownHolderFix, listeners, socketEvidence, where } from './helpers.js';

/**
 * Does a listener on `held` stop a new bind to `wanted` (same port)? Same address; a wildcard
 * covers its family (and `::` covers IPv4 too when dual-stack); binding a wildcard conflicts
 * with every specific address of its family.
 */
export function conflicts(held: string, wanted: string): boolean {
  if (held === wanted) return true;
  const heldV4 = isIP(held) === 4;
  const wantedV4 = isIP(wanted) === 4;
  if (held === '0.0.0.0') return wantedV4 || wanted === '::';
  if (held === '::') return true;
  if (wanted === '0.0.0.0') return heldV4;
  if (wanted === '::') return true;
  return false;
}

function holdersOf(facts: DoctorFacts, bind: BindResult): Socket[] {
  return listeners(facts, { current: true }).filter((s) => conflicts(s.address, bind.address));
}

const failed = (facts: DoctorFacts, code: string): Extract<BindResult, { ok: false }>[] =>
  facts.binds.filter((b): b is Extract<BindResult, { ok: false }> => !b.ok && b.code === code);

/**
 * The server view: will a new server be able to listen on the port? Decided from the socket table,
 * confirmed by real trial binds: EADDRINUSE (who holds it), EADDRNOTAVAIL (not a local address),
 * EACCES (a privileged port). For a bare port, a holder is context (info); with --bind, an error.
 */
export const serverView: Rule = {
  step: 'port-usage',
  codes: ['port-in-use', 'address-not-available'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const port = facts.target.port;
    const bindOnly = facts.views.length === 1 && facts.views[0] === 'server';
    const current = listeners(facts, { current: true });

    if (facts.views.includes('server')) {
      const inUse = failed(facts, 'EADDRINUSE');
      // A replay has no trial binds: the snapshot's socket table is all the evidence there is.
      const tableOnly = facts.replay !== null;
      const wanted = facts.target.host === null || facts.target.host === 'localhost' ? ['127.0.0.1', '::1', '0.0.0.0', '::'] : [facts.target.host];
      const tableHolders = tableOnly ? current.filter((s) => wanted.some((w) => conflicts(s.address, w))) : [];
      if (inUse.length > 0 || tableHolders.length > 0 || (!bindOnly && current.length > 0)) {
        const holders = [...new Set([...inUse.flatMap((b) => holdersOf(facts, b)), ...tableHolders])];
        const shown = holders.length > 0 ? holders : current;
        const first = shown[0];
        const severity = bindOnly ? 'error' : 'info';
        const addresses = inUse.map((b) => numericAddress(b.address, null));
        const covering = first !== undefined && (first.address === '0.0.0.0' || first.address === '::') ? ` Its ${first.address === '::' ? 'dual-stack wildcard (::) also covers IPv4 addresses' : 'wildcard (0.0.0.0) covers every IPv4 address'}, so a bind to any of them fails.` : '';
        findings.push(
          finding(
            'port-in-use',
            severity,
            first === undefined ? `Port ${port} is in use` : `Port ${port} is in use by ${first.processes[0]?.name ?? first.user} on ${numericAddress(first.address, null)}`,
            `${first === undefined ? 'A trial bind failed with EADDRINUSE' : `${where(first)} is held by ${holderText(first)}.`}${covering}${inUse.length > 0 ? ` A new server cannot bind ${addresses.join(', ')} (EADDRINUSE, confirmed by a trial bind).` : ''}${tableOnly && bindOnly ? ' (From the snapshot\'s socket table: a replay makes no trial bind.)' : ''}${bindOnly ? '' : ' (Context: someone is already serving this port.)'}`,
            knownHolderFix(facts, first) ?? freeFix(port),
            { holders: shown.map(socketEvidence), binds: facts.binds },
          ),
        );
      }
      for (const bind of failed(facts, 'EADDRNOTAVAIL')) {
        findings.push(
          finding(
            'address-not-available',
            'error',
            `${numericAddress(bind.address, null)} is not an address of this machine`,
            `Binding ${numericAddress(bind.address, port)} fails with EADDRNOTAVAIL: no interface here has that address${isIP(bind.address) === 6 ? ' (or IPv6 is disabled on it)' : ''}. A server configured with this host cannot start.`,
            `Bind to an address this machine has ('${adviceFor(facts.os).listAddresses}'), 0.0.0.0 / :: for every address, or 127.0.0.1 for local-only access.`,
            { address: bind.address, port, code: bind.code, message: bind.message },
          ),
        );
      }
    }
    return findings;
  },
};
