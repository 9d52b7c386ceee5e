import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { scanConfig } from '../../src/config/scan.js';
import type { ConfigScan } from '../../src/config/types.js';

/** test/fixtures/config-corpus: real projects' configuration files with hand-written expectations. */
export const CORPUS = join(import.meta.dirname, '../fixtures/config-corpus');

/**
 * One expected declaration, as written in a project's expected.txt:
 * `<file>:<line> <role> <host or -> <port or ?>[/udp]  # optional comment`.
 */
export interface Expected {
  readonly key: string;
  readonly source: string;
}

/** `file:line role host port[/protocol]`, the same shape for a found and an expected declaration. */
export function keyOf(d: { file: string; line: number; role: string; host: string | null; port: number | null; protocol: string }): string {
  return `${d.file}:${d.line} ${d.role} ${d.host ?? '-'} ${d.port ?? '?'}${d.protocol === 'tcp' ? '' : `/${d.protocol}`}`;
}

export function readExpected(project: string): Expected[] {
  const text = readFileSync(join(CORPUS, project, 'expected.txt'), 'utf8');
  const out: Expected[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const match = /^(\S+):(\d+)\s+(server|client|publish|unknown)\s+(\S+)\s+(\d+|\?)(\/(?:tcp|udp|sctp))?$/.exec(line);
    if (!match) throw new Error(`${project}/expected.txt:${i + 1}: not "file:line role host port": ${raw}`);
    const [, file, lineNo, role, host, port, protocol] = match;
    out.push({ key: `${file}:${lineNo} ${role} ${host} ${port}${protocol === undefined || protocol === '/tcp' ? '' : protocol}`, source: `${project}/expected.txt:${i + 1}` });
  }
  return out;
}

export function corpusProjects(): string[] {
  return readdirSync(CORPUS, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(CORPUS, e.name, 'expected.txt')))
    .map((e) => e.name)
    .sort();
}

export interface ProjectResult {
  readonly project: string;
  readonly expected: number;
  readonly found: number;
  readonly matched: number;
  /** Expected but not found. */
  readonly missed: string[];
  /** Found but not expected. */
  readonly invented: string[];
  readonly scan: ConfigScan;
}

/** Scans a corpus project's files/ and compares what it finds with expected.txt (as multisets). */
export async function runProject(project: string): Promise<ProjectResult> {
  const scan = await scanConfig(join(CORPUS, project, 'files'));
  const found = [...scan.declarations.map(keyOf), ...scan.unresolved.map(keyOf)];
  const expected = readExpected(project).map((e) => e.key);
  const remaining = new Map<string, number>();
  for (const key of found) remaining.set(key, (remaining.get(key) ?? 0) + 1);
  const missed: string[] = [];
  let matched = 0;
  for (const key of expected) {
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      matched++;
    } else missed.push(key);
  }
  const invented = [...remaining].flatMap(([key, n]) => Array<string>(n).fill(key));
  return { project, expected: expected.length, found: found.length, matched, missed, invented, scan };
}
