import type { Finding, Socket } from '../types.js';
import type { ConfigScan, Declaration } from './types.js';

export interface ConfigFacts {
  /** The port the user asked about, or null to check every client declaration. */
  readonly targetPort: number | null;
  /** Listening sockets on this machine (TCP LISTEN; UDP bound sockets are ignored). */
  readonly listeners: readonly Socket[];
}

/** Hosts that mean "this machine": a client pointing there needs a listener we can see. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0', '::', 'ip6-localhost', 'host.docker.internal']);

function isLocal(host: string | null): boolean {
  return host === null || LOCAL_HOSTS.has(host.toLowerCase()) || host.startsWith('127.') || host.toLowerCase().endsWith('.localhost');
}

/** Names a container uses for the machine it runs on (Docker Desktop, and Linux with host-gateway). */
const HOST_FROM_CONTAINER = new Set(['host.docker.internal', 'gateway.docker.internal', 'host.containers.internal']);

/**
 * Whose loopback: true when a declaration's address is a port of this machine. An address written
 * in a container's own configuration (a Compose service's environment, command, healthcheck; a
 * Dockerfile; a service's env_file) is the container's: its 127.0.0.1 is not ours, and only the
 * names Docker gives the host lead here.
 */
export function reachesThisMachine(d: Pick<Declaration, 'host' | 'network'>): boolean {
  if (d.network === 'container') return d.host !== null && HOST_FROM_CONTAINER.has(d.host.toLowerCase());
  return isLocal(d.host);
}

function isLoopbackBind(host: string | null): boolean {
  return host !== null && (host === 'localhost' || host === '::1' || host.startsWith('127.'));
}

const where = (d: Declaration): string => `${d.file}:${d.line}`;

function place(d: Declaration): Record<string, unknown> {
  return { file: d.file, line: d.line, kind: d.kind, role: d.role, host: d.host, port: d.port, text: d.text };
}

/**
 * Turns a configuration scan plus the machine's listening sockets into findings:
 * - `config-docker-publish` (error): a local client targets a port that Compose does not publish
 *   while it publishes others, and nothing listens there; or a service binds 127.0.0.1/localhost
 *   on a container port that Compose maps, which the mapping cannot reach.
 * - `config-mismatch` (error): a local client targets a port where nothing listens and that no
 *   server of the project declares, while the project serves elsewhere (its `server`/`publish`
 *   declarations and its declared ports that have a listener).
 * - `config-localhost` (warning): one side says `localhost` and the other side binds one family
 *   only (127.0.0.1 or ::1), so the answer depends on which address localhost resolves to first.
 * With a target port, only declarations on that port are judged. Pure: no I/O.
 *
 * @example
 * const findings = configFindings(await scanConfig('.'), { targetPort: 5173, listeners: inventory.sockets });
 */
export function configFindings(scan: ConfigScan, facts: ConfigFacts): Finding[] {
  const listening = facts.listeners.filter((s) => s.protocol === 'tcp' && s.state === 'LISTEN');
  const listenersOn = (port: number): Socket[] => listening.filter((s) => s.port === port);
  const decls = scan.declarations;
  const servers = decls.filter((d) => d.role === 'server' || d.role === 'publish');
  const declaredListening = decls.filter((d) => d.role !== 'client' && listenersOn(d.port).length > 0);
  const served = uniqueByPort([...servers, ...declaredListening]);
  const servedPorts = new Set(served.map((d) => d.port));
  const composePublish = decls.filter((d) => d.kind === 'compose' && d.role === 'publish');
  const composeFiles = [...new Set(decls.filter((d) => d.kind === 'compose').map((d) => d.file))];
  const onTarget = (d: Declaration): boolean => facts.targetPort === null || d.port === facts.targetPort;
  const findings: Finding[] = [];

  for (const client of decls.filter((d) => d.role === 'client' && onTarget(d) && reachesThisMachine(d))) {
    if (listenersOn(client.port).length > 0 || servedPorts.has(client.port)) continue;
    const published = composePublish.some((d) => d.port === client.port);
    if (composePublish.length > 0 && !published) {
      findings.push(dockerPublishUnpublished(client, composePublish, composeFiles));
    } else if (served.length > 0) {
      findings.push(mismatch(client, served, listenersOn));
    }
  }

  const containerPorts = new Map<number, Declaration>();
  for (const d of decls.filter((x) => x.kind === 'compose' && x.role === 'server')) {
    // A mapping's container port is on the publish's line (short syntax) or next to it (long syntax: target:/published:).
    const mapping = composePublish.find((p) => p.file === d.file && p.service === d.service && (p.line === d.line || (/\btarget\s*:/.test(d.text) && Math.abs(p.line - d.line) <= 3)));
    if (mapping !== undefined && !containerPorts.has(d.port)) containerPorts.set(d.port, mapping);
  }
  // A loopback bind written for one container only matters for that container's own mapping.
  const mappedFor = (bind: Declaration): Declaration | undefined => {
    const mapping = containerPorts.get(bind.port);
    if (mapping === undefined) return undefined;
    return bind.network === 'container' && bind.service !== null && bind.service !== mapping.service ? undefined : mapping;
  };
  for (const bind of decls.filter((d) => d.role === 'server' && isLoopbackBind(d.host) && mappedFor(d) !== undefined && onTarget(d))) {
    const mapping = mappedFor(bind) as Declaration;
    if (facts.targetPort !== null && mapping.port !== facts.targetPort && bind.port !== facts.targetPort) continue;
    findings.push(dockerLoopbackBind(bind, mapping));
  }

  findings.push(...localhostFindings(decls, listenersOn, onTarget));
  return findings;
}

