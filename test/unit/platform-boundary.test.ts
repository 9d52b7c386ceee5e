import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The seam of issue 9: only src/platform/ knows which OS it runs on. Everything else reads facts
 * and asks the platform for the OS's wording. Checked on the source text itself, so a shortcut
 * taken by a later change fails here rather than on a Mac nobody has.
 */
const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The code without its comments (a comment may explain Linux; code may not act on it). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

const outside = sources(SRC).filter((path) => !relative(SRC, path).startsWith('platform/'));

describe('the platform seam', () => {
  it('nothing outside src/platform/ imports an OS back-end’s internals', () => {
    const offenders = outside.filter((path) => /from\s+['"][^'"]*platform\/(linux|darwin|win32)\//.test(readFileSync(path, 'utf8')));
    expect(offenders.map((path) => relative(SRC, path))).toEqual([]);
  });

  it('nothing outside src/platform/ reads process.platform', () => {
    const offenders = outside.filter((path) => /process\.platform/.test(code(readFileSync(path, 'utf8'))));
    expect(offenders.map((path) => relative(SRC, path))).toEqual([]);
  });

  it('rules, the doctor, collectors and actions name no OS command or path in their code', () => {
    // The CLI's help texts and the `info` reference table (data/) speak to people about every OS on purpose.
    const checked = outside.filter((path) => /^(rules|doctor|collectors|actions|render|logs|causes)\//.test(relative(SRC, path)));
    const patterns = [/\biptables\b/, /\bnft\s/, /\bsystemctl\b/, /\bip (netns|link|addr|-6|-br|-j)\b/, /\bsysctl -w\b/, /\bsetcap\b/, /\bjournalctl\b/, /\/proc\//, /\/etc\/hosts\b/, /\bstrace\b/, /\bnsenter\b/, /\bnetsh\b/, /\blsof\b/, /\bifconfig\b/, /\bpfctl\b/, /\bkill -CONT\b/];
    const found: string[] = [];
    for (const path of checked) {
      const text = code(readFileSync(path, 'utf8'));
      for (const pattern of patterns) if (pattern.test(text)) found.push(`${relative(SRC, path)}: ${pattern}`);
    }
    expect(found).toEqual([]);
  });
});
