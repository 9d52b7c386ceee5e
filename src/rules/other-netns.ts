import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { finding, holderText, listeners, socketEvidence, where } from './helpers.js';

/** The listener exists, but in another network namespace (a container, an `ip netns`). */
export const otherNetns: Rule = {
  step: 'identify-application',
  codes: ['other-netns'],
  evaluate(facts) {
    if (listeners(facts, { current: true }).length > 0) return [];
    const elsewhere = listeners(facts, { current: false });
    if (elsewhere.length === 0) return [];
    const first = elsewhere[0]!;
    const netns = first.netns ?? { id: 0, current: false, name: null };
    const ns = netns.name === null ? `network namespace ${netns.id}` : `network namespace "${netns.name}"`;
    const container = first.processes.find((p) => p.container !== null)?.container ?? null;
    const fix =
      container !== null
        ? `Publish the port from the container (e.g. 'docker run -p ${facts.target.port}:${facts.target.port} …' or a 'ports:' entry in compose), and make the app inside bind 0.0.0.0, not 127.0.0.1; or connect from inside: 'docker exec -it ${container.slice(0, 12)} …'.`
        : adviceFor(facts.os).enterNetns(netns.name, first.processes[0]?.pid ?? null);
    // A listener in another namespace blocks no bind here: for the server's view alone it is context.
    const clientView = facts.views.includes('client');
    return [
      finding(
        'other-netns',
        clientView ? 'error' : 'info',
        `Port ${facts.target.port} is listening in another network namespace`,
        `${where(first)} is held by ${holderText(first)} in ${ns}${container === null ? '' : ` (container ${container.slice(0, 12)})`}. Loopback is private to each namespace, so ${clientView ? 'a client here cannot reach it through 127.0.0.1 or ::1' : 'it does not stop a server here from binding the port'}.`,
        fix,
        { sockets: elsewhere.map(socketEvidence), netns, container },
      ),
    ];
  },
};
