import { numericAddress } from '../render/address.js';
import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { familyOfAddress, finding, holderText, socketEvidence, where } from './helpers.js';
import { reachability, servesFamily } from './reachability.js';

const familyName = (family: 'ipv4' | 'ipv6'): string => (family === 'ipv4' ? 'IPv4' : 'IPv6');

/**
 * The client tries addresses where nothing listens, while the server listens elsewhere: on
 * another address of the same family (127.0.0.2, a LAN address), or only on the other family
 * (the `localhost` → ::1 versus 127.0.0.1 trap).
 */
export const addressRules: Rule = {
  step: 'port-usage',
  codes: ['listening-other-address', 'family-mismatch'],
  evaluate(facts) {
    const r = reachability(facts);
    if (r === null || r.listeners.length === 0) return [];
    const tried = r.attempts.map((a) => a.address);
    const triedText = tried.map((a) => numericAddress(a, null)).join(', ');
    const triedFamilies = new Set(tried.map(familyOfAddress));
    const evidence = { tried, listeners: r.listeners.map(socketEvidence) };

    if (r.reached.length === 0) {
      const sameFamily = r.listeners.filter((l) => [...triedFamilies].some((f) => servesFamily(l, f)));
      const example = (sameFamily[0] ?? r.listeners[0])!;
      const bindTo = facts.target.host === null || facts.target.host === 'localhost' ? 'both 127.0.0.1 and ::1 (or localhost resolved both ways)' : numericAddress(tried[0]!, null);
      if (sameFamily.length > 0) {
        return [
          finding(
            'listening-other-address',
            'error',
            `The server listens on ${numericAddress(example.address, null)}, not on ${triedText}`,
            `${where(example)} is held by ${holderText(example)}, but a client of ${facts.target.host === null ? `port ${facts.target.port}` : facts.target.input} connects to ${triedText}, where nothing listens. A server bound to one address does not answer on another, even on this machine.`,
            `Connect to ${numericAddress(example.address, example.port)} instead, or make the server bind ${bindTo}${example.address.startsWith('127.') ? '' : ' (or 0.0.0.0 to accept every address, knowing that exposes it to the network)'}.`,
            evidence,
          ),
        ];
      }
      const serverFamily = example.family;
      const clientFamily = [...triedFamilies][0] ?? 'ipv4';
      return [
        finding(
          'family-mismatch',
          'error',
          `The server is ${familyName(serverFamily)}-only (${numericAddress(example.address, null)}); the client tries ${familyName(clientFamily)} (${triedText})`,
          `${where(example)} is held by ${holderText(example)}. It accepts only ${familyName(serverFamily)}, while the client connects to ${triedText}. This is the classic localhost trap: Node ≥ 17 keeps the resolver's order, and "localhost" often resolves to ::1 first.`,
          serverFamily === 'ipv4'
            ? `Make the server listen on both families ('::' without IPV6_V6ONLY, or both 127.0.0.1 and ::1), or connect to 127.0.0.1:${facts.target.port} instead of ${triedText}.`
            : `Make the server listen on both families, or connect to [::1]:${facts.target.port}.`,
          { ...evidence, serverFamily, clientFamily },
        ),
      ];
    }

    // Reachable, but the client's first choice is a dead end: clients that do not fall back fail.
    const first = r.attempts[0]!;
    if (!r.firstCovered && first.status !== 'open' && r.attempts.length > 1) {
      const working = r.attempts.find((a) => a.status === 'open' || a.status === 'silent');
      if (working === undefined) return [];
      const stall = adviceFor(facts.os).refusedFirstAddressCost;
      return [
        finding(
          'family-mismatch',
          'warning',
          `Clients try ${numericAddress(first.address, null)} first, where nothing listens; ${numericAddress(working.address, null)} works`,
          `${facts.target.host ?? 'localhost'} resolves to ${triedText} in that order. The first address is ${first.status}; clients that fall back (Node ≥ 20 with autoSelectFamily, curl) reach ${numericAddress(working.address, null)}, but clients that try one address only fail, and every connection pays for the failed attempt.${first.status === 'refused' && stall !== null ? ` ${stall}` : ''}`,
          `Make the server listen on both families ('::' dual-stack, or 127.0.0.1 and ::1), or point the client at ${numericAddress(working.address, facts.target.port)}.`,
          { ...evidence, first: first.address, working: working.address },
        ),
      ];
    }
    return [];
  },
};
