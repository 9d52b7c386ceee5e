import { isIP } from 'node:net';
import { unmapIPv4 } from '../address.js';
import type { Rule } from '../doctor/types.js';
import { numericAddress } from '../render/address.js';
import type { Socket } from '../types.js';
import { finding, holderText, listeners, socketEvidence } from './helpers.js';

/**
 * Listeners that belong to one program: the same process, a parent and its child, or siblings of
 * the same name (pre-forked workers; Docker's one docker-proxy per address family, which differ
 * only in their arguments). Two servers of the same name started by one shell are taken for one
 * program: a missed warning is better than a false one.
 */
function sameProgram(a: Socket, b: Socket): boolean {
  if (a.processes.length === 0 || b.processes.length === 0) {
    // Hidden owners: only a different user proves a different program.
    return a.processes.length === 0 && b.processes.length === 0 && a.uid === b.uid;
  }
  return a.processes.some((p) =>
    b.processes.some((q) => p.pid === q.pid || p.ppid === q.pid || q.ppid === p.pid || (p.ppid === q.ppid && p.name === q.name)),
  );
}

/** Groups listeners by program (union of the `sameProgram` relation). */
export function programsOf(sockets: readonly Socket[]): Socket[][] {
  const groups: Socket[][] = [];
  for (const socket of sockets) {
    const joined = groups.filter((g) => g.some((s) => sameProgram(s, socket)));
    const merged = [...joined.flat(), socket];
    for (const g of joined) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups;
}

/**
 * The listeners that take a connection to `address`: the socket bound to exactly that address
 * wins over a wildcard (the kernel scores an exact match higher), IPv4 wildcards take IPv4, and
 * `::` takes IPv6 and — unless it is IPv6-only, which /proc does not tell — IPv4. Several sockets
 * on the same address share it (SO_REUSEPORT): the kernel spreads connections between them.
 */
export function answerersOf(all: readonly Socket[], address: string): Socket[] {
  const target = unmapIPv4(address) ?? address;
  const exact = all.filter((s) => s.address === target);
  if (exact.length > 0) return exact;
  const v4 = isIP(target) === 4;
  const wildcard = all.filter((s) => s.address === (v4 ? '0.0.0.0' : '::'));
  if (wildcard.length > 0) return wildcard;
  return v4 ? all.filter((s) => s.address === '::') : [];
}

const programName = (group: readonly Socket[]): string => holderText(group[0]!);

/**
 * Two or more programs listen on the port — on different addresses or families (127.0.0.1 by
 * one, ::1 or :: by another), or on the same one with SO_REUSEPORT — so which one answers
 * depends on the address a client tries: "the wrong app answers". Says, for every address the
 * client tries, in its order, which program gets the connection.
 */
export const portShared: Rule = {
  step: 'port-usage',
  codes: ['port-shared'],
  evaluate(facts) {
    const all = listeners(facts, { current: true });
    const programs = programsOf(all);
    if (programs.length < 2) return [];
    const groupOf = (socket: Socket): number => programs.findIndex((g) => g.includes(socket));
    const tried = facts.probe?.attempts.map((a) => a.address) ?? [];
    const addresses = tried.length > 0 ? tried : [...new Set(all.map((s) => s.address))];
    const routes = addresses.map((address) => {
      const answer = answerersOf(all, address);
      const groups = [...new Set(answer.map(groupOf))];
      return { address, groups, sockets: answer };
    });
    const lines = routes.map((r) =>
      r.groups.length === 0 ? `${numericAddress(r.address, null)} → nobody` : r.groups.length === 1 ? `${numericAddress(r.address, null)} → ${programName(programs[r.groups[0]!]!)}` : `${numericAddress(r.address, null)} → shared (SO_REUSEPORT) by ${r.groups.map((g) => programName(programs[g]!)).join(' and ')}: the kernel spreads connections between them`,
    );
    const names = programs.map(programName);
    const port = facts.target.port;
    return [
      finding(
        'port-shared',
        'warning',
        `${programs.length} programs listen on port ${port}: which one answers depends on the address`,
        `${programs.map((g) => `${programName(g)} on ${g.map((s) => numericAddress(s.address, null)).join(', ')}`).join('; ')}. ${tried.length > 0 ? 'For the addresses a client tries, in its order' : 'By address'}: ${lines.join('; ')}. A client that resolves the name differently (another tool, another family first) reaches the other program.`,
        `Stop the program that should not be on port ${port} (${names.join(' or ')}), or move one of them to another port ('portdoctor free').`,
        { programs: programs.map((g) => g.map(socketEvidence)), routes: routes.map((r) => ({ address: r.address, pids: r.sockets.flatMap((s) => s.processes.map((p) => p.pid)), programs: r.groups.map((g) => names[g]) })) },
      ),
    ];
  },
};
