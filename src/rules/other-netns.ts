import type { Rule } from '../doctor/types.js';
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
    const ns = first.netns.name === null ? `network namespace ${first.netns.id}` : `network namespace "${first.netns.name}"`;
    const container = first.processes.find((p) => p.container !== null)?.container ?? null;
    const fix =
      container !== null
        ? `Publish the port from the container (e.g. 'docker run -p ${facts.target.port}:${facts.target.port} …' or a 'ports:' entry in compose), and make the app inside bind 0.0.0.0, not 127.0.0.1; or connect from inside: 'docker exec -it ${container.slice(0, 12)} …'.`
        : `Connect from inside that namespace ('ip netns exec ${first.netns.name ?? '<name>'} …' or 'nsenter -t ${first.processes[0]?.pid ?? '<pid>'} -n …'), or run the server in this one, or forward the port (veth, socat).`;
    return [
      finding(
        'other-netns',
        'error',
        `Port ${facts.target.port} is listening in another network namespace`,
        `${where(first)} is held by ${holderText(first)} in ${ns}${container === null ? '' : ` (container ${container.slice(0, 12)})`}. Loopback is private to each namespace, so a client here cannot reach it through 127.0.0.1 or ::1.`,
        fix,
        { sockets: elsewhere.map(socketEvidence), netns: first.netns, container },
      ),
    ];
  },
};
