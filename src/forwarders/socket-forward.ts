/**
 * The forward of one listening socket, joined from what was read elsewhere: the holder's command
 * line (a ForwarderReading), the container engine's list, and the DNAT rules for the socket's port.
 * Pure: the reading is done by the caller (src/collectors/forwards.ts), so every join is tested
 * with recorded values.
 */
import type { NatLookup } from '../platform/types.js';
import type { Collected, Protocol } from '../types.js';
import { containersPublishing, withContainer } from './containers.js';
import type { ContainerSummary } from './docker-api-decode.js';
import { dockerStop } from './docker-proxy.js';
import { forwardForSocket, type ForwarderReading } from './table.js';
import type { ForwardTarget, SocketForward } from './types.js';

/** The listening socket a forward is asked for. */
export interface ListeningSocket {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
}

/** What was read besides the command line; null where it was not needed (or not asked). */
export interface ForwardSources {
  readonly containers: Collected<readonly ContainerSummary[]> | null;
  readonly nat: Collected<NatLookup> | null;
}

const named = (c: ContainerSummary): { id: string; name: string } => ({ id: c.id, name: c.name });

/** The container whose network address is `host`, when exactly one has it. */
function containerAt(containers: readonly ContainerSummary[], host: string): ContainerSummary | null {
  const found = containers.filter((c) => c.addresses.includes(host));
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** The one container publishing this host port (running containers only carry ports), or null. */
function publisher(containers: readonly ContainerSummary[], socket: ListeningSocket): ContainerSummary | null {
  const found = containersPublishing(containers, socket);
  return found.length === 1 ? (found[0] ?? null) : null;
}

/** The destination from the engine's list alone: the publishing container, its address and container port. */
function fromEngine(containers: readonly ContainerSummary[], socket: ListeningSocket): ForwardTarget | null {
  const container = publisher(containers, socket);
  if (container === null) return null;
  const binding = container.ports.find((p) => p.hostPort === socket.port && p.protocol === socket.protocol);
  return { host: container.addresses[0] ?? container.name, port: binding?.containerPort ?? null, container: named(container) };
}

/** A DNAT rule read for a wildcard listener is asked about loopback: that is where local clients go. */
const askedAddress = (address: string): string => (address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address);

/** The rule the nat table applies to the socket's port: the certain one, else the only one. */
function ruleFor(nat: NatLookup): NatLookup['matches'][number] | null {
  const withTarget = nat.matches.filter((m) => m.redirect.kind === 'dnat' && m.redirect.toAddress !== null);
  return withTarget.find((m) => m.certain) ?? (withTarget.length === 1 ? (withTarget[0] ?? null) : null);
}

/**
 * The forward of a socket held by a known forwarder.
 *
 * @example
 * socketForward(readForwarder({ pid: 812, name: 'docker-proxy', argv })!, { protocol: 'tcp', address: '127.0.0.1', port: 8080 }, { containers: list, nat: null })
 * // { forwarder: 'docker-proxy', to: { host: '172.17.0.2', port: 80, container: { id, name: 'web' } }, stop: 'docker stop web', … }
 */
export function socketForward(reading: ForwarderReading, socket: ListeningSocket, sources: ForwardSources): SocketForward {
  const base = { forwarder: reading.kind, description: reading.description, killable: reading.killable };
  const containers = sources.containers?.ok === true ? sources.containers.value : null;
  const engineUnread = sources.containers?.ok === false ? `the container engine was not read: ${sources.containers.reason}` : null;

  if (reading.destination.includes('arguments')) {
    const forward = forwardForSocket(reading.forwards, socket);
    if (forward === null) {
      const unread = reading.unread ?? `its command line names no forward for ${socket.protocol} port ${socket.port}`;
      return { ...base, source: ['arguments'], to: null, stop: reading.stop, unread };
    }
    const joined = containers !== null && reading.destination.includes('docker-api') ? withContainer(forward, containers) : forward;
    const usedEngine = joined.to.container !== undefined;
    const unread = reading.destination.includes('docker-api') && !usedEngine ? (engineUnread ?? 'no single container of the engine publishes this port') : null;
    return {
      ...base,
      source: usedEngine ? ['arguments', 'docker-api'] : ['arguments'],
      to: joined.to,
      ...(joined.via === undefined ? {} : { via: joined.via }),
      stop: joined.stop,
      ...(unread === null ? {} : { unread }),
    };
  }

  // dockerd and conmon reserve the port while DNAT rules forward it: the rule says where, the engine says who.
  const match = reading.destination.includes('nat-rules') && sources.nat?.ok === true ? ruleFor(sources.nat.value) : null;
  if (match !== null && match.redirect.toAddress !== null) {
    const port = match.redirect.toPort?.from ?? socket.port;
    const container = containers === null ? null : containerAt(containers, match.redirect.toAddress);
    const to: ForwardTarget = { host: match.redirect.toAddress, port, ...(container === null ? {} : { container: named(container) }) };
    const stop = container === null ? reading.stop : reading.kind === 'podman-conmon' ? `podman stop ${container.name}` : dockerStop(socket.port, socket.protocol, container);
    const unread = container === null ? (engineUnread ?? `no container of the engine has the address ${match.redirect.toAddress}`) : null;
    return { ...base, source: container === null ? ['nat-rules'] : ['nat-rules', 'docker-api'], to, rule: match.redirect.rule, stop, ...(unread === null ? {} : { unread }) };
  }
  const fromList = containers === null || !reading.destination.includes('docker-api') ? null : fromEngine(containers, socket);
  if (fromList !== null) {
    const stop = reading.kind === 'podman-conmon' ? `podman stop ${fromList.container?.name ?? ''}`.trim() : dockerStop(socket.port, socket.protocol, fromList.container);
    return { ...base, source: ['docker-api'], to: fromList, stop };
  }
  const why = [
    reading.destination.includes('nat-rules') ? (sources.nat === null ? 'the DNAT rules were not read' : sources.nat.ok ? `no DNAT rule sends ${askedAddress(socket.address)}:${socket.port} anywhere` : `the DNAT rules could not be read: ${sources.nat.reason}`) : null,
    reading.destination.includes('docker-api') ? (engineUnread ?? 'no single running container publishes this port') : null,
    reading.destination.includes('same-port-in-vm') ? `the program listens on port ${socket.port} inside the virtual machine` : null,
  ].filter((w): w is string => w !== null);
  return { ...base, source: [...reading.destination], to: null, stop: reading.stop, unread: why.join('; ') };
}

/** The address a DNAT lookup asks about for a listener (loopback for a wildcard one). */
export function natQueryFor(socket: ListeningSocket): { protocol: Protocol; address: string; port: number } {
  return { protocol: socket.protocol, address: askedAddress(socket.address), port: socket.port };
}

/** `[::1]:80` or `172.17.0.2:80`. */
function hostPort(host: string, port: number | null): string {
  const shown = host.includes(':') ? `[${host}]` : host;
  return port === null ? shown : `${shown}:${port}`;
}

/**
 * Where a forward goes, without the container's name: `172.17.0.2:80`, `localhost:80 via web1`,
 * `pod/web -n shop:80`, `/var/run/docker.sock via host`; null when the destination is unknown.
 *
 * @example
 * destinationText({ forwarder: 'ssh', to: { host: 'localhost', port: 80 }, via: 'web1', … }) // 'localhost:80 via web1'
 */
export function destinationText(forward: SocketForward): string | null {
  const to = forward.to;
  if (to === null) return null;
  const where =
    to.socketPath !== undefined
      ? to.socketPath
      : to.resource !== undefined
        ? `${to.resource.kind}/${to.resource.name}${to.resource.namespace === null ? '' : ` -n ${to.resource.namespace}`}:${to.port ?? to.portName ?? '?'}`
        : hostPort(to.host, to.port ?? null) + (to.port === null && to.portName !== undefined ? `:${to.portName}` : '');
  return `${where}${forward.via === undefined ? '' : ` via ${forward.via}`}`;
}

/**
 * The forward in a few words, for a table cell: `→ web (7dbbae57773e) 172.17.0.2:80`.
 *
 * @example
 * forwardText({ forwarder: 'ssh', to: { host: 'localhost', port: 80 }, via: 'web1', … }) // '→ localhost:80 via web1'
 */
export function forwardText(forward: SocketForward): string {
  const where = destinationText(forward);
  if (where === null || forward.to === null) return `→ ? (${forward.unread ?? 'destination unknown'})`;
  const container = forward.to.container === undefined ? '' : `${forward.to.container.name} (${forward.to.container.id.slice(0, 12)}) `;
  return `→ ${container}${where}${forward.rule === undefined ? '' : ' (DNAT rule)'}`;
}
