import { containerStateText } from '../doctor/steps-forward.js';
import type { ContainerFacts, DoctorFacts, ForwardChain, InsideListener, Rule } from '../doctor/types.js';
import { numericAddress } from '../render/address.js';
import type { Finding } from '../types.js';
import { finding } from './helpers.js';

const isLoopback = (address: string): boolean => address.startsWith('127.') || address === '::1';

/** Does a listener inside the container take connections for `host` (the address the forward goes to)? */
function takes(listener: InsideListener, host: string): boolean {
  if (listener.address === host || listener.address === '::') return true;
  return listener.address === '0.0.0.0' && !host.includes(':');
}

const listenerText = (l: InsideListener): string => `${numericAddress(l.address, l.port)}${l.processes[0] === undefined ? '' : ` (${l.processes[0].name}, pid ${l.processes[0].pid})`}`;

/** "docker-proxy (pid 812) forwards 127.0.0.1:8080 to 172.17.0.2:80" / "a DNAT rule sends …". */
function forwardSentence(chain: ForwardChain, port: number): string {
  const from = chain.listener === null ? numericAddress(chain.asked ?? '?', port) : numericAddress(chain.listener.address, chain.listener.port);
  const to = chain.forward.to === null ? '?' : numericAddress(chain.forward.to.host, chain.forward.to.port);
  if (chain.holder === null) return `A DNAT rule ('${chain.forward.rule ?? ''}') sends ${from} to ${to}`;
  return `${chain.holder.name} (pid ${chain.holder.pid}) forwards ${from} to ${to}${chain.forward.rule === undefined ? '' : ` (by the DNAT rule '${chain.forward.rule}')`}`;
}

const evidenceOf = (chain: ForwardChain | null, container: ContainerFacts): Record<string, unknown> => ({
  container: { id: container.id, name: container.name },
  state: container.details.ok ? container.details.value.state : null,
  listeners: container.listeners?.ok === true ? container.listeners.value : null,
  forward: chain?.forward ?? null,
  listener: chain?.listener ?? null,
  holder: chain?.holder ?? null,
});

/** Not running (exited, restarting, paused, created, dead): what to do about it. */
function notRunning(facts: DoctorFacts, chain: ForwardChain | null, container: ContainerFacts): Finding | null {
  if (!container.details.ok) return null;
  const { state } = container.details.value;
  if (state.running === true && state.restarting !== true && state.paused !== true) return null;
  const name = container.name;
  const status = containerStateText(container);
  const fix =
    state.paused === true
      ? `docker unpause ${name}`
      : state.restarting === true
        ? `It keeps crashing: read why with 'docker logs --tail 50 ${name}', fix the cause, then 'docker restart ${name}'.`
        : `Read why it stopped ('docker logs --tail 50 ${name}'), then start it: 'docker start ${name}'.`;
  const how = chain === null ? `It publishes port ${facts.target.port} when it runs (its port bindings ask for it), so nothing answers there now.` : `${forwardSentence(chain, facts.target.port)}, the container's address, but the container does not run, so nothing answers there.`;
  return finding('container-not-running', 'error', `Container ${name}, behind port ${facts.target.port}, is ${state.paused === true ? 'paused' : state.restarting === true ? 'restarting' : (state.status ?? 'not running')}`, `${how} Its state: ${status}.`, fix, evidenceOf(chain, container));
}

