import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { LineIndex } from './text.js';
import type { ConfigWarning } from './types.js';

/**
 * Parses every document of a YAML file (Spring profiles use `---`). Syntax errors become
 * warnings with their line; documents with errors are dropped rather than half-read.
 */
export function parseYamlDocuments(text: string, file: string, lines: LineIndex): { docs: Document.Parsed[]; warnings: ConfigWarning[] } {
  const warnings: ConfigWarning[] = [];
  const docs: Document.Parsed[] = [];
  // uniqueKeys false: a duplicated key is common in hand-edited files and the last one wins.
  for (const doc of parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false })) {
    if (!('errors' in doc)) continue;
    for (const error of doc.errors) {
      warnings.push({ file, line: lines.lineOf(error.pos[0]), message: `YAML syntax error: ${error.message.split('\n')[0] ?? ''}` });
    }
    if (doc.errors.length === 0) docs.push(doc);
  }
  return { docs, warnings };
}

/** The value of key `name` in a YAML map node. */
export function mapGet(node: unknown, name: string): YamlNode | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    if (isScalar(pair.key) && String(pair.key.value) === name) return (pair.value ?? undefined) as YamlNode | undefined;
  }
  return undefined;
}

/** A map's entries as [key text, value node, key node offset]. */
export function mapEntries(node: unknown): [string, YamlNode | null, number][] {
  if (!isMap(node)) return [];
  const out: [string, YamlNode | null, number][] = [];
  for (const pair of node.items) {
    if (isScalar(pair.key)) out.push([String(pair.key.value), (pair.value ?? null) as YamlNode | null, pair.key.range?.[0] ?? 0]);
  }
  return out;
}

export function seqItems(node: unknown): YamlNode[] {
  return isSeq(node) ? (node.items as YamlNode[]) : [];
}

/** A scalar's value as text (numbers too), or null. */
export function scalarString(node: unknown): string | null {
  if (!isScalar(node) || node.value === null || node.value === undefined) return null;
  return String(node.value);
}

/** Offset of a node's start (0 when the node has no range). */
export function offsetOf(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}
