import type { Rule } from '../doctor/types.js';
import { finding, holderText, listeners, socketEvidence, where } from './helpers.js';

/** The port is bound, but in the other transport protocol (UDP when TCP was asked, or the reverse). */
export const protocolMismatch: Rule = {
  step: 'port-usage',
  codes: ['protocol-mismatch'],
  evaluate(facts) {
    if (listeners(facts, { current: true }).length > 0) return [];
    const other = listeners(facts, { current: true, protocol: 'other' });
    if (other.length === 0) return [];
    const asked = facts.target.protocol.toUpperCase();
    const found = other[0]!.protocol.toUpperCase();
    return [
      finding(
        'protocol-mismatch',
        'error',
        `Port ${facts.target.port} is open for ${found}, not ${asked}`,
        `${where(other[0]!)} is bound by ${holderText(other[0]!)}, but nothing accepts ${asked} on port ${facts.target.port}. TCP and UDP ports are separate: a ${found} server does not answer ${asked} clients.`,
        found === 'UDP' ? `Use a UDP client (e.g. 'portdoctor doctor ${facts.target.port} --udp', 'nc -u'), or configure the server for TCP.` : `Use a TCP client, or configure the server for UDP; check with 'portdoctor doctor ${facts.target.port}' (TCP).`,
        { asked: facts.target.protocol, sockets: other.map(socketEvidence) },
      ),
    ];
  },
};
