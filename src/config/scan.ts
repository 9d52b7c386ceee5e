import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envTable, type EnvTable } from './env.js';
import { contentMayTell, formatByContent, formatByName, nameMayMatter, needsContent, type Format } from './recognize.js';
import type { ConfigScan, ConfigWarning, ContainerEnvFile, Declaration, ParserInput, UnresolvedDeclaration } from './types.js';
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

/** The parser for a path relative to the project root, from its name, or undefined. */
export function formatOf(path: string): Format | undefined {
  return formatByName(path);
}

/** .env files in the order their tools load them (later wins). */
const ENV_ORDER = ['.env', '.env.development', '.env.local', '.env.development.local'];

/** How much of a file is read to tell its format from its content. */
const SNIFF_BYTES = 8192;

/**
 * Scans a project directory for the ports and hosts its configuration declares. Never executes
 * project code, never throws for a bad file (it becomes a warning), and is bounded: dependency
 * folders, caches and build tools' output are skipped, as are files over 1 MiB and binary files,
 * and the walk stops at a file budget (then `truncated` is true and a warning says so). Files
 * are recognised by name, and YAML and vue-cli 2 configs by content too. Ports that cannot be
 * read are listed in `unresolved`, never guessed. The directories and files are read with
 * synchronous calls, so the scan holds the event loop while it runs (tens of milliseconds for a
 * project of a few thousand files, bounded by the budgets): for many small files that costs a
 * quarter of the CPU of promise-based calls.
 *
 * @example
 * const scan = await scanConfig('.');
 * for (const d of scan.declarations) console.log(`${d.file}:${d.line} ${d.role} ${d.port}`);
 */
