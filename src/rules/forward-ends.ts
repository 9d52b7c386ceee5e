import type { DoctorFacts, ForwardChain, Rule } from '../doctor/types.js';
import { destinationText } from '../forwarders/socket-forward.js';
import { numericAddress } from '../render/address.js';
import type { Finding } from '../types.js';
import { containerRules } from './forward-container.js';
import { finding } from './helpers.js';

/** Forwarders that exist only for a published container port: one with no container is left over. */
const CONTAINER_FORWARDERS = new Set(['docker-proxy', 'rootlesskit', 'docker-desktop']);

const from = (facts: DoctorFacts, chain: ForwardChain): string => (chain.listener === null ? numericAddress(chain.asked ?? '?', facts.target.port) : numericAddress(chain.listener.address, chain.listener.port));

/** The doctor's own connect to an address (which a DNAT rule, if any, sent on). */
function probed(facts: DoctorFacts, address: string | null): { status: string; error: string | null } | null {
  const attempt = facts.probe?.attempts.find((a) => a.address === address);
  return attempt === undefined ? null : { status: attempt.status, error: attempt.error };
}

/**
 * What the holder itself said about its forward: ssh's "open failed" lines, kubectl's "error
 * forwarding port" lines, from its own output when that is a file the logs step read.
 */
export function reportedByHolder(facts: DoctorFacts, chain: ForwardChain, pattern: RegExp): string[] {
  if (facts.logs === null || chain.holder === null || facts.logOwner?.pid !== chain.holder.pid) return [];
  return facts.logs.lines.filter((l) => pattern.test(l.text)).map((l) => l.text.trim());
}

const SSH_OPEN_FAILED = /open failed|connect failed|connect_to /i;
const KUBECTL_FORWARD_ERROR = /error forwarding port|lost connection to pod|an error occurred forwarding/i;
/** kubectl's words when the pod (or its sandbox) no longer exists: kubernetes/kubernetes#67059, kubernetes/kubectl#686. */
const POD_GONE = /No such container|failed to find sandbox|not found|lost connection to pod/i;

function staleForward(facts: DoctorFacts, chain: ForwardChain): Finding | null {
  if (!CONTAINER_FORWARDERS.has(chain.forward.forwarder) || chain.publishedBy === null || chain.publishedBy.length > 0 || chain.holder === null) return null;
  return finding(
    'stale-forward',
    'error',
    `${chain.holder.name} holds ${from(facts, chain)}, but no running container publishes port ${facts.target.port}`,
    `${chain.holder.name} (pid ${chain.holder.pid}) is ${chain.forward.description}, and the engine lists no running container that publishes ${facts.target.port}${chain.forward.to === null ? '' : ` (it forwards to ${destinationText(chain.forward) ?? '?'})`}: it is left over from a container that is gone, and connections lead nowhere.`,
    `Restart the container engine, which drops the forwarders of containers that are gone ('docker ps -a' shows what is left); if it stays, this forwarder belongs to no container: stop pid ${chain.holder.pid} itself ('kill ${chain.holder.pid}').`,
    { holder: chain.holder, forward: chain.forward, listener: chain.listener },
  );
}

function dnatTargetDown(facts: DoctorFacts, chain: ForwardChain): Finding | null {
  if (chain.forward.rule === undefined || chain.forward.to === null) return null;
  // A running container at the address is judged by its own socket table (container-* findings).
  if (chain.container !== null && chain.container.details.ok && chain.container.details.value.state.running === true) return null;
  const attempt = probed(facts, chain.asked ?? chain.listener?.address ?? null);
  if (attempt !== null && attempt.status === 'open') return null;
  const engine = facts.forwards?.engine;
  const why =
    chain.forward.to.container !== undefined
      ? `it is container ${chain.forward.to.container.name}'s address, and the container does not run`
      : engine === null || engine === undefined
        ? 'no container engine was asked which container has that address'
        : engine.read.ok
          ? 'no container of the engine has that address'
          : `the container engine does not answer (${engine.read.reason}), so the rule is left over from an engine that stopped without removing it`;
  return finding(
    'dnat-target-down',
    'error',
    `A DNAT rule sends ${from(facts, chain)} to ${numericAddress(chain.forward.to.host, chain.forward.to.port)}, where nothing answers`,
    `The rule '${chain.forward.rule}' rewrites connections to ${from(facts, chain)} to go to ${numericAddress(chain.forward.to.host, chain.forward.to.port)}${attempt === null ? '' : `, and the connect there ${attempt.status === 'refused' ? 'was refused' : attempt.status === 'timeout' ? 'timed out' : `failed (${attempt.error ?? attempt.status})`}`}: ${why}.`,
    `${chain.forward.stop} Or start the container engine (or the container) again: it removes or renews its own rules.`,
    { rule: chain.forward.rule, forward: chain.forward, asked: chain.asked, probe: attempt },
  );
}

