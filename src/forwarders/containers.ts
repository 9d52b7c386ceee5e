/**
 * Joins what a forwarder's command line says with what the Docker Engine API says: which container a
 * docker-proxy (or a DNAT rule) leads to, and which containers publish a host port at all.
 */
import type { ContainerSummary } from './docker-api-decode.js';
import { dockerStop } from './docker-proxy.js';
import type { Forward } from './types.js';

/** A host port as a socket or a rule shows it. */
export interface HostPort {
  readonly port: number;
  readonly protocol: string;
  /** The host address; null to match any. */
  readonly address?: string | null;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * The containers whose published ports include this host port. The list carries ports only for
 * running containers, so none here means no running container publishes it (a docker-proxy left on
 * it is stale); a stopped container's wish is in its inspect answer (`requestedPorts`). An address
 * matches the same address or a wildcard binding; a binding without an address (Podman leaves it
 * out) matches any address.
 *
 * @example
 * containersPublishing(list, { port: 8080, protocol: 'tcp', address: '127.0.0.1' }).map((c) => c.name) // ['web']
 */
export function containersPublishing(containers: readonly ContainerSummary[], host: HostPort): ContainerSummary[] {
  return containers.filter((c) =>
    c.ports.some(
      (p) =>
        p.hostPort === host.port &&
        p.protocol === host.protocol &&
        (host.address === undefined || host.address === null || p.hostIp === null || p.hostIp === host.address || WILDCARDS.has(p.hostIp) || WILDCARDS.has(host.address)),
    ),
  );
}

/**
 * The container a docker-proxy forward leads to: the one with the forward's container address that
 * publishes the forward's host port; null when none or more than one match (a guess could name the
 * wrong container to stop).
 */
export function containerOfForward(forward: Forward, containers: readonly ContainerSummary[]): ContainerSummary | null {
  if (forward.from.port === null) return null;
  const publishing = containersPublishing(containers, { port: forward.from.port, protocol: forward.from.protocol, address: forward.from.address });
  const byAddress = publishing.filter((c) => c.addresses.includes(forward.to.host) && c.ports.some((p) => p.containerPort === forward.to.port));
  const candidates = byAddress.length > 0 ? byAddress : publishing;
  return candidates.length === 1 ? (candidates[0] ?? null) : null;
}

/**
 * The forward with its container named and the stop command made exact (`docker stop web`); the
 * forward unchanged when the container cannot be told for certain.
 *
 * @example
 * withContainer(forward, list).stop // 'docker stop web'
 */
export function withContainer(forward: Forward, containers: readonly ContainerSummary[]): Forward {
  const container = containerOfForward(forward, containers);
  if (container === null) return forward;
  return { ...forward, to: { ...forward.to, container: { id: container.id, name: container.name } }, stop: dockerStop(forward.from.port ?? 0, forward.from.protocol, container) };
}