export async function scanConfig(dir: string, options: ScanOptions = {}): Promise<ConfigScan> {
  const root = resolve(dir);
  const maxFiles = options.maxFiles ?? 300;
  const maxBytes = options.maxFileBytes ?? 1024 * 1024;
  const maxEntries = options.maxEntries ?? 5000;
  const walk = walkProject(root, { maxEntries, maxDepth: options.maxDepth ?? 8, looksLikeConfig: (path) => formatByName(path) !== undefined || needsContent(path) });
  const warnings: ConfigWarning[] = [...walk.warnings];
  if (walk.truncated) {
    warnings.push({ file: '.', line: null, message: `stopped walking after ${maxEntries} entries (or ${options.maxDepth ?? 8} levels deep): files further on were not looked at; scan a subdirectory to see them` });
  }
  const formats = new Map<string, Format>();
  const texts = new Map<string, string>();
  let truncated = walk.truncated;
  let overBudget = false;
  const budgetHit = (): boolean => {
    if (formats.size < maxFiles) return false;
    if (!overBudget) warnings.push({ file: '.', line: null, message: `read the first ${maxFiles} configuration files only (the file budget); the others were not read` });
    overBudget = true;
    truncated = true;
    return true;
  };
  // Each file's name is judged once: by name, or else whether its content may tell.
  const byContent: string[] = [];
  for (const file of walk.files) {
    if (!nameMayMatter(file)) continue;
    const format = formatByName(file);
    if (format === undefined) {
      if (contentMayTell(file)) byContent.push(file);
      continue;
    }
    if (budgetHit()) break;
    formats.set(file, format);
  }
  const candidates = overBudget ? [] : byContent;
  // Judged in walk order (the budget stops at the same file).
  for (const file of candidates) {
    const head = readHead(join(root, file));
    const format = head === null ? undefined : formatByContent(file, head);
    if (format === undefined) continue;
    if (budgetHit()) break;
    formats.set(file, format);
  }
  for (const file of formats.keys()) {
    const text = readTextFile(join(root, file), maxBytes);
    if (typeof text === 'string') texts.set(file, text);
    else warnings.push({ file, line: null, message: text.skipped });
  }
  const declarations: Declaration[] = [];
  const unresolved: UnresolvedDeclaration[] = [];
  const containerEnvFiles: ContainerEnvFile[] = [];
  const tables = new Map<string, EnvTable>();
  for (const [file, text] of texts) {
    const format = formats.get(file);
    if (format === undefined) continue;
    const table = environmentOf(texts, dirOf(file), tables);
    const input: ParserInput = { file, text, vars: table.vars, origins: table.origins };
    try {
      const parsed = format.parse(input);
      declarations.push(...parsed.declarations);
      unresolved.push(...(parsed.unresolved ?? []));
      containerEnvFiles.push(...(parsed.containerEnvFiles ?? []));
      warnings.push(...parsed.warnings);
    } catch (error) {
      // A parser bug must not cost the whole scan: say which file, keep going.
      warnings.push({ file, line: null, message: `could not be read: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  // Files in walk order, lines ascending within a file: how a person reads the list.
  const order = new Map([...formats.keys()].sort().map((file, i) => [file, i]));
  const byPlace = (a: { file: string; line: number | null }, b: { file: string; line: number | null }): number =>
    (order.get(a.file) ?? -1) - (order.get(b.file) ?? -1) || (a.line ?? 0) - (b.line ?? 0);
  return {
    declarations: inContainers(declarations, containerEnvFiles).sort(byPlace),
    warnings: warnings.sort(byPlace),
    truncated,
    filesScanned: texts.size,
    unresolved: inContainers(unresolved, containerEnvFiles).sort(byPlace),
  };
}

function dirOf(file: string): string {
  return file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
}

/**
 * A file a Compose service loads with `env_file:` is that container's environment: its
 * `localhost` is the container's own.
 */
function inContainers<T extends Declaration | UnresolvedDeclaration>(found: readonly T[], envFiles: readonly ContainerEnvFile[]): T[] {
  if (envFiles.length === 0) return [...found];
  const serviceOf = new Map<string, string>();
  for (const e of envFiles) if (!serviceOf.has(e.file)) serviceOf.set(e.file, e.service);
  return found.map((d) => {
    const service = serviceOf.get(d.file);
    return service === undefined || d.kind !== 'env' ? d : { ...d, network: 'container', service };
  });
}

/**
 * The variables of the project's .env files for a directory: its own, merged in load order
 * (Compose reads the .env next to the compose file; Vite and Next.js merge .env* of their root),
 * or, when it has none, those of the nearest directory above that has some.
 */
function environmentOf(texts: ReadonlyMap<string, string>, dirName: string, cache: Map<string, EnvTable>): EnvTable {
  const cached = cache.get(dirName);
  if (cached !== undefined) return cached;
  let table: EnvTable = { vars: new Map(), origins: new Map() };
  let found = false;
  for (const name of ENV_ORDER) {
    const text = texts.get(`${dirName}${name}`);
    if (text === undefined) continue;
    table = envTable(text, `${dirName}${name}`, table);
    found = true;
  }
  if (!found && dirName !== '') {
    const parent = dirName.slice(0, dirName.slice(0, -1).lastIndexOf('/') + 1);
    table = environmentOf(texts, parent, cache);
  }
  cache.set(dirName, table);
  return table;
}

/*
 * Files are read with synchronous calls, like the walk (see walk.ts): a configuration file is a
 * few kilobytes from the page cache, and a promise-based read (open, stat, read, close: a
 * thread-pool job and a promise each) costs several times the CPU of the read itself.
 */

/** The first bytes of a file (to tell its format), or null when it cannot be read or is binary. */
function readHead(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const bytesRead = readSync(fd, head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    return bytes.includes(0) ? null : bytes.toString('utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The file's text, or why it was skipped (too large, binary, unreadable). */
function readTextFile(path: string, maxBytes: number): string | { skipped: string } {
  try {
    const info = statSync(path);
    if (info.size > maxBytes) return { skipped: `skipped: ${info.size} bytes is over the ${maxBytes}-byte limit` };
    const bytes = readFileSync(path);
    // A NUL byte in the first 8 KiB: binary (the heuristic git and grep use).
    if (bytes.subarray(0, 8192).includes(0)) return { skipped: 'skipped: binary file' };
    return bytes.toString('utf8');
  } catch (error) {
    return { skipped: `skipped: ${error instanceof Error ? error.message : String(error)}` };
  }
}
