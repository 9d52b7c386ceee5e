import type { Rule } from '../doctor/types.js';
import { knownHolderOf } from '../platform/known-holders.js';
import type { Finding } from '../types.js';
import { finding, listeners, socketEvidence, where } from './helpers.js';

/**
 * The port is held by a program people do not expect there — an OS service (AirPlay Receiver on
 * macOS, HTTP.sys on Windows), or a forwarder (docker-proxy, Docker Desktop, wslrelay) — whose
 * right fix is not "kill it". The table of such holders is data (platform/known-holders.ts).
 */
export const knownHolder: Rule = {
  step: 'identify-application',
  codes: ['known-holder'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const socket of listeners(facts, { current: true })) {
      const proc = socket.processes[0];
      if (proc === undefined) continue;
      const holder = knownHolderOf(facts.os, proc, socket.port, socket);
      if (holder === null || seen.has(holder.id)) continue;
      seen.add(holder.id);
      findings.push(
        finding(
          'known-holder',
          facts.views.includes('server') ? 'warning' : 'info',
          `Port ${socket.port} is held by ${holder.what}`,
          `${where(socket)} is held by ${proc.name} (pid ${proc.pid}). ${holder.detail}`,
          // The forward names the container, which makes the stop exact ('docker stop web').
          socket.forward !== undefined && socket.forward.to?.container !== undefined ? `Stop the container instead of its forwarder: '${socket.forward.stop}'.` : holder.fix,
          { holder: holder.id, what: holder.what, kill: holder.kill, socket: socketEvidence(socket) },
        ),
      );
    }
    return findings;
  },
};