function uniqueByPort(decls: Declaration[]): Declaration[] {
  const seen = new Set<number>();
  return decls.filter((d) => (seen.has(d.port) ? false : (seen.add(d.port), true)));
}

/**
 * The edit that points a client at `port`: the line where its port is written (the client's own
 * line, or where the variable it reads gets its value), with the port number replaced. Null when
 * the number does not appear as such on that line (a computed port): then the fix says it in words.
 */
function portEdit(client: Declaration, port: number): { file: string; line: number; before: string; after: string } | null {
  const file = client.via?.file ?? client.file;
  const line = client.via?.line ?? client.line;
  // Only the client's own line is at hand; a value written elsewhere is named, not quoted.
  if (client.via !== null && (client.via.file !== client.file || client.via.line !== client.line)) return null;
  const before = client.text.trim();
  const pattern = new RegExp(`(?<![\\d.])${client.port}(?!\\d)`);
  if (!pattern.test(before)) return null;
  return { file, line, before, after: before.replace(pattern, String(port)) };
}

function mismatch(client: Declaration, served: readonly Declaration[], listenersOn: (port: number) => Socket[]): Finding {
  const ports = [...new Set(served.map((d) => d.port))];
  const list = served.map((d) => `${d.port} (${d.role}, ${where(d)}${listenersOn(d.port).length > 0 ? ', listening' : ''})`).join(', ');
  // The other half: where the project's server really listens — a live listener first, and the
  // declaration that configures it.
  const live = served.map((d) => ({ declaration: d, socket: listenersOn(d.port)[0] })).find((x) => x.socket !== undefined);
  const target = live?.declaration ?? served[0];
  const holder = live?.socket?.processes[0];
  const liveText =
    live?.socket === undefined
      ? ''
      : ` It listens now on ${live.socket.address.includes(':') ? `[${live.socket.address}]` : live.socket.address}:${live.socket.port}${holder === undefined ? '' : ` (${holder.name}, pid ${holder.pid})`}, as ${where(live.declaration)} configures it (${live.declaration.text.trim()}).`;
  const edit = target === undefined ? null : portEdit(client, target.port);
  const valueAt = client.via !== null ? `${client.via.file}:${client.via.line} (where ${client.via.variable} gets its value)` : where(client);
  return {
    code: 'config-mismatch',
    severity: 'error',
    title: `${where(client)} points at port ${client.port}, where nothing of the project listens`,
    detail: `${client.file} line ${client.line} (${client.text.trim()}) connects to ${client.host ?? 'localhost'}:${client.port}, but nothing listens on ${client.port} and no server of the project is configured for it. The project serves ${list}.${liveText}`,
    fix:
      edit !== null
        ? `In ${edit.file} line ${edit.line}, change \`${edit.before}\` to \`${edit.after}\` (the port the server uses), or configure the server to listen on ${client.port}.`
        : `Point ${valueAt} at the port the server uses (${ports.join(' or ')}), or configure the server to listen on ${client.port}.`,
    evidence: {
      client: place(client),
      listening: false,
      served: served.map((d) => ({ ...place(d), listening: listenersOn(d.port).length > 0 })),
      ...(live?.socket === undefined ? {} : { listener: { address: live.socket.address, port: live.socket.port, pid: holder?.pid ?? null, process: holder?.name ?? null, declaration: place(live.declaration) } }),
      ...(edit === null ? {} : { edit }),
    },
  };
}

function dockerPublishUnpublished(client: Declaration, published: readonly Declaration[], composeFiles: readonly string[]): Finding {
  const list = published.map((d) => `${d.host === null ? '' : `${d.host}:`}${d.port} (${where(d)})`).join(', ');
  return {
    code: 'config-docker-publish',
    severity: 'error',
    title: `${where(client)} targets port ${client.port}, which ${composeFiles.join(', ')} does not publish`,
    detail: `${client.file} line ${client.line} connects to ${client.host ?? 'localhost'}:${client.port}, but nothing listens there and the Compose file publishes only ${list}. A container's port is reachable from the host only through a ports: mapping.`,
    fix: `Connect to a published port (${published.map((d) => d.port).join(', ')}), or add "${client.port}:<container port>" under the service's ports: in ${composeFiles[0] ?? 'the Compose file'}.`,
    evidence: {
      client: place(client),
      composeFiles,
      published: published.map(place),
    },
  };
}