function tunnelFarEnd(facts: DoctorFacts, chain: ForwardChain): Finding | null {
  const kind = chain.forward.forwarder;
  if (kind !== 'ssh' && kind !== 'socat' && kind !== 'kubectl-port-forward') return null;
  const reported = reportedByHolder(facts, chain, kind === 'kubectl-port-forward' ? KUBECTL_FORWARD_ERROR : SSH_OPEN_FAILED).filter((line) => kind !== 'kubectl-port-forward' || !POD_GONE.test(line));
  const refused = chain.farProbe !== null && chain.farProbe.status !== 'open';
  // The holder's log speaks of all its forwards at once ("channel 3: open failed"): it is evidence
  // for this one only when the far end could not be tried and connections here are dropped.
  const dropped = (facts.probe?.attempts ?? []).some((a) => a.status === 'reset' || a.fingerprint?.closedImmediately === true);
  if (!refused && !(chain.farProbe === null && reported.length > 0 && dropped)) return null;
  const to = destinationText(chain.forward) ?? '?';
  const pid = chain.holder?.pid ?? null;
  const saw = [
    chain.farProbe !== null && refused ? `a connect to ${numericAddress(chain.farProbe.address, chain.farProbe.port)} (the far end, on this host) ${chain.farProbe.status === 'refused' ? 'was refused' : `failed (${chain.farProbe.error ?? chain.farProbe.status})`}` : null,
    reported.length > 0 ? `${chain.holder?.name ?? kind} reported: "${reported.at(-1) ?? ''}"` : null,
  ].filter((s): s is string => s !== null);
  return finding(
    'tunnel-far-end-down',
    'error',
    `${chain.holder?.name ?? kind}'s forward on ${from(facts, chain)} leads to ${to}, where nothing accepts the connection`,
    `${chain.holder?.name ?? kind}${pid === null ? '' : ` (pid ${pid})`} accepts each connection on ${from(facts, chain)} and passes it on to ${to}; ${saw.join('; ')}. The client here sees its connection accepted, then closed.`,
    `Start the service the tunnel points at (${to}${kind === 'ssh' ? ', as seen from the SSH server' : ''}), or restart the tunnel with the right target${pid === null ? '' : ` (stop it with 'kill ${pid}', then run it again)`}.`,
    { holder: chain.holder, forward: chain.forward, farProbe: chain.farProbe, reported },
  );
}

function podGone(facts: DoctorFacts, chain: ForwardChain): Finding | null {
  if (chain.forward.forwarder !== 'kubectl-port-forward') return null;
  const reported = reportedByHolder(facts, chain, KUBECTL_FORWARD_ERROR).filter((line) => POD_GONE.test(line));
  if (reported.length === 0) return null;
  const resource = chain.forward.to?.resource;
  const what = resource === undefined ? (chain.forward.to?.host ?? 'the pod') : `${resource.kind}/${resource.name}${resource.namespace === null ? '' : ` in namespace ${resource.namespace}`}`;
  return finding(
    'kubectl-pod-gone',
    'error',
    `kubectl port-forward on ${from(facts, chain)} forwards to a pod that is gone`,
    `kubectl port-forward (pid ${chain.holder?.pid ?? '?'}) picked one pod of ${what} when it started and keeps forwarding to it; that pod no longer exists. It reported: "${reported.at(-1) ?? ''}".`,
    `Restart the port-forward: stop it ('kill ${chain.holder?.pid ?? 'PID'}') and run 'kubectl port-forward ${resource === undefined ? 'TYPE/NAME' : `${resource.kind}/${resource.name}${resource.namespace === null ? '' : ` -n ${resource.namespace}`}`} ${chain.listener?.port ?? facts.target.port}:${chain.forward.to?.port ?? chain.forward.to?.portName ?? 'PORT'}' again.`,
    { holder: chain.holder, forward: chain.forward, reported },
  );
}