/** Running: does something in it take connections on the forwarded port? */
function listening(facts: DoctorFacts, chain: ForwardChain, container: ContainerFacts): Finding | null {
  const to = chain.forward.to;
  if (to === null || to.port === null || container.listeners === null || !container.listeners.ok) return null;
  const protocol = chain.listener?.protocol ?? facts.target.protocol;
  const inside = container.listeners.value.filter((l) => l.protocol === protocol);
  const atPort = inside.filter((l) => l.port === to.port);
  const name = container.name;
  const evidence = evidenceOf(chain, container);
  if (atPort.some((l) => takes(l, to.host))) return null;
  if (atPort.length > 0 && atPort.every((l) => isLoopback(l.address))) {
    const app = atPort[0]!;
    const program = app.processes[0]?.name ?? 'the app';
    return finding(
      'container-loopback-only',
      'error',
      `The app in container ${name} listens on ${numericAddress(app.address, app.port)} inside the container, where the published port cannot reach it`,
      `${forwardSentence(chain, facts.target.port)}, the container's own address. Inside, ${atPort.map(listenerText).join(' and ')} listens on the container's loopback only, which is private to the container: connections to ${numericAddress(to.host, to.port)} are refused, so a client here sees its connection accepted and then closed ("Empty reply from server", "Connection reset by peer").`,
      `Make ${program} in container ${name} listen on 0.0.0.0 (all of the container's addresses) instead of ${app.address}: e.g. '--host 0.0.0.0', HOST=0.0.0.0, or 'listen(${app.port}, "0.0.0.0")' in the container's command or configuration; then recreate or restart it ('docker restart ${name}').`,
      evidence,
    );
  }
  if (atPort.length > 0) return null;
  const others = inside.filter((l) => l.port !== to.port);
  if (others.length > 0) {
    const first = others[0]!;
    return finding(
      'container-wrong-port',
      'error',
      `The app in container ${name} listens on port ${first.port}, not on ${to.port} where port ${facts.target.port} is forwarded`,
      `${forwardSentence(chain, facts.target.port)}, but inside the container nothing listens on ${to.port}: ${others.map(listenerText).join(', ')}.`,
      `Publish the port the app uses ('-p ${chain.listener === null ? facts.target.port : `${chain.listener.address === '0.0.0.0' || chain.listener.address === '::' ? '' : `${chain.listener.address}:`}${chain.listener.port}`}:${first.port}' when creating ${name}, or the 'ports:' entry in compose), or make the app listen on ${to.port}.`,
      evidence,
    );
  }
  return finding(
    'container-not-listening',
    'error',
    `Nothing listens on port ${to.port} inside container ${name}`,
    `${forwardSentence(chain, facts.target.port)}, but nothing in the container listens at all (its socket table, read in its network namespace, has no listener): the app has not started yet, failed to start, or the container runs something else.`,
    `Read what the app says: 'docker logs --tail 50 ${name}'; check its command: 'docker inspect --format "{{.Config.Cmd}}" ${name}'.`,
    evidence,
  );
}

function unhealthy(facts: DoctorFacts, chain: ForwardChain | null, container: ContainerFacts): Finding | null {
  if (!container.details.ok || container.details.value.state.health !== 'unhealthy') return null;
  const { state } = container.details.value;
  const output = state.lastHealthOutput?.trim() ?? '';
  return finding(
    'container-unhealthy',
    'warning',
    `Container ${container.name}, behind port ${facts.target.port}, fails its health check`,
    `Its health check failed ${state.healthFailingStreak ?? 'several'} time(s) in a row${output === '' ? '' : `; the last run said: ${output.slice(0, 300)}`}.`,
    `See the checks with 'docker inspect --format "{{json .State.Health}}" ${container.name}' and the app's logs with 'docker logs --tail 50 ${container.name}'.`,
    evidenceOf(chain, container),
  );
}

/**
 * The container at the far end of a forward (docker-proxy, a DNAT rule), or a stopped one that
 * asks for the port: not running, nothing listening on the forwarded port, listening on the
 * container's loopback only, listening on another port, failing its health check.
 */
export const containerRules: Rule = {
  step: 'follow-forward',
  codes: ['container-not-running', 'container-loopback-only', 'container-wrong-port', 'container-not-listening', 'container-unhealthy'],
  evaluate(facts) {
    const f = facts.forwards;
    if (f === null) return [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const chain of f.chains) {
      const container = chain.container;
      if (container === null || seen.has(container.id)) continue;
      seen.add(container.id);
      const found = notRunning(facts, chain, container) ?? listening(facts, chain, container);
      if (found !== null) findings.push(found);
      const sick = unhealthy(facts, chain, container);
      if (sick !== null) findings.push(sick);
    }
    for (const container of f.idle) {
      if (seen.has(container.id)) continue;
      seen.add(container.id);
      const found = notRunning(facts, null, container);
      if (found !== null) findings.push(found);
    }
    return findings;
  },
};
