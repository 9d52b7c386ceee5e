import type { DoctorFacts, Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { finding, listeners } from './helpers.js';

/** What a client meets, in the words of what the probe saw (or that it was not run). */
function consequence(facts: DoctorFacts): string {
  if (facts.replay !== null) return ' (read from the snapshot\'s socket tables; no connection was tried on a replay)';
  const attempts = facts.probe?.attempts ?? [];
  if (attempts.some((a) => a.status === 'timeout')) return ', yet connecting timed out instead of being refused: something between the client and the port (a firewall DROP rule, a proxy, a route) swallows the packets';
  if (attempts.some((a) => a.status === 'reset')) return ', and connections were reset';
  if (attempts.some((a) => a.status === 'unreachable')) return ', and the address could not even be reached (see the loopback step)';
  return ', so connections are refused';
}

/** Sources the socket inventory could not read: a listener there would not be seen. */
function unreadNote(facts: DoctorFacts): string {
  const unread = facts.scan.unread ?? [];
  return unread.length === 0 ? '' : ` Not read, so not seen: ${unread.map((u) => `${u.source} (${u.reason})`).join(', ')}.`;
}

/**
 * No socket listens on the port in our network namespace, in the target's protocol or the other
 * one, nor in another namespace. A listener of the other protocol (protocol-mismatch) or in
 * another namespace (other-netns) explains the failure better, and "start the server" would be
 * the wrong advice: those findings replace this one. In the server view alone (--bind), an
 * empty port is the good answer ("yes, you can bind it"), not a problem.
 */
export const nothingListening: Rule = {
  step: 'identify-application',
  codes: ['nothing-listening'],
  evaluate(facts) {
    if (!facts.views.includes('client')) return [];
    const explained = listeners(facts, {}).length > 0 || listeners(facts, { current: true, protocol: 'other' }).length > 0;
    if (explained) return [];
    const { port, protocol } = facts.target;
    const proto = protocol.toUpperCase();
    const blindSpot = adviceFor(facts.os).unprivilegedBlindSpot;
    const hiddenNote = facts.privileged || blindSpot === null ? '' : ` (${blindSpot})`;
    const serverHint = facts.views.includes('server') ? ` The port is free if you want to start a server here.` : '';
    return [
      finding(
        'nothing-listening',
        'error',
        `Nothing listens on ${proto} port ${port}`,
        `No ${proto} socket is listening on port ${port} on any address of ${facts.os === 'linux' ? "this machine's network namespace" : 'this machine'}${consequence(facts)}.${hiddenNote}${unreadNote(facts)}${serverHint}`,
        `Start the server that should be on port ${port} (and check it did not exit: see its logs), or point the client at the port the server really uses ('portdoctor ls' lists them).`,
        { port, protocol, listeners: 0, probe: facts.probe?.attempts.map((a) => a.status) ?? null, ...(facts.scan.unread === undefined ? {} : { unread: facts.scan.unread }) },
      ),
    ];
  },
};