function engineUnreadable(facts: DoctorFacts): Finding | null {
  const f = facts.forwards;
  const engine = f?.engine;
  if (f === null || engine === null || engine === undefined || engine.read.ok) return null;
  const needed = f.chains.filter((c) => c.holder !== null && (CONTAINER_FORWARDERS.has(c.forward.forwarder) || c.forward.forwarder === 'dockerd' || c.forward.forwarder === 'podman-conmon'));
  if (needed.length === 0) return null;
  const first = needed[0]!;
  // The connection is dropped behind the forwarder, and what drops it could not be looked at: a problem, unnamed.
  const dropped = (facts.probe?.attempts ?? []).some((a) => a.status === 'reset' || a.fingerprint?.closedImmediately === true);
  return finding(
    'forward-unreadable',
    dropped ? 'error' : 'warning',
    `The container behind port ${facts.target.port} could not be followed: the container engine did not answer`,
    `${first.holder?.name ?? first.forward.forwarder} forwards ${from(facts, first)} for a container${first.forward.to === null ? '' : ` (to ${destinationText(first.forward) ?? '?'})`}, but the engine at ${engine.endpoint} was not read: ${engine.read.reason}. Which container it is, its state, its sockets and its logs are unknown${dropped ? '; connections are accepted and then dropped, by the container or by what is left of it' : ''}.`,
    engine.read.hint,
    { endpoint: engine.endpoint, reason: engine.read.reason, forward: first.forward },
  );
}

/**
 * The far ends that are not containers, and forwards that lead nowhere: a Docker forwarder no
 * running container publishes through, a DNAT rule to an address where nothing answers, a tunnel
 * whose far end refuses, a kubectl port-forward whose pod is gone, and an engine that could not be
 * asked.
 */
export const forwardEndRules: Rule = {
  step: 'follow-forward',
  codes: ['stale-forward', 'dnat-target-down', 'tunnel-far-end-down', 'kubectl-pod-gone', 'forward-unreadable'],
  evaluate(facts) {
    const f = facts.forwards;
    if (f === null) return [];
    const findings: Finding[] = [];
    for (const chain of f.chains) {
      for (const check of [staleForward, dnatTargetDown, tunnelFarEnd, podGone]) {
        const found = check(facts, chain);
        if (found !== null) findings.push(found);
      }
    }
    const unread = engineUnreadable(facts);
    if (unread !== null) findings.push(unread);
    return findings;
  },
};

/** The findings that say why a forwarded connection fails at the far end. */
const FAR_END_CODES: ReadonlySet<string> = new Set(['container-not-running', 'container-loopback-only', 'container-wrong-port', 'container-not-listening', 'stale-forward', 'dnat-target-down', 'tunnel-far-end-down', 'kubectl-pod-gone']);

/**
 * True when the far end of a forward explains a failing connection: then "the application resets
 * or closes connections" (`app-error`) would blame the forwarder for what happens behind it.
 *
 * @example
 * farEndExplains(facts) // true for docker-proxy in front of an app on the container's 127.0.0.1
 */
export function farEndExplains(facts: DoctorFacts): boolean {
  if (facts.forwards === null) return false;
  return [...containerRules.evaluate(facts), ...forwardEndRules.evaluate(facts)].some((f) => FAR_END_CODES.has(f.code) || (f.code === 'forward-unreadable' && f.severity === 'error'));
}
