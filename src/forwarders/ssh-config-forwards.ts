/**
 * The tunnels a user declared in their ssh client configuration (`LocalForward`, `DynamicForward`),
 * found by walking the configuration in ssh's order (readconf.c): a `Host` or `Match` line starts
 * a block that lasts to the next one in the same file; an `Include` reads its files in place,
 * inside the including block, and a block started in an included file ends with that file. ssh
 * sets up a declared forward whenever it connects to a host its block applies to, so a forward is
 * reported with the blocks around it and the host name that brings it up (`ssh -fN NAME`), when one
 * can be named. `RemoteForward` listens on the SSH server, not here, and is not a local port.
 *
 * A `Match` criterion other than `all`, `host` and `originalhost` (exec, user, localnetwork, …)
 * depends on the moment ssh runs: such a block "may apply", and says which criteria were not
 * evaluated. A file or Include that could not be read is listed as unread, never taken as "no
 * tunnel there".
 */
import { isIP } from 'node:net';
import { matchSshPatternList } from '../platform/common/ssh-config.js';
import type { SshClientConfigRead, SshConfigFile, SshIncludeExpansion } from '../platform/types.js';
import { parseForwardSpec } from './ssh-spec.js';

/** A `Host` or `Match` line a declaration sits in (outermost first, through Includes). */
export interface SshConfigBlock {
  readonly file: string;
  readonly line: number;
  /** As ssh read it: `Host db db.internal`, `Match originalhost db exec "test -f /x"`. */
  readonly text: string;
  readonly keyword: 'host' | 'match';
  readonly args: readonly string[];
}

/** Whom a declared forward applies to. */
export type SshForwardScope =
  /** Every connection (top level, `Host *`, `Match all`). */
  | 'every-host'
  /** Connections to the hosts its Host/Match patterns name. */
  | 'named-hosts'
  /** A Match criterion that could not be evaluated here decides. */
  | 'may';

/** One `LocalForward`/`DynamicForward` line whose listening port is the one asked about. */
export interface SshForwardDeclaration {
  readonly kind: 'local' | 'dynamic';
  readonly file: string;
  readonly line: number;
  /** The directive as ssh read it (`LocalForward 8080 db.internal:5432`). */
  readonly text: string;
  /** Where ssh listens: the bind address as written (null: GatewayPorts decides, loopback by default) and the port. */
  readonly listen: { readonly address: string | null; readonly port: number };
  /** Where ssh connects from the SSH server; null for a SOCKS proxy (DynamicForward). */
  readonly to: { readonly host: string; readonly port: number } | { readonly socketPath: string } | null;
  readonly blocks: readonly SshConfigBlock[];
  readonly scope: SshForwardScope;
  /** A host name for `ssh NAME` that brings the forward up; null when the patterns name none (`Host *.internal`). */
  readonly alias: string | null;
  /** The Host/Match patterns the host must match, for a person, when no alias can be named. */
  readonly patterns: readonly string[];
  /** Match criteria not evaluated (scope `may`). */
  readonly unevaluated: readonly string[];
}

/** Something that could not be read: a declaration in it would not be seen. */
export interface SshConfigUnread {
  readonly what: string;
  readonly reason: string;
}

/** What the user's ssh configuration declares for one port. */
export interface SshDeclaredForwards {
  /** The main configuration file; null when not even its place is known (a snapshot without it). */
  readonly main: string | null;
  /** False when the main file does not exist (nothing declared, nothing unread). */
  readonly exists: boolean;
  /** The files read, main first. */
  readonly filesRead: readonly string[];
  readonly declarations: readonly SshForwardDeclaration[];
  readonly unread: readonly SshConfigUnread[];
  /** Lines ssh rejects: with one of them ssh refuses the whole configuration (and every connection). */
  readonly errors: readonly { readonly file: string; readonly line: number; readonly error: string }[];
  /** `ClearAllForwardings yes` lines: where they apply, ssh sets up none of the declared forwards. */
  readonly clears: readonly { readonly file: string; readonly line: number }[];
  /** Forward lines for this port ssh would not accept, or that hold what we do not expand (`${VAR}`, a service name). */
  readonly unparsed: readonly { readonly file: string; readonly line: number; readonly text: string }[];
}

/** The port asked about, and the address when the user named one. */
export interface SshForwardQuery {
  readonly port: number;
  readonly host: string | null;
}

/** ssh's READCONF_MAX_DEPTH. */
const MAX_DEPTH = 16;
const WILDCARD_BIND = new Set(['', '*', '0.0.0.0', '::']);
const LOOPBACK = (host: string): boolean => host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));

/**
 * Would a forward bound to `bind` receive a connection to `host`? Without a bind address ssh binds
 * loopback (GatewayPorts no, the default); a host name on either side is not ruled out.
 */
