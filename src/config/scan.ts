import { open, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isAngularFile, parseAngular } from './angular.js';
import { isComposeFile, parseCompose } from './compose.js';
import { envVariables, isEnvFile, parseEnvFile } from './env.js';
import { isNextConfig, isSetupProxy, isViteConfig, isWebpackConfig, parseJsConfig } from './js-config.js';
import { isLaunchJson, parseLaunchJson } from './launch-json.js';
import { isNginxFile, parseNginx } from './nginx.js';
import { isPackageJson, parsePackageJson } from './package-json.js';
import { isProcfile, parseProcfile } from './procfile.js';
import { isPythonFile, parsePython } from './python.js';
import { isRailsFile, parseRails } from './rails.js';
import { isScriptFile, parseScript } from './scripts.js';
import { isSpringFile, parseSpring } from './spring.js';
import type { ConfigScan, ConfigWarning, Declaration, ParsedFile, ParserInput, Variables } from './types.js';
import { walkProject } from './walk.js';

export interface ScanOptions {
  /** Stop walking after this many directory entries (default 5000). */
  readonly maxEntries?: number;
  /** Parse at most this many files (default 300). */
  readonly maxFiles?: number;
  /** Skip files larger than this (default 1 MiB). */
  readonly maxFileBytes?: number;
  /** Do not descend deeper than this (default 8). */
  readonly maxDepth?: number;
}

interface FormatEntry {
  readonly matches: (path: string) => boolean;
  readonly parse: (input: ParserInput) => ParsedFile;
}

/** The first entry whose `matches` accepts a path parses it. Order matters only for overlaps. */
const FORMATS: readonly FormatEntry[] = [
  { matches: isEnvFile, parse: parseEnvFile },
  { matches: isPackageJson, parse: parsePackageJson },
  { matches: isComposeFile, parse: parseCompose },
  { matches: isViteConfig, parse: (input) => parseJsConfig(input, 'vite') },
  { matches: isNextConfig, parse: (input) => parseJsConfig(input, 'next') },
  { matches: isWebpackConfig, parse: (input) => parseJsConfig(input, 'webpack') },
  { matches: isSetupProxy, parse: (input) => parseJsConfig(input, 'other') },
  { matches: isAngularFile, parse: parseAngular },
  { matches: isNginxFile, parse: parseNginx },
  { matches: isProcfile, parse: parseProcfile },
  { matches: isSpringFile, parse: parseSpring },
  { matches: isRailsFile, parse: parseRails },
  { matches: isPythonFile, parse: parsePython },
  { matches: isLaunchJson, parse: parseLaunchJson },
  { matches: isScriptFile, parse: parseScript },
];

/** The parser for a path relative to the project root, or undefined when it is not configuration. */
export function formatOf(path: string): FormatEntry | undefined {
  return FORMATS.find((f) => f.matches(path));
}

/** .env files in the order their tools load them (later wins). */
const ENV_ORDER = ['.env', '.env.development', '.env.local', '.env.development.local'];

/**
 * Scans a project directory for the ports and hosts its configuration declares. Never executes
 * project code, never throws for a bad file (it becomes a warning), and is bounded: dependency
 * and build directories are skipped, as are files over 1 MiB and binary files, and the walk stops
 * at a file budget (then `truncated` is true).
 *
 * @example
 * const scan = await scanConfig('.');
 * for (const d of scan.declarations) console.log(`${d.file}:${d.line} ${d.role} ${d.port}`);
 */
export async function scanConfig(dir: string, options: ScanOptions = {}): Promise<ConfigScan> {
  const root = resolve(dir);
  const maxFiles = options.maxFiles ?? 300;
  const maxBytes = options.maxFileBytes ?? 1024 * 1024;
  const walk = await walkProject(root, { maxEntries: options.maxEntries ?? 5000, maxDepth: options.maxDepth ?? 8 });
  const candidates = walk.files.filter((f) => formatOf(f) !== undefined);
  let truncated = walk.truncated;
  if (candidates.length > maxFiles) {
    truncated = true;
    candidates.length = maxFiles;
  }
  const warnings: ConfigWarning[] = [];
  const declarations: Declaration[] = [];
  const texts = new Map<string, string>();
  for (const file of candidates) {
    const text = await readTextFile(join(root, file), maxBytes);
    if (typeof text === 'string') texts.set(file, text);
    else warnings.push({ file, line: null, message: text.skipped });
  }
  const varsByDir = new Map<string, Variables>();
  for (const [file, text] of texts) {
    const format = formatOf(file);
    if (format === undefined) continue;
    const dirName = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    const vars = varsByDir.get(dirName) ?? directoryVariables(texts, dirName);
    varsByDir.set(dirName, vars);
    try {
      const parsed = format.parse({ file, text, vars });
      declarations.push(...parsed.declarations);
      warnings.push(...parsed.warnings);
    } catch (error) {
      // A parser bug must not cost the whole scan: say which file, keep going.
      warnings.push({ file, line: null, message: `could not be read: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  // Files in walk order, lines ascending within a file: how a person reads the list.
  const order = new Map(candidates.map((file, i) => [file, i]));
  const byPlace = (a: { file: string; line: number | null }, b: { file: string; line: number | null }): number =>
    (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || (a.line ?? 0) - (b.line ?? 0);
  declarations.sort(byPlace);
  warnings.sort(byPlace);
  return { declarations, warnings, truncated, filesScanned: texts.size };
}

/**
 * The variables of one directory's .env files, merged in load order: Compose reads the .env next
 * to the compose file, and Vite/Next.js merge .env* of their root before expanding `${VAR}`.
 */
function directoryVariables(texts: ReadonlyMap<string, string>, dirName: string): Variables {
  let vars: Variables = new Map();
  for (const name of ENV_ORDER) {
    const text = texts.get(`${dirName}${name}`);
    if (text !== undefined) vars = envVariables(text, name, vars);
  }
  return vars;
}

/** The file's text, or why it was skipped (too large, binary, unreadable). */
async function readTextFile(path: string, maxBytes: number): Promise<string | { skipped: string }> {
  try {
    const info = await stat(path);
    if (info.size > maxBytes) return { skipped: `skipped: ${info.size} bytes is over the ${maxBytes}-byte limit` };
    const head = Buffer.alloc(Math.min(info.size, 8192));
    const handle = await open(path, 'r');
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
    // A NUL byte in the first 8 KiB: binary (the heuristic git and grep use).
    if (head.includes(0)) return { skipped: 'skipped: binary file' };
    return await readFile(path, 'utf8');
  } catch (error) {
    return { skipped: `skipped: ${error instanceof Error ? error.message : String(error)}` };
  }
}
