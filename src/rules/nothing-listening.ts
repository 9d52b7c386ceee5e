import type { Rule } from '../doctor/types.js';
import { finding, listeners } from './helpers.js';

/** No socket of the target's protocol listens on the port in our network namespace. */
export const nothingListening: Rule = {
  step: 'identify-application',
  codes: ['nothing-listening'],
  evaluate(facts) {
    if (listeners(facts, { current: true }).length > 0) return [];
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
