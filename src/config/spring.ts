import { isMap, isScalar } from 'yaml';
import { declare, LineIndex, parseAddress, toPort } from './text.js';
import type { Declaration, ParsedFile, ParserInput } from './types.js';
import { parseYamlDocuments } from './yaml-doc.js';

/** application.properties / application-dev.yml / bootstrap.yaml, anywhere (src/main/resources). */
export function isSpringFile(path: string): boolean {
  return /(^|\/)(application|bootstrap)(-[\w-]+)?\.(properties|ya?ml)$/.test(path);
}

interface Setting {
  readonly key: string;
  readonly value: string;
  readonly offset: number;
}

/** Spring placeholders: `${PORT:8080}` → 8080 (the text after the first `:` is the default). */
export function springDefault(value: string): string {
  return value.replace(/\$\{[^}:]+(?::([^}]*))?\}/g, (whole, fallback: string | undefined) => fallback ?? whole);
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
    if (match) settings.push({ key: match[1] ?? '', value: (match[2] ?? '').trim(), offset: start });
  }
  return settings;
}

/** Flattens YAML maps to dotted keys (`server: {port: 8080}` → `server.port`). */
function flattenYaml(node: unknown, prefix: string, out: Setting[], depth = 0): void {
  if (depth > 16 || !isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const key = prefix === '' ? String(pair.key.value) : `${prefix}.${String(pair.key.value)}`;
    if (isScalar(pair.value)) {
      out.push({ key, value: String(pair.value.value ?? ''), offset: pair.key.range?.[0] ?? 0 });
    } else {
      flattenYaml(pair.value, key, out, depth + 1);
    }
  }
}

/**
 * Spring Boot: `server.port`/`management.server.port` (host from `server.address`) → `server`;
 * `*.url`/`*.uri` addresses (`spring.datasource.url=jdbc:postgresql://localhost:5432/app`) and
 * `*.port` with a sibling `*.host` (`spring.data.redis.port`) → `client`.
 *
 * @example
 * parseSpring({ file: 'application.properties', text: 'server.port=${PORT:8081}\n', vars: new Map() })
 */
export function parseSpring(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const settings: Setting[] = [];
  const warnings = [];
  if (input.file.endsWith('.properties')) {
    settings.push(...readProperties(input.text));
  } else {
    const parsed = parseYamlDocuments(input.text, input.file, lines);
    warnings.push(...parsed.warnings);
    for (const doc of parsed.docs) flattenYaml(doc.contents, '', settings);
  }
  const values = new Map(settings.map((s) => [s.key, springDefault(s.value)]));
  const declarations: Declaration[] = [];
  for (const s of settings) {
    const value = springDefault(s.value);
    const line = lines.lineOf(s.offset);
    if (s.key === 'server.port' || s.key === 'management.server.port') {
      const port = toPort(value);
      const address = values.get(s.key.replace(/port$/, 'address')) ?? null;
      if (port !== null) declarations.push(declare(lines, input.file, line, 'spring', 'server', address, port));
      else if (port === null && value !== '0') warnings.push({ file: input.file, line, message: `${s.key} is not a port number: ${s.value}` });
    } else if (/\.(url|uri|urls|address|addresses)$/i.test(s.key)) {
      const address = parseAddress(value);
      if (address !== null) declarations.push(declare(lines, input.file, line, 'spring', 'client', address.host, address.port));
    } else if (s.key.endsWith('.port')) {
      const port = toPort(value);
      const host = values.get(s.key.replace(/port$/, 'host')) ?? null;
      if (port !== null) declarations.push(declare(lines, input.file, line, 'spring', 'client', host, port));
    }
  }
  return { declarations, warnings };
}