function dockerLoopbackBind(bind: Declaration, mapping: Declaration): Finding {
  return {
    code: 'config-docker-publish',
    severity: 'error',
    title: `${where(bind)} binds ${bind.host}:${bind.port}, which the Compose mapping at ${where(mapping)} cannot reach`,
    detail: `${mapping.file} line ${mapping.line} publishes host port ${mapping.port} to container port ${bind.port}, but ${bind.file} line ${bind.line} makes the server bind ${bind.host} (the container's own loopback). Docker forwards to the container's network interface, so connections are reset.`,
    fix: `Bind 0.0.0.0 (or ::) inside the container: change the host at ${where(bind)}, e.g. HOST=0.0.0.0 or --host 0.0.0.0.`,
    evidence: { bind: place(bind), mapping: place(mapping), composeFiles: [mapping.file] },
  };
}

/** Which families a set of listeners covers. `::` counts as both (dual-stack is Linux's default). */
function families(sockets: readonly Socket[]): { v4: boolean; v6: boolean } {
  return {
    v4: sockets.some((s) => s.family === 'ipv4' || s.address === '::'),
    v6: sockets.some((s) => s.family === 'ipv6'),
  };
}

function familyOfHost(host: string | null): 'ipv4' | 'ipv6' | null {
  if (host === null) return null;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) return host === '0.0.0.0' ? null : 'ipv4';
  if (host.includes(':')) return host === '::' ? null : 'ipv6';
  return null;
}

function localhostFindings(decls: readonly Declaration[], listenersOn: (port: number) => Socket[], onTarget: (d: Declaration) => boolean): Finding[] {
  const findings: Finding[] = [];
  for (const client of decls.filter((d) => d.role === 'client' && d.host?.toLowerCase() === 'localhost' && d.network === 'host' && onTarget(d))) {
    const sockets = listenersOn(client.port);
    const declared = decls.filter((d) => (d.role === 'server' || d.role === 'publish') && reachesThisMachine(d) && d.port === client.port && familyOfHost(d.host) !== null);
    let only: 'ipv4' | 'ipv6' | null = null;
    let basis: Record<string, unknown> = {};
    if (sockets.length > 0) {
      const f = families(sockets);
      if (f.v4 !== f.v6) {
        only = f.v4 ? 'ipv4' : 'ipv6';
        basis = { listeners: sockets.map((s) => ({ address: s.address, port: s.port, family: s.family })) };
      }
    } else if (declared.length > 0 && new Set(declared.map((d) => familyOfHost(d.host))).size === 1) {
      only = familyOfHost(declared[0]?.host ?? null);
      basis = { servers: declared.map(place) };
    }
    if (only === null) continue;
    const bound = only === 'ipv4' ? '127.0.0.1 (IPv4)' : '::1 (IPv6)';
    findings.push({
      code: 'config-localhost',
      severity: 'warning',
      title: `${where(client)} says localhost, but port ${client.port} is served on ${only === 'ipv4' ? 'IPv4' : 'IPv6'} only`,
      detail: `${client.file} line ${client.line} connects to localhost:${client.port}. localhost resolves to both ::1 and 127.0.0.1, and Node 17+ and many clients try the first answer only (often ::1), while the server is on ${bound}.`,
      fix: `Write ${only === 'ipv4' ? '127.0.0.1' : '[::1]'} instead of localhost at ${where(client)}, or make the server listen on both families (:: or both addresses).`,
      evidence: { client: place(client), family: only, ...basis },
    });
  }
  for (const server of decls.filter((d) => d.role === 'server' && d.host?.toLowerCase() === 'localhost' && onTarget(d))) {
    // Only a client on the same machine (the host, or the same container) meets this server.
    const clients = decls.filter((d) => d.role === 'client' && d.port === server.port && familyOfHost(d.host) !== null && d.network === server.network && d.service === server.service);
    for (const client of clients) {
      findings.push({
        code: 'config-localhost',
        severity: 'warning',
        title: `${where(server)} binds localhost, ${where(client)} connects to ${client.host}`,
        detail: `A server told to listen on "localhost" binds only the first address localhost resolves to (::1 or 127.0.0.1, depending on the system), while ${client.file} line ${client.line} connects to ${client.host}:${client.port} only.`,
        fix: `Bind ${familyOfHost(client.host) === 'ipv4' ? '127.0.0.1' : '::1'} explicitly at ${where(server)}, or connect to localhost from ${where(client)}.`,
        evidence: { server: place(server), client: place(client), family: familyOfHost(client.host) },
      });
    }
  }
  return findings;
}
