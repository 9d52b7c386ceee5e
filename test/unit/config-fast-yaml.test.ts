import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseYamlFast } from '../../src/config/fast-yaml.js';
import type { YamlNode } from '../../src/config/yaml-doc.js';

/**
 * The fast YAML reader must give what the `yaml` package gives, or decline: never a different
 * reading, never an accepted file that `yaml` rejects. Compared through plain values where every
 * scalar is text (yaml's failsafe schema), null for YAML's nulls.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures');

function toPlain(node: YamlNode | null): unknown {
  if (node === null) return null;
  if (node.kind === 'alias') return toPlain(node.target);
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  return Object.fromEntries(node.items.map(({ key, value }) => [String(toPlain(key)), toPlain(value)]));
}

function normalize(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  const text = String(value);
  return ['', '~', 'null', 'Null', 'NULL'].includes(text) ? null : text;
}

/** yaml's reading, or undefined when yaml reports an error (an unknown alias it throws for). */
function reference(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { uniqueKeys: false, schema: 'failsafe' });
  if (docs.some((d) => d.errors.length > 0)) return undefined;
  try {
    return docs.map((d) => normalize(d.toJS({ maxAliasCount: -1 })));
  } catch {
    return undefined;
  }
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

describe('fast YAML reader', () => {
  it('reads every YAML fixture as yaml does, or declines (and never accepts what yaml rejects)', () => {
    const files = yamlFiles(FIXTURES);
    expect(files.length).toBeGreaterThan(50);
    let read = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const fast = parseYamlFast(text);
      const expected = reference(text);
      if (expected === undefined) {
        expect(fast, `${relative(FIXTURES, file)}: yaml rejects it`).toBeNull();
        continue;
      }
      if (fast === null) continue;
      read++;
      expect(fast.map((d) => normalize(toPlain(d.contents))), relative(FIXTURES, file)).toEqual(expected);
    }
    // Nearly all real Compose and Spring files are in the subset.
    expect(read / files.length).toBeGreaterThan(0.8);
  });

  it('agrees with yaml on anything yaml itself writes in block style (property)', () => {
    const key = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/);
    const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('8080:80', '${PORT:-3000}', 'http://localhost:4000/x', "it's", 'a: b', '#no', '- x', 'line\nbreak'));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    let runs = 0;
    let read = 0;
    fc.assert(fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 5 }), (object) => {
      const text = stringify(object);
      const fast = parseYamlFast(text);
      runs++;
      if (fast === null) return;
      read++;
      expect(fast.map((d) => normalize(toPlain(d.contents)))).toEqual(reference(text));
    }), { numRuns: 600 });
    // Not vacuous: about half of what yaml writes from these values is in the subset (0.50-0.62 of
    // 300 runs over 13 runs; random strings with line breaks and indicators are declined). The bound
    // sits far enough below that a random sample does not fail it, and still catches a reader that
    // declines everything.
    expect(read / runs).toBeGreaterThan(0.4);
  });

  it('reads anchors, merge keys, multi-line flow sequences, block scalars and documents', () => {
    const text = [
      'x-env: &env',
      '  LEVEL: info',
      'services:',
      '  web:',
      '    <<: *env',
      '    healthcheck:',
      '      test: [',
      '          "CMD-SHELL",',
      '          # a comment inside',
      "          'curl -f http://localhost:8000/'",
      '      ]',
      '    command: >-',
      '      gunicorn app:app',
      '      --bind 0.0.0.0:8000',
      '---',
      'second: document',
      '',
    ].join('\n');
    const docs = parseYamlFast(text);
    expect(docs?.map((d) => normalize(toPlain(d.contents)))).toEqual(reference(text));
    expect(docs).toHaveLength(2);
  });

  it('reads plain and quoted scalars over several lines, and a scalar below its key, as yaml folds them', () => {
    const text = [
      'services:',
      '  app:',
      '    tmpfs:',
      '      /tmp/pids/',
      '    command: gunicorn app:app',
      '      --bind 0.0.0.0:8000',
      '',
      '      --workers 2',
      '    healthcheck:',
      '      test:',
      '        - CMD-SHELL',
      '        - "bash -c \'exec 3<>/dev/tcp/127.0.0.1/8080; printf \\"GET',
      '          /management/health HTTP/1.0\\r\\n\\" >&3\'"',
      "    entrypoint: 'one",
      "      it''s'",
      '    labels: "a\\',
      '      b"',
      '',
    ].join('\n');
    const docs = parseYamlFast(text);
    expect(docs).not.toBeNull();
    expect(docs?.map((d) => normalize(toPlain(d.contents)))).toEqual(reference(text));
    expect(toPlain(docs?.[0]?.contents ?? null)).toMatchObject({ services: { app: { tmpfs: '/tmp/pids/', command: 'gunicorn app:app --bind 0.0.0.0:8000\n--workers 2', labels: 'ab' } } });
  });

  it('declines a flow mapping whose key is a collection (found by the property below: yaml reads `{[\n ]:}` as the key "[]")', () => {
    for (const text of ['k: {[\n ]:}\nz: 1\n', 'k: {[a]: 1}\n', 'k: {{x: 1}: 2}\n', 'a: &s [x]\nk: {*s : 1}\n']) {
      expect(parseYamlFast(text), text).toBeNull();
      expect(reference(text), text).toBeDefined();
    }
  });

  it('agrees with yaml on values written over several lines (plain, quoted, block, flow), or declines (property)', () => {
    const word = fc.stringMatching(/^[a-z0-9:#'"\\ ,[\]{}&*!|>%@-]{0,6}$/);
    const row = fc.record({ indent: fc.integer({ min: 0, max: 5 }), text: word });
    const style = fc.constantFrom('plain', 'double', 'single', 'below', '|', '>', '|-', '>+', '|2', '>1-', '[', '{');
    let valid = 0;
    let read = 0;
    fc.assert(fc.property(style, fc.integer({ min: 0, max: 2 }), word, fc.array(row, { maxLength: 4 }), (kind, keyIndent, head, rows) => {
      const quote = kind === 'double' ? '"' : kind === 'single' ? "'" : '';
      const close = kind === '[' ? ']' : kind === '{' ? '}' : quote;
      const pad = ' '.repeat(keyIndent);
      const body = rows.map((r) => `${' '.repeat(r.indent)}${r.text}`).join('\n');
      const first = kind === 'below' ? `${pad}k:\n${pad}  ${head}` : /^[|>]/.test(kind) ? `${pad}k: ${kind}${head.startsWith('#') ? ` ${head}` : ''}` : `${pad}k: ${kind === '[' || kind === '{' ? kind : quote}${head}`;
      const text = `${keyIndent > 0 ? 'top:\n' : ''}${first}${rows.length > 0 ? `\n${body}` : ''}${close}\n${pad}z: 1\n`;
      const fast = parseYamlFast(text);
      const expected = reference(text);
      if (expected === undefined) expect(fast, text).toBeNull();
      else valid++;
      if (expected !== undefined && fast !== null) {
        read++;
        expect(fast.map((d) => normalize(toPlain(d.contents))), text).toEqual(expected);
      }
    }), { numRuns: 3000 });
    // Not vacuous: most valid texts are read, not declined.
    expect(read / valid).toBeGreaterThan(0.5);
  });

  it('agrees with yaml on any soup of YAML-looking lines, or declines (property)', () => {
    const piece = fc.constantFrom('k:', 'k: v', 'p: 80:80', 'k: "q"', "k: 'q'", '- ', '- v', '- k: v', '-', '&a', 'k: &a', 'k: *a', '*a', '<<: *a', '- *a', 'k: |', 'k: >-', 'text', '"q', 'q"', 'k: [a,', 'b]', 'k: {x: 1}', '# c', '', '---', 'k: v # c', '? k', ': v', 'k:v', 'k: a: b', 'k: ${A:-1}');
    const line = fc.tuple(fc.integer({ min: 0, max: 6 }), piece).map(([indent, text]) => `${' '.repeat(indent)}${text}`);
    let valid = 0;
    let read = 0;
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
      const text = `${lines.join('\n')}\n`;
      const fast = parseYamlFast(text);
      const expected = reference(text);
      if (expected === undefined) {
        expect(fast, text).toBeNull();
        return;
      }
      valid++;
      if (fast === null) return;
      read++;
      expect(fast.map((d) => normalize(toPlain(d.contents))), text).toEqual(expected);
    }), { numRuns: 3000 });
    expect(read / valid).toBeGreaterThan(0.3);
  });

  it.each([
    ['a tag', 'a: !!str 1\n'],
    ['a complex key', '? a\n: b\n'],
    ['a continuation line that reads as a key', 'a: one\n  two: three\n'],
    ['an escaped space before a line break', 'a: "one\\ \n  two"\n'],
    ['a tab in the indentation', 'a:\n\tb: 1\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['an alias before its anchor', 'a: *x\nb: &x 1\n'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a mapping value inside a plain scalar', 'a: b: c\n'],
  ])('declines %s (yaml decides)', (_what, text) => {
    expect(parseYamlFast(text)).toBeNull();
  });
});
