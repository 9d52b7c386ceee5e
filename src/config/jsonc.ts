import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { LineIndex } from './text.js';
import type { ConfigWarning } from './types.js';

/**
 * Parses JSON with comments and trailing commas (package.json, launch.json, angular.json are
 * often edited by hand). jsonc-parser is error-tolerant: it returns the tree it could build plus
 * errors, which become warnings with their line.
 */
export function parseJsonc(text: string, file: string, lines: LineIndex): { root: Node | undefined; warnings: ConfigWarning[] } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const warnings = errors.map((e) => ({ file, line: lines.lineOf(e.offset), message: `JSON syntax error: ${printParseErrorCode(e.error)}` }));
  return { root, warnings };
}

/** The value node of property `name` of an object node. */
export function property(node: Node | undefined, name: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  for (const child of node.children ?? []) {
    if (child.children?.[0]?.value === name) return child.children[1];
  }
  return undefined;
}

/** An object's properties as [name, value node] pairs. */
export function properties(node: Node | undefined): [string, Node][] {
  if (node?.type !== 'object') return [];
  const out: [string, Node][] = [];
  for (const child of node.children ?? []) {
    const key = child.children?.[0];
    const value = child.children?.[1];
    if (typeof key?.value === 'string' && value !== undefined) out.push([key.value, value]);
  }
  return out;
}

/** A string or number node's value as text; null for other nodes. */
export function scalarText(node: Node | undefined): string | null {
  if (node?.type === 'string') return String(node.value);
  if (node?.type === 'number') return String(node.value);
  if (node?.type === 'boolean') return String(node.value);
  return null;
}
