import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DARWIN_COMMANDS, DARWIN_FILES } from '../../src/platform/darwin/sources.js';

/**
 * The snapshot keys and their exact commands are a public contract: the README's table must say
 * what the back-end runs, key by key.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

function documented(): Map<string, string> {
  const start = README.indexOf('### macOS snapshot sources');
  // The section ends at the next heading (the Windows section follows it).
  const body = README.indexOf('\n', start) + 1;
  const next = README.slice(body).search(/^#{2,3} /m);
  const section = README.slice(start, next === -1 ? undefined : body + next);
  const rows = new Map<string, string>();
  for (const match of section.matchAll(/^\| `([\w-]+)` \| (?:the file )?`([^`]+)`/gm)) rows.set(match[1] ?? '', match[2] ?? '');
  return rows;
}

/** As a person types it: an argument with spaces or braces in single quotes. */
const typed = (command: string, args: readonly string[]): string => [command, ...args].map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : `'${part}'`)).join(' ');

describe('macOS snapshot sources in the README', () => {
  it('every key with the exact command or file the back-end reads, and nothing else', () => {
    const expected = new Map<string, string>([
      ...Object.values(DARWIN_COMMANDS).map((spec): [string, string] => [spec.key, typed(spec.command, spec.args)]),
      ...Object.values(DARWIN_FILES).map((file): [string, string] => [file.key, file.path]),
    ]);
    expect(documented()).toEqual(expected);
  });
});
