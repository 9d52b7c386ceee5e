import { readCommandLine, readWords, type CommandContext, type CommandReading } from './command-line.js';
import { Emitter } from './emit.js';
import { classifyEnvValue, hostFrom } from './env-keys.js';
import { expand, resolverOf, sourceAt, type Expansion, type Resolver } from './interpolate.js';
import { LineIndex, normalizeHost, toPort } from './text.js';
import type { ContainerEnvFile, DeclarationNetwork, DeclarationProtocol, ParsedFile, ParserInput, ValueSource } from './types.js';
import { unknownReason } from './values.js';
import { endOf, mapEntries, mapGet, offsetOf, parseYamlDocuments, scalarString, seqItems, type YamlNode } from './yaml-doc.js';

/** docker-compose.yml, compose.yaml, docker-compose.override.yml, compose.prod.yml, … */
export function isComposeFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return /^(docker-)?compose([.-][\w-]+)*\.ya?ml$/.test(base);
}

/**
 * A YAML file whose name is not a Compose name but whose content is a Compose file (`-f app.yml`,
 * JHipster's src/main/docker/*.yml): a top-level `services:` key and ports or an image.
 */
export function looksLikeCompose(text: string): boolean {
  return /^services:[ \t]*(#.*)?\r?$/m.test(text) && /^[ \t]+(ports|expose|image|build):/m.test(text);
}

/** At most this many ports from one range mapping (`8000-8100:8000-8100`): enough to compare. */
const MAX_RANGE = 32;

interface Mapping {
  readonly hostIp: string | null;
  readonly published: number[];
  readonly target: number[];
}

/** One side of a mapping: its ports, or what stands there when it cannot be read, or nothing. */
type Side = { readonly ports: number[]; readonly via: ValueSource | null } | { readonly unknown: string } | null;

interface ShortMapping {
  readonly hostIp: string | null;
  readonly published: Side;
  readonly target: Side;
  readonly protocol: DeclarationProtocol;
}

/** Splits on `:` outside `[…]` and `${…}`, with each part's offset. */
function splitColons(text: string): { part: string; start: number }[] {
  const parts: { part: string; start: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ':' && depth === 0) {
      parts.push({ part: text.slice(start, i), start });
      start = i + 1;
    }
  }
  parts.push({ part: text.slice(start), start });
  return parts;
}

function readSide(expansion: Expansion, part: { part: string; start: number } | undefined): Side | 'invalid' {
  if (part === undefined || part.part === '') return null;
  if (/[$]|#\{/.test(part.part)) return { unknown: part.part };
  const ports = expandRange(part.part);
  return ports === null ? 'invalid' : { ports, via: sourceAt(expansion, part.start, part.start + part.part.length) };
}

/**
 * Reads a short-syntax port mapping after interpolation: `3000`, `8080:3000`,
 * `127.0.0.1:5432:5432`, `[::1]:80:80`, `8000-8002:8000-8002`, `53:53/udp`. A side still holding a
 * variable is unknown. Null when it is not a mapping.
 */
function readShortMapping(expansion: Expansion): ShortMapping | null {
  const proto = /\/(tcp|udp|sctp)$/i.exec(expansion.text);
  const text = proto === null ? expansion.text : expansion.text.slice(0, proto.index);
  const lead = text.length - text.trimStart().length;
  const parts = splitColons(text.trim()).map((p) => ({ part: p.part, start: p.start + lead }));
  if (parts.length > 3) return null;
  const target = readSide(expansion, parts.at(-1));
  const published = parts.length >= 2 ? readSide(expansion, parts.at(-2)) : null;
  if (target === 'invalid' || published === 'invalid' || target === null) return null;
  const hostText = parts.length === 3 ? (parts[0]?.part ?? '') : '';
  if (hostText !== '' && !/^(\[[^\]]+\]|[\w.-]+|\$\{[^}]*\})$/.test(hostText)) return null;
  return { hostIp: hostText === '' ? null : normalizeHost(hostText), published, target, protocol: (proto?.[1]?.toLowerCase() ?? 'tcp') as DeclarationProtocol };
}

/**
 * Reads a short-syntax port mapping: `"3000"`, `"8080:3000"`, `"127.0.0.1:5432:5432"`,
 * `"[::1]:80:80"`, `"8000-8002:8000-8002"`, `"8080:3000/udp"`. Returns null when it is not one.
 *
 * @example
 * parseShortMapping('127.0.0.1:5432:5432') // { hostIp: '127.0.0.1', published: [5432], target: [5432] }
 */
