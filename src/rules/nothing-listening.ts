import type { Rule } from '../doctor/types.js';
import { finding, listeners } from './helpers.js';

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
    const hiddenNote = facts.privileged ? '' : ' (As a normal user, listeners inside containers are not visible: sudo shows them.)';
    const serverHint = facts.views.includes('server') ? ` The port is free if you want to start a server here.` : '';
    return [
      finding(
        'nothing-listening',
        'error',
        `Nothing listens on ${proto} port ${port}`,
        `No ${proto} socket is listening on port ${port} on any address of this machine's network namespace, so connections are refused.${hiddenNote}${serverHint}`,
        `Start the server that should be on port ${port} (and check it did not exit: see its logs), or point the client at the port the server really uses ('portdoctor ls' lists them).`,
        { port, protocol, listeners: 0 },
      ),
    ];
  },
};
