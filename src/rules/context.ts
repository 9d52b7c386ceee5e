import { numericAddress } from '../render/address.js';
import type { Rule } from '../doctor/types.js';
import type { Finding } from '../types.js';
import { inCurrentNetns } from '../inventory.js';
import { adviceFor } from '../platform/advice.js';
import { finding, holderText, listeners, plural, socketEvidence } from './helpers.js';

/** Context that changes how to read the rest: exposure to the network, hidden owners, TIME-WAIT. */
export const contextRules: Rule = {
  step: 'identify-application',
  codes: ['exposed-wildcard', 'permission-hidden', 'time-wait'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const port = facts.target.port;
    const current = listeners(facts, { current: true });
    const wildcard = current.filter((s) => s.address === '0.0.0.0' || s.address === '::');
    if (wildcard.length > 0) {
      const s = wildcard[0]!;
      findings.push(
        finding(
          'exposed-wildcard',
          'warning',
          `Port ${port} is open to the network, not just this machine (${numericAddress(s.address, port)})`,
          `${holderText(s)} listens on ${s.address === '::' ? ':: (every IPv6 and, dual-stack, every IPv4 address)' : '0.0.0.0 (every IPv4 address)'}, so other machines that can route to this one can connect, unless a firewall stops them. Development servers rarely need that.`,
          `Bind to 127.0.0.1 (and ::1) for local-only access — e.g. 'HOST=127.0.0.1', 'vite --host 127.0.0.1', 'app.listen(${port}, "127.0.0.1")' — or make sure a firewall blocks the port from outside.`,
          { sockets: wildcard.map(socketEvidence) },
        ),
      );
    }
    const hidden = facts.sockets.filter((s) => s.ownerHidden && s.port === port);
    if (hidden.length > 0) {
      findings.push(
        finding(
          'permission-hidden',
          'info',
          `The owner of port ${port} is hidden: it belongs to user ${hidden[0]!.user}`,
          `${plural(hidden.length, 'socket')} on port ${port} ${hidden.length === 1 ? 'belongs' : 'belong'} to processes of another user; ${facts.scan.hidepid === true ? '/proc is mounted with hidepid, so other users\' processes are not even listed. ' : ''}${adviceFor(facts.os).hiddenOwnersWhy}`,
          adviceFor(facts.os).elevate(`portdoctor ${facts.target.input}`),
          { sockets: hidden.map(socketEvidence), processesHidden: facts.scan.processesHidden, ...(facts.scan.hidepid === true ? { reason: 'hidepid' } : {}) },
        ),
      );
    }
    const timeWait = facts.sockets.filter((s) => s.state === 'TIME-WAIT' && s.port === port && inCurrentNetns(s));
    if (timeWait.length > 0) {
      findings.push(
        finding(
          'time-wait',
          'info',
          `${plural(timeWait.length, 'connection')} on port ${port} ${timeWait.length === 1 ? 'is' : 'are'} in TIME-WAIT`,
          `Recently closed connections linger for about 60 s. They do not stop a server that sets SO_REUSEADDR (Node, nginx, most frameworks do), but a server that does not set it gets EADDRINUSE until they expire.`,
          `Wait a minute, or set SO_REUSEADDR in the server (in Python: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)).`,
          { count: timeWait.length, peers: timeWait.slice(0, 10).map((s) => numericAddress(s.remoteAddress ?? '', s.remotePort)) },
        ),
      );
    }
    return findings;
  },
};
