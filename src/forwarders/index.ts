/**
 * Following a port to the program that really answers: forwarders as data (which process forwards,
 * where to, how to stop it), the Docker Engine API (Docker and Podman), and joins between them.
 * DNAT rules are read in src/platform/linux/firewall/nat.ts; default engine sockets live in
 * src/platform/<os>/docker-socket.ts.
 */
export type { ArgvForwards, Forward, ForwardKind, ForwardSource, ForwardTarget, KubeResource } from './types.js';
export { FORWARDERS, forwarderEntry, forwardForSocket, programName, readForwarder } from './table.js';
export type { DestinationSource, ForwarderEntry, ForwarderKind, ForwarderReading, ProcessIdentity } from './table.js';
export { parseDockerProxyArgv, dockerStop } from './docker-proxy.js';
export { parseSshArgv } from './ssh.js';
export { parseSocatArgv } from './socat.js';
export { parseKubectlArgv } from './kubectl.js';
export { conmonContainer, type ConmonContainer } from './conmon.js';
export { dockerEndpoint, endpointText, type DockerEndpoint } from './docker-endpoint.js';
export { containerLogs, engineVersion, inspectContainer, listContainers, type DockerCallOptions, type LogOptions } from './docker-api.js';
export type { ContainerDetails, ContainerState, ContainerSummary, EngineVersion, PortBinding, PublishedPort } from './docker-api-decode.js';
export type { DockerLogLine, LogStream } from './docker-log-stream.js';
export { containerOfForward, containersPublishing, withContainer, type HostPort } from './containers.js';
