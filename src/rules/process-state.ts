import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { finding, holderText, listeners, socketEvidence, where } from './helpers.js';

/**
 * A listener that does not take connections: its accept queue is full (the application stopped
 * calling accept()), or its process is stopped (SIGSTOP, a debugger) or a zombie. The kernel
 * still completes handshakes for a while, so clients connect and then hear nothing, or hang.
 */
export const processState: Rule = {
  step: 'identify-application',
  codes: ['not-accepting', 'process-stopped'],
  evaluate(facts) {
    const findings: Finding[] = [];
    for (const socket of listeners(facts, { current: true })) {
      const stopped = socket.processes.filter((p) => p.state === 'T' || p.state === 't' || p.state === 'Z');
      if (stopped.length > 0 && stopped.length === socket.processes.length) {
        const p = stopped[0]!;
        const zombie = p.state === 'Z';
        findings.push(
          finding(
            'process-stopped',
            'error',
            `The server on ${where(socket)} is ${zombie ? 'a zombie' : 'stopped'} (${p.name}, pid ${p.pid})`,
            zombie
              ? `${p.name} (pid ${p.pid}) has exited but its parent (pid ${p.ppid}) has not reaped it; its socket can no longer serve anyone.`
              : `${p.name} (pid ${p.pid}) is stopped (state ${p.state}: SIGSTOP, Ctrl-Z in its terminal, or a debugger). The kernel still accepts connections into its queue, but nobody answers: clients connect and then hang.`,
            zombie ? `Restart the server; kill or fix the parent (pid ${p.ppid}) so it reaps its children.` : `Resume it with '${adviceFor(facts.os).resumeProcess(p.pid)}' (or 'fg' in its terminal), or restart it.`,
            { socket: socketEvidence(socket), pids: stopped.map((s) => s.pid), states: stopped.map((s) => s.state) },
          ),
        );
        continue;
      }
      const { recv, send } = socket.queue;
      // The kernel refuses new connections once the queue holds more than the backlog (sk_acceptq_is_full).
      const full = socket.protocol === 'tcp' && send > 0 && recv > send;
      const timedOut = facts.probe?.attempts.some((a) => a.status === 'timeout') ?? false;
      if (full || (socket.protocol === 'tcp' && recv > 0 && timedOut && stopped.length === 0)) {
        findings.push(
          finding(
            'not-accepting',
            'error',
            `The server on ${where(socket)} is not accepting connections (accept queue ${recv}/${send})`,
            `${holderText(socket)} listens, but ${recv} connection${recv === 1 ? ' waits' : 's wait'} in its accept queue (backlog ${send})${full ? ', which is full: new connections are dropped and clients time out' : ''}. The application has stopped calling accept(): it is blocked, deadlocked, or busy in a loop.`,
            `Look at what the process is doing (${adviceFor(facts.os).inspectProcess(socket.processes[0]?.pid ?? null)}, its logs), then restart it; a larger backlog only postpones this.`,
            { socket: socketEvidence(socket), acceptQueue: recv, backlog: send },
          ),
        );
      }
    }
    return findings;
  },
};
