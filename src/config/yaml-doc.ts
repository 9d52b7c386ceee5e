import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import type { LineIndex } from './text.js';
import type { ConfigWarning } from './types.js';

/**
 * Parses every document of a YAML file (Spring profiles use `---`). Syntax errors become
 * warnings with their line; documents with errors are dropped rather than half-read. Merge keys
 * (`<<: *defaults`, which Compose files use to share settings) are kept as such, and the helpers
 * below read through them.
 */
export function parseYamlDocuments(text: string, file: string, lines: LineIndex): { docs: Document.Parsed[]; warnings: ConfigWarning[] } {
  const warnings: ConfigWarning[] = [];
  const docs: Document.Parsed[] = [];
  // uniqueKeys false: a duplicated key is common in hand-edited files and the last one wins.
  for (const doc of parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, merge: true })) {
    if (!('errors' in doc)) continue;
    for (const error of doc.errors) {
      warnings.push({ file, line: lines.lineOf(error.pos[0]), message: `YAML syntax error: ${error.message.split('\n')[0] ?? ''}` });
    }
    if (doc.errors.length === 0) docs.push(doc);
  }
  return { docs, warnings };
}

/** The node an alias (`*name`) stands for, within its document; other nodes as they are. */
export function deref(node: unknown, doc?: Document.Parsed): unknown {
  let current = node;
  // Bounded: an alias can only point at an earlier anchor, but a broken file must not loop.
  for (let i = 0; i < 16 && isAlias(current) && doc !== undefined; i++) current = current.resolve(doc);
  return current;
}

const MERGE = '<<';

function keyText(key: unknown): string | null {
  if (!isScalar(key)) return null;
  return typeof key.value === 'symbol' ? MERGE : String(key.value);
}

/**
 * A map's entries as [key text, value node, key node offset], with merged maps (`<<: *a`,
 * `<<: [*a, *b]`) read through: their keys come first and the map's own keys override them.
 */
export function mapEntries(node: unknown, doc?: Document.Parsed, depth = 0): [string, YamlNode | null, number][] {
  const map = deref(node, doc);
  if (!isMap(map) || depth > 8) return [];
  const own: [string, YamlNode | null, number][] = [];
  const merged: [string, YamlNode | null, number][] = [];
  for (const pair of map.items) {
    const key = keyText(pair.key);
    if (key === null) continue;
    if (key === MERGE) {
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) merged.push(...mapEntries(source, doc, depth + 1));
    } else {
      own.push([key, (deref(pair.value, doc) ?? null) as YamlNode | null, (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0]);
    }
  }
  const ownKeys = new Set(own.map(([key]) => key));
  return [...merged.filter(([key]) => !ownKeys.has(key)), ...own];
}

/** The value of key `name` in a YAML map node (merge keys and aliases read through). */
export function mapGet(node: unknown, name: string, doc?: Document.Parsed): YamlNode | undefined {
  let found: YamlNode | undefined;
  for (const [key, value] of mapEntries(node, doc)) if (key === name) found = value ?? undefined;
  return found;
}

export function seqItems(node: unknown, doc?: Document.Parsed): YamlNode[] {
  const seq = deref(node, doc);
  return isSeq(seq) ? (seq.items as YamlNode[]).map((item) => deref(item, doc) as YamlNode) : [];
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

/** Offset just past a node's value (0 when the node has no range). */
export function endOf(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[1] ?? 0;
}
