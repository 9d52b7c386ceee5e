import { readFileSync } from 'node:fs';

/** A recorded (or, where SOURCES.md says so, derived) macOS tool output from test/fixtures/darwin. */
export function darwinFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/darwin/${name}`, import.meta.url), 'utf8');
}

/**
 * The `-F0` form of NL-terminated `lsof -F` output, as lsof(8) describes it ("OUTPUT FOR OTHER
 * PROGRAMS", lsof-76): every field ends with NUL instead of NL, and each process set and each file
 * set ends with a NL. A set starts at a `p` (process) or `f` (file) field.
 */
export function toNulTerminated(fieldsText: string): string {
  const fields = fieldsText.split('\n').filter((f) => f !== '');
  let out = '';
  fields.forEach((field, i) => {
    out += `${field}\0`;
    const next = fields[i + 1];
    if (next === undefined || next.startsWith('p') || next.startsWith('f')) out += '\n';
  });
  return out;
}
