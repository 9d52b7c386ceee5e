import { createRequire } from 'node:module';
import { parseYamlFast } from './fast-yaml.js';
import type { LineIndex } from './text.js';
import type { ConfigWarning } from './types.js';

/** Where a node is in the source text: its first character and just past its value. */
interface Place {
  start: number;
  end: number;
  anchor?: string;
}

export interface YamlScalar extends Place {
  readonly kind: 'scalar';
  /** The text of the scalar (plain scalars are not typed: `8080` is "8080"); null for YAML's null. */
  readonly value: string | null;
}
export interface YamlMap extends Place {
  readonly kind: 'map';
  readonly items: { key: YamlNode; value: YamlNode | null }[];
  /** {@link mapEntries}' reading, kept on the node (read once per map). */
  entries: [string, YamlNode | null, number][] | undefined;
}
export interface YamlSeq extends Place {
  readonly kind: 'seq';
  readonly items: YamlNode[];
}
/** `*name`, with the node it stands for (the latest `&name` before it), or null. */
export interface YamlAlias extends Place {
  readonly kind: 'alias';
  readonly source: string;
  readonly target: YamlNode | null;
}
export type YamlNode = YamlScalar | YamlMap | YamlSeq | YamlAlias;

export interface YamlDocument {
  readonly contents: YamlNode | null;
}

/**
 * Parses every document of a YAML file (Spring profiles use `---`). Block-style YAML, which nearly
 * every Compose and Spring file is, goes through the fast reader; anything else through the `yaml`
 * package, loaded only then (it costs tens of milliseconds to load). Syntax errors become warnings
 * with their line; documents with errors are dropped rather than half-read. Merge keys
 * (`<<: *defaults`, which Compose files use to share settings) are kept as keys named `<<`, and the
 * helpers below read through them.
 */
export function parseYamlDocuments(text: string, file: string, lines: LineIndex): { docs: YamlDocument[]; warnings: ConfigWarning[] } {
  const fast = parseYamlFast(text);
  if (fast !== null) return { docs: fast, warnings: [] };
  const yaml = loadYaml();
  const warnings: ConfigWarning[] = [];
  const docs: YamlDocument[] = [];
  // uniqueKeys false: a duplicated key is common in hand-edited files and the last one wins.
  for (const doc of yaml.parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false, merge: true })) {
    if (!('errors' in doc)) continue;
    for (const error of doc.errors) {
      warnings.push({ file, line: lines.lineOf(error.pos[0]), message: `YAML syntax error: ${error.message.split('\n')[0] ?? ''}` });
    }
    if (doc.errors.length === 0) docs.push({ contents: fromLibrary(yaml, doc.contents, new Map()) });
  }
  return { docs, warnings };
}

type YamlLibrary = typeof import('yaml');
let library: YamlLibrary | undefined;

function loadYaml(): YamlLibrary {
  library ??= createRequire(import.meta.url)('yaml') as YamlLibrary;
  return library;
}

/** A `yaml` package node as a {@link YamlNode}; `anchors` are those seen so far, in document order. */
function fromLibrary(yaml: YamlLibrary, node: unknown, anchors: Map<string, YamlNode>, depth = 0): YamlNode | null {
  if (node === null || node === undefined || depth > 64) return null;
  const [start, end] = (node as { range?: [number, number, number] }).range ?? [0, 0, 0];
  let out: YamlNode | null = null;
  if (yaml.isScalar(node)) {
    const value = node.value;
    out = { kind: 'scalar', value: value === null || value === undefined ? null : typeof value === 'symbol' ? '<<' : String(value), start, end };
  } else if (yaml.isMap(node)) {
    const items: YamlMap['items'] = [];
    for (const pair of node.items) {
      const key = fromLibrary(yaml, pair.key, anchors, depth + 1);
      if (key !== null) items.push({ key, value: fromLibrary(yaml, pair.value, anchors, depth + 1) });
    }
    out = { kind: 'map', items, start, end, entries: undefined };
  } else if (yaml.isSeq(node)) {
    out = { kind: 'seq', items: node.items.map((item) => fromLibrary(yaml, item, anchors, depth + 1) ?? { kind: 'scalar', value: null, start, end }), start, end };
  } else if (yaml.isAlias(node)) {
    out = { kind: 'alias', source: node.source, target: anchors.get(node.source) ?? null, start, end };
  }
  const anchor = (node as { anchor?: unknown }).anchor;
  if (out !== null && typeof anchor === 'string') {
    out.anchor = anchor;
    anchors.set(anchor, out);
  }
  return out;
}

/** The node an alias (`*name`) stands for; other nodes as they are. */
export function deref(node: YamlNode | null | undefined): YamlNode | null {
  let current = node ?? null;
  // Bounded: an alias can only point at an earlier anchor, but a broken file must not loop.
  for (let i = 0; i < 16 && current?.kind === 'alias'; i++) current = current.target;
  return current;
}

const MERGE = '<<';

/**
 * A map's entries as [key text, value node, key node offset], with merged maps (`<<: *a`,
 * `<<: [*a, *b]`) read through: their keys come first and the map's own keys override them.
 */
export function mapEntries(node: YamlNode | null | undefined, depth = 0): [string, YamlNode | null, number][] {
  const map = deref(node);
  if (map?.kind !== 'map' || depth > 8) return [];
  // Read once per map: a service's keys are looked up a dozen times (mapGet).
  if (map.entries !== undefined) return map.entries;
  if (!map.items.some(({ key }) => key.kind === 'scalar' && key.value === MERGE)) {
    // No merge key (nearly every map): the map's own entries, in order.
    const plain: [string, YamlNode | null, number][] = [];
    for (const { key, value } of map.items) if (key.kind === 'scalar' && key.value !== null) plain.push([key.value, deref(value), key.start]);
    map.entries = plain;
    return plain;
  }
  const own: [string, YamlNode | null, number][] = [];
  const merged: [string, YamlNode | null, number][] = [];
  for (const { key, value } of map.items) {
    if (key.kind !== 'scalar' || key.value === null) continue;
    if (key.value === MERGE) {
      const source = deref(value);
      for (const item of source?.kind === 'seq' ? source.items : [source]) merged.push(...mapEntries(item, depth + 1));
    } else {
      own.push([key.value, deref(value), key.start]);
    }
  }
  const ownKeys = new Set(own.map(([key]) => key));
  const entries = [...merged.filter(([key]) => !ownKeys.has(key)), ...own];
  map.entries = entries;
  return entries;
}

/** The value of key `name` in a YAML map node (merge keys and aliases read through). */
export function mapGet(node: YamlNode | null | undefined, name: string): YamlNode | undefined {
  let found: YamlNode | undefined;
  for (const [key, value] of mapEntries(node)) if (key === name) found = value ?? undefined;
  return found;
}

export function seqItems(node: YamlNode | null | undefined): YamlNode[] {
  const seq = deref(node);
  return seq?.kind === 'seq' ? seq.items.map((item) => deref(item) ?? item) : [];
}

/** A scalar's value as text, or null. */
export function scalarString(node: YamlNode | null | undefined): string | null {
  const scalar = deref(node);
  return scalar?.kind === 'scalar' ? scalar.value : null;
}

/** Offset of a node's start (0 when there is no node). */
export function offsetOf(node: YamlNode | null | undefined): number {
  return node?.start ?? 0;
}

/** Offset just past a node's value (0 when there is no node). */
export function endOf(node: YamlNode | null | undefined): number {
  return node?.end ?? 0;
}
