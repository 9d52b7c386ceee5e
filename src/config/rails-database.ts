import { Emitter } from './emit.js';
import { resolverOf, rubyValue } from './interpolate.js';
import { LineIndex, normalizeHost, toPort } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';
import { resolveAddress } from './values.js';
import { mapEntries, offsetOf, parseYamlDocuments, scalarString } from './yaml-doc.js';

/** Rails' config/database.yml (and the .sample/.example copies projects commit). */
export function isRailsDatabaseFile(path: string): boolean {
  return /(^|\/)config\/database\.yml(\.(sample|example|dist))?$/.test(path);
}

/**
 * Replaces each ERB output tag (`<%= ENV.fetch("DB_PORT") { "5432" } %>`) with the value it states:
 * the environment variable from the project's .env, else the literal default. A tag whose value
 * cannot be known becomes `${…}` so that a port there reads as unknown. Lengths change, so the
 * tags are replaced line by line and YAML positions still give the right line numbers.
 */
function renderErb(text: string, input: ParserInput): string {
  const resolve = resolverOf(input.vars, input.origins);
  return text
    .split('\n')
    .map((line, i) => line.replace(/<%=?\s*([\s\S]*?)\s*-?%>/g, (_whole, code: string) => rubyValue(code, resolve, { file: input.file, line: i + 1 })?.value ?? `\${${code.replace(/[{}]/g, '')}}`))
    .join('\n');
}

/**
 * Rails database.yml: each environment's `host` + `port` (`port: <%= ENV.fetch("DB_PORT") { "5432" } %>`)
 * and `url` are the database the application connects to (`client`). ERB tags are read as Ruby
 * expressions with defaults; YAML anchors (`<<: *default`) are read through, and a setting shared by
 * several environments is declared once, at the line where it is written.
 *
 * @example
 * parseRailsDatabase({ file: 'config/database.yml', text: 'development:\n  host: localhost\n  port: 5433\n', vars: new Map() })
 */
export function parseRailsDatabase(input: ParserInput): ParsedFile {
  const lines = new LineIndex(input.text);
  const out = new Emitter(lines, input.file, 'rails');
  const rendered = renderErb(input.text, input);
  const { docs, warnings } = parseYamlDocuments(rendered, input.file, new LineIndex(rendered));
  out.warnings.push(...warnings);
  const seen = new Set<number>();
  const renderedLines = new LineIndex(rendered);
  for (const doc of docs) {
    for (const [, environment] of mapEntries(doc.contents)) {
      // Multiple databases per environment (`primary:`, `cache:`) nest one level deeper.
      const configs = mapEntries(environment).some(([key]) => key === 'adapter' || key === 'host' || key === 'port' || key === 'url') ? [environment] : mapEntries(environment).map(([, value]) => value);
      for (const config of configs) {
        const settings = new Map(mapEntries(config).map(([key, value]) => [key, value]));
        const portNode = settings.get('port');
        const hostText = scalarString(settings.get('host'));
        const portText = scalarString(portNode);
        const line = renderedLines.lineOf(offsetOf(portNode));
        if (portNode !== undefined && portText !== null && !seen.has(line)) {
          seen.add(line);
          const port = toPort(portText);
          const host = hostText === null || hostText.includes('${') ? null : normalizeHost(hostText);
          if (port !== null) out.port(line, 'client', host, port);
          else if (portText.includes('${')) out.unknown(line, 'client', host, portText, `${portText.slice(2, -1)} is not set in the project's files and has no default`);
        }
        const urlNode = settings.get('url');
        const urlText = scalarString(urlNode);
        const urlLine = renderedLines.lineOf(offsetOf(urlNode));
        if (urlNode !== undefined && urlText !== null && !seen.has(urlLine)) {
          seen.add(urlLine);
          out.outcome(urlLine, 'client', resolveAddress(urlText, 'shell', () => undefined, { file: input.file, line: urlLine }));
        }
      }
    }
  }
  return out.result();
}
