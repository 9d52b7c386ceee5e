import { opendir } from 'node:fs/promises';
import { join } from 'node:path';

/** Directories that hold dependencies, VCS data or build output: never project configuration. */
const SKIPPED_DIRS = new Set([
  'node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'out', '.next', '.nuxt', '.svelte-kit', '.turbo',
  '.cache', '.parcel-cache', '.angular', 'coverage', 'target', 'vendor', '.venv', 'venv', '__pycache__',
  '.tox', '.mypy_cache', '.pytest_cache', '.gradle', '.idea', 'tmp', '.terraform', 'bower_components',
]);

export interface WalkOptions {
  /** Stop after visiting this many directory entries. */
  readonly maxEntries: number;
  /** Do not descend deeper than this (the root is depth 0). */
  readonly maxDepth: number;
}

export interface WalkResult {
  /** Paths relative to the root, `/`-separated, in a stable (sorted) order. */
  readonly files: string[];
  readonly truncated: boolean;
}

/**
 * A bounded breadth-first walk. Breadth-first so that when the budget runs out we have seen the
 * top of the project (where configuration lives) rather than the bottom of one deep folder.
 * Symbolic links are not followed (they can loop, and can leave the project).
 *
 * @example
 * const { files, truncated } = await walkProject('/srv/app', { maxEntries: 5000, maxDepth: 8 });
 */
export async function walkProject(root: string, options: WalkOptions): Promise<WalkResult> {
  const files: string[] = [];
  let queue: string[] = [''];
  let visited = 0;
  for (let depth = 0; depth <= options.maxDepth && queue.length > 0; depth++) {
    const next: string[] = [];
    for (const rel of queue) {
      let dir;
      try {
        dir = await opendir(rel === '' ? root : join(root, rel));
      } catch {
        // Unreadable or vanished directory: skip it, the rest of the project still counts.
        continue;
      }
      const entries: { name: string; isDir: boolean }[] = [];
      for await (const entry of dir) {
        if (++visited > options.maxEntries) {
          return { files: files.sort(), truncated: true };
        }
        if (entry.isDirectory()) entries.push({ name: entry.name, isDir: true });
        else if (entry.isFile()) entries.push({ name: entry.name, isDir: false });
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (!entry.isDir) files.push(path);
        else if (!SKIPPED_DIRS.has(entry.name)) next.push(path);
      }
    }
    queue = next;
  }
  return { files: files.sort(), truncated: queue.length > 0 };
}