function bindServes(bind: string | null, host: string | null): boolean {
  if (host === null) return true;
  if (bind === null || bind === 'localhost') return LOOPBACK(host) || isIP(host) === 0;
  if (WILDCARD_BIND.has(bind) || isIP(host) === 0 || isIP(bind) === 0) return true;
  return bind === host;
}

type Block = SshConfigBlock;

/** Host names a block asks for: its literal positive patterns; and a test for a candidate. */
function blockHosts(block: Block): { literals: string[]; everyHost: boolean; accepts: (name: string) => boolean; unevaluated: string[] } {
  if (block.keyword === 'host') {
    const literals = block.args.filter((p) => !p.startsWith('!') && !/[*?]/.test(p));
    const everyHost = block.args.includes('*') && !block.args.some((p) => p.startsWith('!'));
    return { literals, everyHost, accepts: (name) => matchSshPatternList(name, block.args), unevaluated: [] };
  }
  // Match: criteria with arguments (`host a,b`, `host=a`), `!` negating one; all/canonical/final alone.
  const hostTests: ((name: string) => boolean)[] = [];
  const literals: string[] = [];
  const unevaluated: string[] = [];
  let everyHost = false;
  const words = block.args.flatMap((w) => (/^!?[a-z]+=/i.test(w) ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : [w]));
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    const negated = word.startsWith('!');
    const criterion = (negated ? word.slice(1) : word).toLowerCase();
    if (criterion === 'all') {
      everyHost = true;
      continue;
    }
    if (criterion === 'canonical' || criterion === 'final') {
      // ssh evaluates the configuration again for these passes; a forward there is still set up.
      continue;
    }
    const value = words[i + 1] ?? '';
    i++;
    if (criterion === 'host' || criterion === 'originalhost') {
      const patterns = value.split(',');
      hostTests.push((name) => matchSshPatternList(name, patterns) !== negated);
      if (!negated) literals.push(...patterns.filter((p) => !p.startsWith('!') && !/[*?]/.test(p)));
    } else unevaluated.push(`${word} ${value}`);
  }
  return { literals, everyHost: everyHost && hostTests.length === 0, accepts: (name) => hostTests.every((t) => t(name)), unevaluated };
}

/**
 * Whether a forward inside `blocks` is set up when ssh connects to `host` (the name as typed, no
 * Hostname or canonicalization applied); 'may' when a Match criterion that was not evaluated decides.
 *
 * @example
 * forwardAppliesTo(declaration.blocks, 'web2') // true for a forward under `Host web web2`
 */
export function forwardAppliesTo(blocks: readonly SshConfigBlock[], host: string): boolean | 'may' {
  const read = blocks.map(blockHosts);
  if (!read.every((r) => r.everyHost || r.accepts(host))) return false;
  return read.some((r) => r.unevaluated.length > 0) ? 'may' : true;
}

/** Whom a forward inside these blocks applies to, and a host name that brings it up. */
function scopeOf(blocks: readonly Block[]): Pick<SshForwardDeclaration, 'scope' | 'alias' | 'patterns' | 'unevaluated'> {
  const read = blocks.map(blockHosts);
  const unevaluated = read.flatMap((r) => r.unevaluated);
  const restricting = read.filter((r) => !r.everyHost);
  const patterns = blocks.filter((b, i) => !(read[i]?.everyHost ?? false)).map((b) => b.text);
  if (restricting.length === 0) return { scope: unevaluated.length > 0 ? 'may' : 'every-host', alias: null, patterns, unevaluated };
  const alias = restricting.flatMap((r) => r.literals).find((name) => read.every((r) => r.accepts(name))) ?? null;
  return { scope: unevaluated.length > 0 ? 'may' : 'named-hosts', alias, patterns, unevaluated };
}

