import { destinationText } from '../forwarders/socket-forward.js';
import { numericAddress } from '../render/address.js';
import { declaredTarget } from '../rules/tunnel-not-running.js';
import { farAddresses } from './follow.js';
import type { ContainerFacts, DoctorFacts, ForwardChain } from './types.js';

/** "exited (137) at 2026-…", "running, unhealthy", "restarting (restarted 5 times)". */
export function containerStateText(container: ContainerFacts): string {
  if (!container.details.ok) return `state not read (${container.details.reason})`;
  const { state, restartCount } = container.details.value;
  const status = state.status ?? (state.running === true ? 'running' : 'unknown');
  const exit = status === 'exited' || status === 'dead' ? ` (exit code ${state.exitCode ?? '?'}${state.oomKilled === true ? ', killed for lack of memory' : ''})${state.finishedAt === null ? '' : ` at ${state.finishedAt}`}` : '';
  const health = state.health === null ? '' : `, ${state.health}`;
  const restarts = restartCount !== null && restartCount > 0 ? `, restarted ${restartCount} time${restartCount === 1 ? '' : 's'}` : '';
  const error = state.error === null ? '' : `; the engine says: ${state.error}`;
  return `${status}${exit}${health}${restarts}${error}`;
}

/** What listens inside a container, for a person: "127.0.0.1:80 (httpd pid 4321)". */
export function insideText(container: ContainerFacts): string {
  if (container.listeners === null) return 'its sockets were not read (it does not run)';
  if (!container.listeners.ok) return `its sockets could not be read (${container.listeners.reason})`;
  if (container.listeners.value.length === 0) return 'nothing listens inside it';
  return `listening inside: ${container.listeners.value
    .map((l) => `${l.protocol.toUpperCase()} ${numericAddress(l.address, l.port)}${l.processes[0] === undefined ? '' : ` (${l.processes[0].name} pid ${l.processes[0].pid})`}`)
    .join(', ')}`;
}

/** "127.0.0.1:8080 → docker-proxy (pid 812) → container web (7dbbae57773e) → 172.17.0.2:80". */
export function chainText(chain: ForwardChain, port: number): string {
  const start = chain.listener === null ? numericAddress(chain.asked ?? '?', port) : numericAddress(chain.listener.address, chain.listener.port);
  const by = chain.holder === null ? `DNAT rule '${chain.forward.rule ?? '?'}'` : `${chain.holder.name} (pid ${chain.holder.pid})`;
  const to = chain.forward.to;
  if (to === null) return `${start} → ${by} → ? (${chain.forward.unread ?? 'destination unknown'})`;
  const container = to.container === undefined ? '' : ` → container ${to.container.name} (${to.container.id.slice(0, 12)})`;
  return `${start} → ${by}${container} → ${destinationText(chain.forward) ?? '?'}`;
}

/** What the "Follow the forward" step saw. */
export function forwardLines(facts: DoctorFacts): string[] {
  const f = facts.forwards;
  if (f === null) return ['Not followed.'];
  const lines: string[] = [];
  for (const chain of f.chains) {
    lines.push(chainText(chain, facts.target.port));
    if (chain.forward.unread !== undefined && chain.forward.to !== null) lines.push(`  not read: ${chain.forward.unread}`);
    if (chain.container !== null) lines.push(`  container ${chain.container.name}: ${containerStateText(chain.container)}; ${insideText(chain.container)}`);
    if (chain.farProbe !== null) lines.push(`  far end ${numericAddress(chain.farProbe.address, chain.farProbe.port)}: ${chain.farProbe.status}${chain.farProbe.error === null ? '' : ` (${chain.farProbe.error})`}`);
    else if (facts.replay !== null && farAddresses(chain.forward).length > 0) lines.push(`  far end ${destinationText(chain.forward) ?? '?'}: not probed (a replayed snapshot: probes need the live machine)`);
  }
  for (const idle of f.idle) lines.push(`container ${idle.name} publishes port ${facts.target.port} when it runs: ${containerStateText(idle)}`);
  lines.push(...declaredLines(facts), ...requestedLines(facts));
  if (f.engine !== null) lines.push(f.engine.read.ok ? `container engine at ${f.engine.endpoint}: ${f.engine.read.value.containers} container${f.engine.read.value.containers === 1 ? '' : 's'} (answered in ${f.engine.read.value.elapsedMs} ms)` : `container engine at ${f.engine.endpoint} not read: ${f.engine.read.reason}`);
  for (const u of f.natUnreadable.slice(0, 3)) lines.push(`not read: ${u}`);
  if (f.chains.length === 0 && f.idle.length === 0 && !hasDeclared(facts)) lines.unshift(`No forwarder holds port ${facts.target.port} here, and no rule or container sends it elsewhere.`);
  return lines;
}

/** The ssh client configuration read, when it declares this port or could not all be read; or a running ssh asks for the port. */
const hasDeclared = (facts: DoctorFacts): boolean =>
  (facts.forwards?.declared?.declarations.length ?? 0) > 0 || (facts.forwards?.declared?.unread.length ?? 0) > 0 || (facts.forwards?.requested?.ok === true && facts.forwards.requested.value.forwards.length > 0);

/** Running ssh clients that ask for the port and hold nothing on it: "ssh pid 4242 -L 8080:db:5432 (to deploy@bastion): asks for port 8080, holds no listener". */
function requestedLines(facts: DoctorFacts): string[] {
  const requested = facts.forwards?.requested;
  if (requested === undefined) return [];
  if (!requested.ok) return facts.forwards?.declared === undefined ? [] : [`running ssh clients not looked at: ${requested.reason}`];
  const lines = requested.value.forwards.map((f) => `ssh pid ${f.pid} ${f.option} ${f.spec}${f.via === '' ? '' : ` (to ${f.via})`}: asks for port ${f.listen.port}, holds no listener there`);
  // Shown where a missed ssh could be the answer: beside the ones found, or when nothing holds the port.
  if (requested.value.partial !== null && (lines.length > 0 || facts.forwards?.declared !== undefined)) lines.push(`running ssh clients looked at partly: ${requested.value.partial}`);
  return lines;
}

/** What the ssh client configuration declares on the port: "~/.ssh/config line 12: LocalForward 8080 db:5432 (in 'Host db')". */
function declaredLines(facts: DoctorFacts): string[] {
  const declared = facts.forwards?.declared;
  if (declared === undefined) return [];
  const lines = declared.declarations.map((d) => `${d.file} line ${d.line}: ${d.text}${d.blocks.length === 0 ? '' : ` (in ${d.blocks.map((b) => `'${b.text}'`).join(', ')})`}${d.scope === 'may' ? ', may apply' : ''}: ssh tunnel to ${declaredTarget(d)}, not running`);
  for (const u of declared.unread) lines.push(`ssh client configuration not read: ${u.what}: ${u.reason}`);
  for (const p of declared.unparsed) lines.push(`${p.file} line ${p.line}: '${p.text}' not read (a form ssh rejects, a service name or a variable)`);
  return lines;
}

/** The step is skipped when there was nothing to follow. */
export function forwardStepSkipped(facts: DoctorFacts): boolean {
  return facts.forwards === null || (facts.forwards.chains.length === 0 && facts.forwards.idle.length === 0 && !hasDeclared(facts));
}