export function parseShortMapping(text: string): Mapping | null {
  const read = readShortMapping({ text, complete: true, pieces: [] });
  if (read === null || read.target === null || !('ports' in read.target) || (read.published !== null && !('ports' in read.published))) return null;
  return { hostIp: read.hostIp, published: read.published?.ports ?? [], target: read.target.ports };
}

function expandRange(text: string): number[] | null {
  const [fromText, toText] = text.split('-');
  const from = toPort(fromText);
  const to = toText === undefined ? from : toPort(toText);
  if (from === null || to === null || to < from) return null;
  const out: number[] = [];
  for (let p = from; p <= to && out.length < MAX_RANGE; p++) out.push(p);
  return out;
}

/** One service's reading context. */
interface Service {
  readonly name: string;
  readonly network: DeclarationNetwork;
  
}

/**
 * Docker Compose: each `ports:` mapping gives the host port as `publish` (with `host_ip`) and the
 * container port as `server` (with its protocol); `expose:` and a Traefik
 * `loadbalancer.server.port` label give `server`; `environment` ports and URLs as for .env (a bare
 * PORT belongs to the service: `server`); `command:`, `entrypoint:` and `healthcheck:` ports as for
 * a command line (a folded `command: >` places each port on its own line). Everything but the
 * published ports is the container's own network (`network: container`, with the service's
 * name): `127.0.0.1` there is the container's loopback. `${VAR:-default}` (nested too) is
 * substituted from the project's .env, as Compose does; a port behind a variable set nowhere is
 * unresolved. `network_mode: host` makes Docker ignore `ports:`: the container's ports are the
 * host's, so its mappings are declared as `server` only, with a warning. YAML merge keys
 * (`<<: *defaults`) are read through. `env_file:` entries are reported so that the scan treats
 * those files as the container's too.
 *
 * @example
 * parseCompose({ file: 'compose.yaml', text: 'services:\n  web:\n    ports: ["8080:3000"]\n', vars: new Map() })
 */
export function parseCompose(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'compose');
  const { docs, warnings } = parseYamlDocuments(input.text, input.file, lines);
  out.warnings.push(...warnings);
  const resolve = resolverOf(input.vars, input.origins);
  const containerEnvFiles: ContainerEnvFile[] = [];
  const dir = input.file.includes('/') ? input.file.slice(0, input.file.lastIndexOf('/') + 1) : '';
  const firstReading = readOnce();
  for (const doc of docs) {
    for (const [name, serviceNode] of mapEntries(mapGet(doc.contents, 'services'))) {
      const networkMode = mapGet(serviceNode, 'network_mode');
      const hostNetwork = scalarString(networkMode) === 'host';
      const service: Service = { name, network: hostNetwork ? 'host' : 'container' };
      const portsNode = mapGet(serviceNode, 'ports');
      if (hostNetwork && seqItems(portsNode).length > 0) {
        out.warn(lines.lineOf(offsetOf(networkMode)), `service ${name} uses network_mode: host, so Docker ignores its ports: mappings; it binds the host's ports directly`);
      }
      readPorts(out, portsNode, service, hostNetwork, resolve);
      for (const item of seqItems(mapGet(serviceNode, 'expose'))) {
        const line = lines.lineOf(offsetOf(item));
        const expansion = expand(scalarString(item) ?? '', 'compose', resolve, { file: input.file, line });
        const mapping = readShortMapping(expansion);
        if (mapping !== null) side(out, line, 'server', null, mapping.target, mapping.protocol, service);
      }
      const environment = mapGet(serviceNode, 'environment');
      if (firstReading(environment, 'environment', service)) readEnvironment(out, environment, service, resolve);
      const labels = mapGet(serviceNode, 'labels');
      if (firstReading(labels, 'labels', service)) readLabels(out, labels, service, resolve);
      for (const key of ['entrypoint', 'command']) {
        const command = mapGet(serviceNode, key);
        if (firstReading(command, key, service)) readCommand(out, input.text, command, service, resolve, false);
      }
      const test = mapGet(mapGet(serviceNode, 'healthcheck'), 'test');
      if (firstReading(test, 'healthcheck', service)) readCommand(out, input.text, test, service, resolve, true);
      const envFile = mapGet(serviceNode, 'env_file');
      for (const node of [envFile, ...seqItems(envFile)]) {
        const path = scalarString(node) ?? scalarString(mapGet(node, 'path'));
        if (path !== null) containerEnvFiles.push({ file: joinPath(dir, path), service: name });
      }
    }
  }
  // A setting shared through an anchor is declared once, at the line where it is written.
  const unique = onceEach(out.declarations, (a, b) => a.role === b.role && a.host === b.host && a.port === b.port && a.protocol === b.protocol);
  const unresolved = onceEach(out.unresolved, (a, b) => a.role === b.role && a.host === b.host && a.value === b.value);
  return { declarations: unique, warnings: out.warnings, unresolved, containerEnvFiles };
}

