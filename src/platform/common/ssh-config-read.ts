/**
 * Reads the user's ssh client configuration through a back-end's reader, following `Include` the
 * way ssh does (readconf.c, oInclude): each argument is a path; `~/` is the home directory; a
 * relative path lives in `~/.ssh`; the path is a glob(3) pattern whose matches are read in sorted
 * order; a pattern that matches nothing, or a file that does not exist, is not an error; includes
 * nest at most 16 deep. `%` tokens and `${VAR}` in an Include depend on the host being connected
 * to, or on ssh's own environment: such an argument is reported as not expanded, never guessed.
 *
 * The snapshot keys: `ssh-config` (the main file), `ssh-config:<path>` (an included file),
 * `ssh-config-dir:<dir>` (a directory listed to expand a glob).
 */
import type { PlatformPath } from 'node:path';
import type { Snapshot } from '../snapshot/format.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { SshClientConfigRead, SshConfigFile, SshIncludeExpansion } from '../types.js';
import { parseSshConfig } from './ssh-config.js';

/** ssh's READCONF_MAX_DEPTH. */
const MAX_DEPTH = 16;
/** Files read at most: a glob over a big directory must not turn the doctor into a crawler. */
const MAX_FILES = 128;

/** The snapshot key of a configuration file. */
export const sshConfigKey = (path: string, main: boolean): string => (main ? 'ssh-config' : `ssh-config:${path}`);

/** A glob(3) pattern segment as a regular expression: `*`, `?`, `[…]` / `[!…]`; a leading dot is matched only by a dot. */
function segmentPattern(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close === -1) source += '\\[';
      else {
        const body = segment.slice(i + 1, close);
        source += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`.replace(/\\/g, '\\\\');
        i = close;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

const hasMagic = (segment: string): boolean => /[*?[]/.test(segment);

/** Expands a glob pattern by listing directories through the reader; sorted, as glob(3) returns them. */
async function expandGlob(reader: SourceReader, pattern: string, paths: PlatformPath): Promise<string[]> {
  const root = paths.parse(pattern).root;
  const segments = pattern.slice(root.length).split(/[\\/]/).filter((s) => s !== '');
  if (!segments.some(hasMagic)) return [pattern];
  let candidates = [root];
  for (const segment of segments) {
    if (!hasMagic(segment)) {
      candidates = candidates.map((dir) => paths.join(dir, segment));
      continue;
    }
    const regex = segmentPattern(segment);
    const next: string[] = [];
    for (const dir of candidates) {
      const listing = await reader.dir(`ssh-config-dir:${dir}`, dir);
      if (!listing.ok) continue; // not a directory, or unreadable: glob(3) skips it too
      for (const entry of listing.entries) if ((!entry.startsWith('.') || segment.startsWith('.')) && regex.test(entry)) next.push(paths.join(dir, entry));
    }
    candidates = next;
    if (candidates.length > MAX_FILES) break;
  }
  return candidates.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_FILES);
}

/** Where an Include argument points, as ssh anchors it; or why it cannot be said without guessing. */
function anchor(argument: string, home: string, paths: PlatformPath): { path: string } | { reason: string } {
  if (argument.includes('${')) return { reason: 'it names an environment variable, which ssh expands from its own environment' };
  if (/%[^%]/.test(argument.replaceAll('%%', ''))) return { reason: 'it holds % tokens, which depend on the host ssh connects to' };
  const text = argument.replaceAll('%%', '%');
  if (text === '~' || text.startsWith('~/') || text.startsWith('~\\')) return { path: paths.join(home, text.slice(1)) };
  if (text.startsWith('~')) return { reason: "it names another user's home directory" };
  return { path: paths.isAbsolute(text) ? text : paths.join(home, '.ssh', text) };
}

/**
 * Reads `main` and every file it includes (breadth-first, each once), through `reader`.
 *
 * @example
 * const config = await readSshConfigThrough(liveReader(), '/home/ann/.ssh/config', '/home/ann', posix);
 * config.ok && config.files.map((f) => f.path); // ['/home/ann/.ssh/config', '/home/ann/.ssh/config.d/work']
 */
export async function readSshConfigThrough(reader: SourceReader, main: string, home: string, paths: PlatformPath): Promise<SshClientConfigRead> {
  const files = new Map<string, SshConfigFile>();
  const includes: SshIncludeExpansion[] = [];
  let queue: { path: string; depth: number }[] = [{ path: main, depth: 0 }];
  while (queue.length > 0) {
    const next: { path: string; depth: number }[] = [];
    for (const { path, depth } of queue) {
      if (files.has(path) || files.size >= MAX_FILES) continue;
      const read = await reader.file(sshConfigKey(path, path === main), path);
      const file: SshConfigFile = { path, read: read.ok ? { ok: true, lines: parseSshConfig(read.text) } : { ok: false, code: read.code } };
      files.set(path, file);
      if (!file.read.ok || depth >= MAX_DEPTH) continue;
      for (const line of file.read.lines) {
        if (!('keyword' in line) || line.keyword !== 'include') continue;
        for (const pattern of line.args) {
          const anchored = anchor(pattern, home, paths);
          if ('reason' in anchored) {
            includes.push({ file: path, line: line.line, pattern, path: null, matched: { ok: false, reason: anchored.reason } });
            continue;
          }
          const matched = await expandGlob(reader, anchored.path, paths);
          includes.push({ file: path, line: line.line, pattern, path: anchored.path, matched: { ok: true, files: matched } });
          for (const m of matched) next.push({ path: m, depth: depth + 1 });
        }
      }
    }
    queue = next;
  }
  return { ok: true, main, files: [...files.values()], includes };
}

/**
 * The user's ssh client configuration: live, `<home>/.ssh/config` (ssh itself takes the home
 * directory from the password database; Node's homedir() from HOME, or USERPROFILE on Windows,
 * which is the same unless someone changed HOME); replayed, the file the snapshot recorded under
 * `ssh-config`, with the home directory it lies in.
 *
 * @example
 * await readUserSshConfig(liveReader(), null, homedir(), posix);
 */
export async function readUserSshConfig(reader: SourceReader, snapshot: Pick<Snapshot, 'sources'> | null, home: string, paths: PlatformPath): Promise<SshClientConfigRead> {
  if (snapshot === null) return readSshConfigThrough(reader, paths.join(home, '.ssh', 'config'), home, paths);
  const recorded = snapshot.sources[sshConfigKey('', true)];
  if (recorded === undefined || !('file' in recorded)) return { ok: false, main: null, reason: 'the snapshot does not hold the ssh client configuration (a portdoctor older than this one recorded it)' };
  return readSshConfigThrough(reader, recorded.file, paths.dirname(paths.dirname(recorded.file)), paths);
}
