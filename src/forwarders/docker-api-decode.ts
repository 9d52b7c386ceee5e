/**
 * Pure decoders for the Docker Engine API's answers (also served by Podman's compatible API), from
 * parsed JSON to the few fields portdoctor uses. Fields that are missing or of another type become
 * null rather than a guess; an answer that is not the expected shape at all is rejected.
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
const str = (value: Json): string | null => (typeof value === 'string' ? value : null);
const num = (value: Json): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const bool = (value: Json): boolean | null => (typeof value === 'boolean' ? value : null);
/** Docker writes "no address" as "" and "never" as 0001-01-01T00:00:00Z. */
const nonEmpty = (value: Json): string | null => {
  const s = str(value);
  return s === null || s === '' || s.startsWith('0001-01-01') ? null : s;
};
/** `/web` → `web` (the API prefixes names with their parent, `/` for top-level containers). */
const containerName = (name: string): string => name.replace(/^\//, '');

export interface PublishedPort {
  /** The port inside the container. */
  readonly containerPort: number;
  /** The host port; null when the port is only exposed. */
  readonly hostPort: number | null;
  /** The host address (`127.0.0.1`, `0.0.0.0`, `::`); null when the engine does not say (Podman leaves it out). */
  readonly hostIp: string | null;
  readonly protocol: string;
}

export interface ContainerSummary {
  readonly id: string;
  /** The first name, without the API's leading `/`. */
  readonly name: string;
  readonly names: readonly string[];
  readonly image: string | null;
  /** created, running, paused, restarting, removing, exited, dead. */
  readonly state: string | null;
  /** For a person: "Up 5 minutes (unhealthy)", "Exited (137) 2 seconds ago". */
  readonly status: string | null;
  readonly ports: readonly PublishedPort[];
  /** The container's addresses on its networks (IPv4 and global IPv6); empty when it is not running. */
  readonly addresses: readonly string[];
}

/** `NetworkSettings.Networks` → every IPAddress and GlobalIPv6Address that is set. */
function networkAddresses(settings: Json): string[] {
  const networks = isObject(settings) && isObject(settings.Networks) ? settings.Networks : {};
  return Object.values(networks).flatMap((n) => (isObject(n) ? [nonEmpty(n.IPAddress), nonEmpty(n.GlobalIPv6Address)] : [])).filter((a): a is string => a !== null);
}

function publishedPort(value: Json): PublishedPort | null {
  if (!isObject(value)) return null;
  const containerPort = num(value.PrivatePort);
  const protocol = str(value.Type);
  if (containerPort === null || protocol === null) return null;
  return { containerPort, hostPort: num(value.PublicPort), hostIp: nonEmpty(value.IP), protocol };
}

/**
 * Decodes `GET /containers/json?all=1`.
 *
 * @example
 * decodeContainerList([{ Id: '7dbb…', Names: ['/web'], State: 'running', Ports: [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }] }])
 * // [{ id: '7dbb…', name: 'web', names: ['web'], image: null, state: 'running', status: null,
 * //    ports: [{ containerPort: 80, hostPort: 8080, hostIp: '127.0.0.1', protocol: 'tcp' }], addresses: [] }]
 */
export function decodeContainerList(json: Json): ContainerSummary[] | null {
  if (!Array.isArray(json)) return null;
  const containers: ContainerSummary[] = [];
  for (const item of json) {
    if (!isObject(item)) return null;
    const id = str(item.Id);
    if (id === null) return null;
    const names = (Array.isArray(item.Names) ? item.Names : []).map(str).filter((n): n is string => n !== null).map(containerName);
    // Podman 3.0 answered `Ports: null` (https://github.com/podman-container-tools/podman/issues/9553): no ports known, not an error.
    const ports = (Array.isArray(item.Ports) ? item.Ports : []).map(publishedPort).filter((p): p is PublishedPort => p !== null);
    containers.push({ id, name: names[0] ?? id.slice(0, 12), names, image: str(item.Image), state: str(item.State), status: str(item.Status), ports, addresses: networkAddresses(item.NetworkSettings) });
  }
  return containers;
}

export interface PortBinding {
  /** `80/tcp` → 80 and tcp. */
  readonly containerPort: number;
  readonly protocol: string;
  readonly hostIp: string | null;
  readonly hostPort: number | null;
}

export interface ContainerState {
  readonly status: string | null;
  readonly running: boolean | null;
  readonly restarting: boolean | null;
  readonly paused: boolean | null;
  readonly oomKilled: boolean | null;
  readonly exitCode: number | null;
  /** The container's first process; null when it is not running (the API says 0). */
  readonly pid: number | null;
  /** The engine's error when the container could not start (e.g. "port is already allocated"). */
  readonly error: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** healthy, unhealthy, starting; null without a health check. */
  readonly health: string | null;
  readonly healthFailingStreak: number | null;
  /** The output of the last health check run, when there is one. */
  readonly lastHealthOutput: string | null;
}

export interface ContainerDetails {
  readonly id: string;
  readonly name: string;
  readonly state: ContainerState;
  readonly restartCount: number | null;
  /** Created with a TTY: its logs are one raw stream, not stdout and stderr frames. */
  readonly tty: boolean;
  readonly network: {
    /** The address on the default bridge (NetworkSettings.IPAddress); null when not on it or not running. */
    readonly ipAddress: string | null;
    /** Every network's address, by network name. */
    readonly addresses: readonly { readonly network: string; readonly ipv4: string | null; readonly ipv6: string | null }[];
    /** The bindings in effect (NetworkSettings.Ports): empty when the container is not running. */
    readonly ports: readonly PortBinding[];
    /** The container's network namespace file (/var/run/docker/netns/…), readable with setns by root. */
    readonly sandboxKey: string | null;
    /** host, bridge, none, container:…, or a network name. */
    readonly mode: string | null;
  };
  /** The bindings asked for at creation (HostConfig.PortBindings), in effect or not. */
  readonly requestedPorts: readonly PortBinding[];
}

/** `{"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}], "443/tcp": null}` → bindings (null: exposed only). */
function portBindings(value: Json): PortBinding[] {
  if (!isObject(value)) return [];
  const bindings: PortBinding[] = [];
  for (const [key, hosts] of Object.entries(value)) {
    const match = /^(\d{1,5})\/([a-z]+)$/.exec(key);
    if (match === null) continue;
    const containerPort = Number(match[1]);
    const protocol = match[2] ?? 'tcp';
    if (!Array.isArray(hosts) || hosts.length === 0) {
      bindings.push({ containerPort, protocol, hostIp: null, hostPort: null });
      continue;
    }
    for (const host of hosts) {
      if (!isObject(host)) continue;
      const portText = str(host.HostPort);
      bindings.push({ containerPort, protocol, hostIp: nonEmpty(host.HostIp), hostPort: portText !== null && /^\d{1,5}$/.test(portText) ? Number(portText) : null });
    }
  }
  return bindings;
}

function decodeState(value: Json): ContainerState {
  const state = isObject(value) ? value : {};
  // Docker calls it Health; Podman's own inspect calls it Healthcheck (vv9k/podman-api-rs#124): accept both.
  const health = isObject(state.Health) ? state.Health : isObject(state.Healthcheck) ? state.Healthcheck : null;
  const log = health !== null && Array.isArray(health.Log) ? health.Log : [];
  const last = log.at(-1);
  const pid = num(state.Pid);
  return {
    status: str(state.Status),
    running: bool(state.Running),
    restarting: bool(state.Restarting),
    paused: bool(state.Paused),
    oomKilled: bool(state.OOMKilled),
    exitCode: num(state.ExitCode),
    pid: pid === null || pid <= 0 ? null : pid,
    error: nonEmpty(state.Error),
    startedAt: nonEmpty(state.StartedAt),
    finishedAt: nonEmpty(state.FinishedAt),
    health: health === null ? null : nonEmpty(health.Status),
    healthFailingStreak: health === null ? null : num(health.FailingStreak),
    lastHealthOutput: isObject(last) ? str(last.Output) : null,
  };
}

/**
 * Decodes `GET /containers/{id}/json`; null when the answer is not a container.
 *
 * @example
 * decodeContainerDetails(JSON.parse(body))?.state.status // 'exited'
 */
export function decodeContainerDetails(json: Json): ContainerDetails | null {
  if (!isObject(json)) return null;
  const id = str(json.Id);
  if (id === null) return null;
  const settings = isObject(json.NetworkSettings) ? json.NetworkSettings : {};
  const config = isObject(json.Config) ? json.Config : {};
  const hostConfig = isObject(json.HostConfig) ? json.HostConfig : {};
  const networks = isObject(settings.Networks) ? settings.Networks : {};
  return {
    id,
    name: containerName(str(json.Name) ?? id.slice(0, 12)),
    state: decodeState(json.State),
    restartCount: num(json.RestartCount),
    tty: bool(config.Tty) === true,
    network: {
      ipAddress: nonEmpty(settings.IPAddress),
      addresses: Object.entries(networks).map(([network, value]) => ({
        network,
        ipv4: isObject(value) ? nonEmpty(value.IPAddress) : null,
        ipv6: isObject(value) ? nonEmpty(value.GlobalIPv6Address) : null,
      })),
      ports: portBindings(settings.Ports),
      sandboxKey: nonEmpty(settings.SandboxKey),
      mode: str(hostConfig.NetworkMode),
    },
    requestedPorts: portBindings(hostConfig.PortBindings),
  };
}

/** The message of an API error answer (`{"message": "No such container: web"}`), or null. */
export function decodeApiError(json: Json): string | null {
  return isObject(json) ? nonEmpty(json.message) : null;
}

export interface EngineVersion {
  readonly version: string | null;
  readonly apiVersion: string | null;
  /** True when the engine says it is Podman (its /version lists a "Podman Engine" component). */
  readonly podman: boolean;
}

/** Decodes `GET /version`. */
export function decodeVersion(json: Json): EngineVersion | null {
  if (!isObject(json)) return null;
  const components = Array.isArray(json.Components) ? json.Components : [];
  const podman = components.some((c) => isObject(c) && typeof c.Name === 'string' && /podman/i.test(c.Name));
  return { version: str(json.Version), apiVersion: str(json.ApiVersion), podman };
}