/**
 * Whether a service's block is read for the first time. A block that services take from an anchor
 * (`<<: *defaults`, `healthcheck: *check`) is one node, shared by every service that merges it:
 * sentry's self-hosted Compose file gives 37 services one healthcheck and 20 one environment.
 * Reading it again, for another service on the same kind of network, gives the same declarations
 * on the same lines, which {@link onceEach} drops (the first service's are kept): work for
 * nothing, and the most of the scan's time on such files. Blocks contain no warnings, so nothing
 * else is lost.
 */
function readOnce(): (node: YamlNode | undefined, what: string, service: Service) => boolean {
  const seen = new Map<YamlNode, Set<string>>();
  return (node, what, service) => {
    if (node === undefined) return false;
    const key = `${what} ${service.network}`;
    const readings = seen.get(node);
    if (readings === undefined) seen.set(node, new Set([key]));
    else if (readings.has(key)) return false;
    else readings.add(key);
    return true;
  };
}

/** The items without repeats: `same` items on one line count once (the first, in order). */
function onceEach<T extends { readonly line: number }>(items: readonly T[], same: (a: T, b: T) => boolean): T[] {
  const byLine = new Map<number, T[]>();
  const out: T[] = [];
  for (const item of items) {
    const onLine = byLine.get(item.line);
    if (onLine === undefined) byLine.set(item.line, [item]);
    else if (onLine.some((other) => same(other, item))) continue;
    else onLine.push(item);
    out.push(item);
  }
  return out;
}

/** `dir` + a relative path, with `./` and `../` resolved (paths stay relative to the scan root). */
function joinPath(dir: string, path: string): string {
  const parts = `${dir}${path}`.split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '.' || part === '') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

function side(out: Emitter, line: number, role: 'publish' | 'server', host: string | null, value: Side, protocol: DeclarationProtocol, service: Service): void {
  if (value === null) return;
  const network = role === 'publish' ? 'host' : service.network;
  if ('unknown' in value) out.unknown(line, role, host, value.unknown, unknownReason(value.unknown), { protocol, network, service: service.name });
  else for (const port of value.ports) out.port(line, role, host, port, { protocol, network, service: service.name, via: value.via });
}

function readPorts(out: Emitter, portsNode: YamlNode | undefined, service: Service, hostNetwork: boolean, resolve: Resolver): void {
  for (const item of seqItems(portsNode)) {
    const line = out.lines.lineOf(offsetOf(item));
    const at = { file: out.file, line };
    const short = scalarString(item);
    if (short !== null) {
      const mapping = readShortMapping(expand(short, 'compose', resolve, at));
      if (mapping === null) {
        out.warn(line, `service ${service.name}: cannot read the port mapping`);
        continue;
      }
      if (!hostNetwork) side(out, line, 'publish', mapping.hostIp, mapping.published, mapping.protocol, service);
      side(out, line, 'server', null, mapping.target, mapping.protocol, service);
      continue;
    }
    const targetNode = mapGet(item, 'target');
    const publishedNode = mapGet(item, 'published');
    const protocol = (scalarString(mapGet(item, 'protocol'))?.toLowerCase() ?? 'tcp') as DeclarationProtocol;
    const hostIpText = scalarString(mapGet(item, 'host_ip'));
    const hostIp = hostIpText === null ? null : normalizeHost(expand(hostIpText, 'compose', resolve, at).text);
    const target = longSide(out, targetNode, resolve);
    const published = longSide(out, publishedNode, resolve);
    if (target === 'invalid' || published === 'invalid' || target === null) {
      out.warn(line, `service ${service.name}: cannot read the port mapping`);
      continue;
    }
    if (!hostNetwork) side(out, out.lines.lineOf(offsetOf(publishedNode)), 'publish', hostIp, published, protocol, service);
    side(out, out.lines.lineOf(offsetOf(targetNode)), 'server', null, target, protocol, service);
  }
}

function longSide(out: Emitter, node: YamlNode | undefined, resolve: Resolver): Side | 'invalid' {
  const text = scalarString(node);
  if (text === null) return null;
  const expansion = expand(text, 'compose', resolve, { file: out.file, line: out.lines.lineOf(offsetOf(node)) });
  return readSide(expansion, { part: expansion.text, start: 0 });
}