const quoteWord = (word: string): string => (/[\s"']/.test(word) || word === '' ? `"${word}"` : word);
const keywordName: Readonly<Record<string, string>> = { host: 'Host', match: 'Match', localforward: 'LocalForward', dynamicforward: 'DynamicForward' };

/**
 * The forwards the configuration declares on `query.port`, with what could not be read.
 *
 * @example
 * const config = await (await platform()).sshClientConfig();
 * declaredSshForwards(config, { port: 8080, host: '127.0.0.1' }).declarations[0]?.alias; // 'db'
 */
export function declaredSshForwards(config: SshClientConfigRead, query: SshForwardQuery): SshDeclaredForwards {
  if (!config.ok) return { main: config.main, exists: false, filesRead: [], declarations: [], unread: [{ what: config.main ?? 'the ssh client configuration', reason: config.reason }], errors: [], clears: [], unparsed: [] };
  const files = new Map(config.files.map((f) => [f.path, f]));
  const expansions = new Map<string, SshIncludeExpansion>(config.includes.map((e) => [`${e.file}\0${e.line}\0${e.pattern}`, e]));
  const result = { declarations: [] as SshForwardDeclaration[], unread: [] as SshConfigUnread[], errors: [] as SshDeclaredForwards['errors'][number][], clears: [] as SshDeclaredForwards['clears'][number][], unparsed: [] as SshDeclaredForwards['unparsed'][number][], filesRead: [] as string[] };
  const seenUnread = new Set<string>();
  const unread = (what: string, reason: string): void => {
    if (seenUnread.has(what)) return;
    seenUnread.add(what);
    result.unread.push({ what, reason });
  };

  const walk = (file: SshConfigFile, outer: readonly Block[], depth: number): void => {
    if (!file.read.ok) return;
    if (!result.filesRead.includes(file.path)) result.filesRead.push(file.path);
    let block: Block | null = null;
    for (const line of file.read.lines) {
      if (!('keyword' in line)) {
        result.errors.push({ file: file.path, line: line.line, error: line.error });
        continue;
      }
      const blocks = block === null ? outer : [...outer, block];
      const text = `${keywordName[line.keyword] ?? line.keyword} ${line.args.map(quoteWord).join(' ')}`;
      if (line.keyword === 'host' || line.keyword === 'match') block = { keyword: line.keyword, args: line.args, file: file.path, line: line.line, text };
      else if (line.keyword === 'include') {
        for (const pattern of line.args) {
          const expansion = expansions.get(`${file.path}\0${line.line}\0${pattern}`);
          if (expansion === undefined || !expansion.matched.ok) {
            unread(`Include ${pattern} (${file.path} line ${line.line})`, expansion?.matched.ok === false ? `not expanded: ${expansion.matched.reason}` : 'not followed');
            continue;
          }
          for (const path of expansion.matched.files) {
            const included = files.get(path);
            if (included === undefined || depth + 1 > MAX_DEPTH) unread(path, depth + 1 > MAX_DEPTH ? `included more than ${MAX_DEPTH} levels deep` : 'not read (too many files)');
            else if (!included.read.ok && included.read.code !== 'ENOENT') unread(path, `could not be read (${included.read.code})`);
            else walk(included, blocks, depth + 1);
          }
        }
      } else if (line.keyword === 'clearallforwardings' && /^yes$/i.test(line.args[0] ?? '')) result.clears.push({ file: file.path, line: line.line });
      else if (line.keyword === 'localforward' || line.keyword === 'dynamicforward') {
        const declaration = forwardOf(line.keyword, line.args, query);
        if (declaration === 'other-port') continue;
        if (declaration === null) {
          // Reported only when it might be this port's: its listening port is this one, or not a number (a service name, ${VAR}).
          const listenPort = (line.args[0] ?? '').split(':').at(-1) ?? '';
          if (listenPort === String(query.port) || !/^\d+$/.test(listenPort)) result.unparsed.push({ file: file.path, line: line.line, text });
          continue;
        }
        result.declarations.push({ ...declaration, file: file.path, line: line.line, text, blocks, ...scopeOf(blocks) });
      }
    }
  };

  const main = files.get(config.main);
  if (main === undefined || !main.read.ok) {
    const code = main?.read.ok === false ? main.read.code : 'not read';
    if (code !== 'ENOENT') unread(config.main, code === 'not-recorded' ? 'not in the snapshot' : `could not be read (${code})`);
    return { main: config.main, exists: false, ...result };
  }
  walk(main, [], 0);
  return { main: config.main, exists: true, ...result };
}

/** A forward line's listening end and destination, when it listens on the port asked about. */
function forwardOf(keyword: 'localforward' | 'dynamicforward', args: readonly string[], query: SshForwardQuery): Pick<SshForwardDeclaration, 'kind' | 'listen' | 'to'> | 'other-port' | null {
  const [listenText, targetText] = args;
  if (listenText === undefined) return null;
  // As readconf.c: LocalForward's two words joined into one spec for parse_forward.
  const spec = keyword === 'localforward' ? (targetText === undefined ? null : parseForwardSpec(`${listenText}:${targetText}`, 'local')) : parseForwardSpec(listenText, 'dynamic');
  if (spec === null) return null;
  if (spec.listen.kind !== 'tcp' || spec.listen.port !== query.port) return 'other-port';
  if (!bindServes(spec.listen.host, query.host)) return 'other-port';
  const to = spec.connect === null ? null : spec.connect.kind === 'tcp' ? { host: spec.connect.host ?? 'localhost', port: spec.connect.port } : { socketPath: spec.connect.path };
  return { kind: keyword === 'localforward' ? 'local' : 'dynamic', listen: { address: spec.listen.host, port: spec.listen.port }, to };
}
