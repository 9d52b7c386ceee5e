import { Emitter } from './emit.js';
import { expand, resolverOf, splitList, type Expansion, type Resolver } from './interpolate.js';
import { LineIndex, normalizeHost } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { addressOf, resolvePort } from './values.js';
import { deref, mapEntries, parseYamlDocuments, type YamlNode } from './yaml-doc.js';

/**
 * A YAML file whose name is not Spring's but whose content is Spring Boot configuration (a Spring
 * Cloud Config repository's `shared/account-service.yml`): a top-level `spring:`, `server:`,
 * `management:` or `eureka:` key.
 */
export function looksLikeSpring(text: string): boolean {
  return /^(spring|server|management|eureka):[ \t]*(#.*)?\r?$/m.test(text);
}

/** application.properties / application-dev.yml / bootstrap.yaml, anywhere (src/main/resources). */
export function isSpringFile(path: string): boolean {
  return /(^|\/)(application|bootstrap)(-[\w-]+)?\.(properties|ya?ml)$/.test(path);
}

interface Setting {
  readonly key: string;
  readonly value: string;
  readonly offset: number;
}

/** Spring placeholders: `${PORT:8080}` → 8080 (the text after the first `:` is the default; nested too). */
export function springDefault(value: string): string {
  return expand(value, 'spring').text;
}

/**
 * Reads a .properties file into key/value settings with offsets: `key=value`, `key: value`,
 * `key value`, `#`/`!` comments, `\` line continuations (the Java Properties format).
 */
export function readProperties(text: string): Setting[] {
  const settings: Setting[] = [];
  const rows = text.split('\n');
  let offset = 0;
  for (let i = 0; i < rows.length; i++) {
    const start = offset;
    let raw = (rows[i] ?? '').replace(/\r$/, '');
    offset += (rows[i] ?? '').length + 1;
    while (/(^|[^\\])(\\\\)*\\$/.test(raw) && i + 1 < rows.length) {
      i++;
      raw = raw.slice(0, -1) + (rows[i] ?? '').replace(/\r$/, '').trimStart();
      offset += (rows[i] ?? '').length + 1;
    }
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(trimmed);
    // Java's escapes: `http\://localhost\:8080` is `http://localhost:8080`.
    if (match) settings.push({ key: match[1] ?? '', value: (match[2] ?? '').trim().replace(/\\([:=#! ])/g, '$1'), offset: start });
  }
  return settings;
}

/** Flattens YAML maps to dotted keys (`server: {port: 8080}` → `server.port`), lists to `key[0]`. */
function flattenYaml(node: YamlNode | null, prefix: string, out: Setting[], depth = 0): void {
  const value = deref(node);
  if (depth > 16 || value === null) return;
  if (value.kind === 'seq') {
    value.items.forEach((item, i) => {
      const key = `${prefix}[${i}]`;
      const scalar = deref(item);
      if (scalar?.kind === 'scalar') out.push({ key, value: scalar.value ?? '', offset: item.start });
      else flattenYaml(item, key, out, depth + 1);
    });
    return;
  }
  for (const [name, child, offset] of mapEntries(value)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    if (child?.kind === 'scalar') out.push({ key, value: child.value ?? '', offset });
    else flattenYaml(child, key, out, depth + 1);
  }
}

/** Keys whose value is one or more addresses the application connects to. */
const CLIENT_KEY = /(^|[.-])(url|uri|urls|uris|address|addresses|base-url|endpoint|bootstrap-servers|defaultzone|default-zone|nodes|import)(\[\d+\])?$|[a-z](Url|Uri|Urls|Uris)(\[\d+\])?$/i;

/**
 * Spring Boot: `server.port`/`management.server.port` (host from `server.address`) → `server`;
 * `*.url`/`*.uri` addresses (`spring.datasource.url=jdbc:postgresql://localhost:5432/app`), Eureka's
 * `defaultZone`, Kafka's `bootstrap-servers`, Spring Cloud's
 * `spring.config.import: optional:configserver:http://localhost:8888/`, and `*.port` with a
 * sibling `*.host` (`spring.data.redis.port`) → `client`. Placeholders `${PORT:8080}` (nested too)
 * are resolved from the file's own properties and the project's .env, else their default; a
 * placeholder with neither is an unknown port.
 *
 * @example
 * parseSpring({ file: 'application.properties', text: 'server.port=${PORT:8081}\n', vars: new Map() })
 */
export function parseSpring(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'spring');
  const settings: Setting[] = [];
  if (input.file.endsWith('.properties')) {
    settings.push(...readProperties(input.text));
  } else {
    const parsed = parseYamlDocuments(input.text, input.file, lines);
    out.warnings.push(...parsed.warnings);
    for (const doc of parsed.docs) flattenYaml(doc.contents, '', settings);
  }
  const own = new Map(settings.map((s) => [s.key, s]));
  const env = resolverOf(input.vars, input.origins);
  const resolve: Resolver = (name) => {
    const setting = own.get(name);
    if (setting !== undefined && !setting.value.includes('${')) return { value: setting.value, source: { variable: name, from: 'assignment', file: input.file, line: lines.lineOf(setting.offset) } };
    return env(name);
  };
  const expandAt = (value: string, line: number): Expansion => expand(value, 'spring', resolve, { file: input.file, line });
  for (const s of settings) {
    const line = lines.lineOf(s.offset);
    const value = expandAt(s.value, line);
    if (s.key === 'server.port' || s.key === 'management.server.port') {
      const address = own.get(s.key.replace(/port$/, 'address'));
      const host = address === undefined ? null : normalizeHost(expandAt(address.value, line).text);
      const outcome = resolvePort(s.value, 'spring', resolve, { file: input.file, line });
      if (outcome !== null && outcome.ok && outcome.port > 0) out.port(line, 'server', host, outcome.port, { via: outcome.via });
      else if (value.text.trim() !== '0') {
        out.warn(line, `${s.key} is not a port number: ${s.value}`);
        if (outcome !== null && !outcome.ok) out.unknown(line, 'server', host, outcome.value, outcome.reason);
      }
    } else if (CLIENT_KEY.test(s.key)) {
      // A list of addresses (`defaultZone: http://a:8761/eureka/,http://b:8762/eureka/`) and
      // Spring Cloud's `optional:configserver:` prefix.
      for (const item of splitAddresses(value)) out.outcome(line, 'client', addressOf(item));
    } else if (s.key.endsWith('.port')) {
      const hostSetting = own.get(s.key.replace(/port$/, 'host'));
      const host = hostSetting === undefined ? null : normalizeHost(expandAt(hostSetting.value, line).text);
      const outcome = resolvePort(s.value, 'spring', resolve, { file: input.file, line });
      out.outcome(line, 'client', outcome, {}, 'spring', host);
    }
  }
  return out.result();
}

/** The addresses of a comma-separated value, each without Spring Cloud's `optional:`/`configserver:` prefixes. */
function splitAddresses(value: Expansion): Expansion[] {
  return splitList(value).map((item) => {
    const prefix = /^(optional:)?(configserver:|configtree:|file:|classpath:)?/.exec(item.text)?.[0] ?? '';
    return { text: item.text.slice(prefix.length), complete: item.complete, pieces: item.pieces.map((p) => ({ ...p, start: Math.max(0, p.start - prefix.length), end: Math.max(0, p.end - prefix.length) })) };
  });
}