/** `environment:` as a map (`PORT: 3000`) or a list (`- PORT=3000`): the container's variables. */
function readEnvironment(out: Emitter, node: YamlNode | undefined, service: Service, resolve: Resolver): void {
  const entries: { key: string; value: Expansion; line: number }[] = [];
  const add = (key: string, value: string, offset: number): void => {
    const line = out.lines.lineOf(offset);
    entries.push({ key, value: expand(value, 'compose', resolve, { file: out.file, line }), line });
  };
  for (const [key, value, offset] of mapEntries(node)) add(key, scalarString(value) ?? '', offset);
  for (const item of seqItems(node)) {
    const text = scalarString(item) ?? '';
    const eq = text.indexOf('=');
    if (eq > 0) add(text.slice(0, eq), text.slice(eq + 1), offsetOf(item));
  }
  const all = new Map(entries.map((e) => [e.key, e.value.text]));
  for (const e of entries) {
    for (const found of classifyEnvValue(e.key, e.value, (prefix) => hostFrom(all, prefix), 'server')) out.outcome(e.line, found.role, found.outcome, { network: service.network, service: service.name });
  }
}

/** Traefik's `traefik.http.services.<name>.loadbalancer.server.port=8000`: the port the service serves on. */
function readLabels(out: Emitter, node: YamlNode | undefined, service: Service, resolve: Resolver): void {
  const labels: { key: string; value: string; offset: number }[] = mapEntries(node).map(([key, value, offset]) => ({ key, value: scalarString(value) ?? '', offset }));
  for (const item of seqItems(node)) {
    const text = scalarString(item) ?? '';
    const eq = text.indexOf('=');
    if (eq > 0) labels.push({ key: text.slice(0, eq), value: text.slice(eq + 1), offset: offsetOf(item) });
  }
  for (const label of labels) {
    // Traefik, and caddy-gen's `virtual.port`.
    if (!/\.loadbalancer\.server\.port$|^virtual\.port$/.test(label.key)) continue;
    const line = out.lines.lineOf(label.offset);
    const expansion = expand(label.value, 'compose', resolve, { file: out.file, line });
    const port = toPort(expansion.text);
    if (port !== null) out.port(line, 'server', null, port, { network: service.network, service: service.name, via: sourceAt(expansion, 0, expansion.text.length) });
    else if (!expansion.complete) out.unknown(line, 'server', null, expansion.text, unknownReason(expansion.text), { network: service.network, service: service.name });
  }
}

/**
 * `command:`/`entrypoint:` as a string (one line, or a folded/literal block) or a list, and a
 * healthcheck `test:` (`["CMD", …]`, `["CMD-SHELL", "…"]` or a string). Each port is declared on
 * the line of the word it was read from.
 */
function readCommand(out: Emitter, source: string, node: YamlNode | undefined, service: Service, resolve: Resolver, healthcheck: boolean): void {
  const context = (line: number): CommandContext => ({ resolve, at: { file: out.file, line }, dialect: 'compose' });
  const extras = { network: service.network, service: service.name };
  const text = scalarString(node);
  if (text !== null) {
    // A block scalar spans lines: find each port's word in the node's own source text.
    const start = offsetOf(node);
    const body = source.slice(start, Math.max(endOf(node), start));
    const lineOf = (word: string): number => {
      const at = word === '' ? -1 : body.indexOf(word);
      return out.lines.lineOf(at === -1 ? start : start + at);
    };
    out.command(asClients(readCommandLine(text, context(out.lines.lineOf(start))), healthcheck), lineOf, extras);
    return;
  }
  const items = seqItems(node);
  if (items.length === 0) return;
  let words = items.map((n) => scalarString(n) ?? '');
  let offsets = items.map(offsetOf);
  if (healthcheck) {
    if (words[0] === 'CMD-SHELL' && words[1] !== undefined) {
      const line = out.lines.lineOf(offsets[1] ?? 0);
      out.command(asClients(readCommandLine(words[1], context(line)), true), () => line, extras);
      return;
    }
    if (words[0] !== 'CMD') return;
    words = words.slice(1);
    offsets = offsets.slice(1);
  }
  // The item the word came from (a word of `bash -c "…"` is inside one item).
  const lineOf = (word: string): number => {
    const index = words.indexOf(word);
    const at = index !== -1 ? index : words.findIndex((w) => w.includes(word));
    return out.lines.lineOf(offsets[at] ?? offsets[0] ?? 0);
  };
  out.command(asClients(readWords(words, context(lineOf(words[0] ?? ''))), healthcheck), lineOf, extras);
}

/** A healthcheck connects to its own container: whatever it names is a client. */
function asClients(reading: CommandReading, healthcheck: boolean): CommandReading {
  if (!healthcheck) return reading;
  return { ports: reading.ports.map((p) => ({ ...p, role: 'client' })), unknown: reading.unknown.map((u) => ({ ...u, role: 'client' })) };
}
