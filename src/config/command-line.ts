import { expand, resolverOf, sourceAt, type Expansion, type Place, type Resolver } from './interpolate.js';
import { explicitPort, normalizeHost, readAddress, toPort } from './text.js';
import type { DeclarationNetwork, DeclarationProtocol, DeclarationRole, ValueSource, Variables } from './types.js';
import { unknownReason } from './values.js';

export interface CommandPort {
  readonly role: DeclarationRole;
  readonly host: string | null;
  readonly port: number;
  /** The program the port belongs to (`vite`, `uvicorn`, `manage.py`…), for kind detection. */
  readonly program: string;
  /** The word of the command line the port was read from, as written (to find its line). */
  readonly word: string;
  readonly via: ValueSource | null;
  readonly protocol: DeclarationProtocol;
  /** `container` for the container side of `docker run -p`; else the command's own network. */
  readonly network: DeclarationNetwork;
}

/** A port the command line names but that cannot be read (`--port $PORT` with PORT set nowhere). */
export interface CommandUnknown {
  readonly role: DeclarationRole;
  readonly host: string | null;
  readonly program: string;
  readonly word: string;
  readonly value: string;
  readonly reason: string;
  readonly protocol: DeclarationProtocol;
  readonly network: DeclarationNetwork;
}

export interface CommandReading {
  readonly ports: CommandPort[];
  readonly unknown: CommandUnknown[];
}

/** How the words of a command line are expanded: with which variables, written where. */
export interface CommandContext {
  readonly resolve: Resolver;
  readonly at: Place;
  /** Compose writes a literal `$` as `$$`; a shell does not. */
  readonly dialect?: 'shell' | 'compose';
}

/**
 * Splits a shell command line into simple commands of words: quotes and backslashes are honoured,
 * `&&`, `||`, `;`, `|`, `&` separate commands. Not a shell: no expansion, which is done
 * afterwards by the interpolation engine.
 *
 * @example
 * splitCommands("PORT=4001 node server.js && echo 'a b'") // [['PORT=4001','node','server.js'],['echo','a b']]
 */
export function splitCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === "'" || c === '"') {
      const close = line.indexOf(c, i + 1);
      const end = close === -1 ? line.length : close;
      word += c === '"' ? line.slice(i + 1, end).replace(/\\(["\\$`])/g, '$1') : line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '$' && line[i + 1] === '{') {
      // `${A:-x y}` is one word even with spaces in its default.
      let depth = 0;
      let j = i;
      for (; j < line.length; j++) {
        if (line[j] === '{') depth++;
        else if (line[j] === '}' && --depth === 0) break;
      }
      word += line.slice(i, j + 1);
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i] ?? '';
      inWord = true;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
    } else if (c === ';' || c === '|' || c === '&') {
      endCommand();
      if (line[i + 1] === c) i++;
    } else if (c === '#' && !inWord) {
      break;
    } else {
      // This character and the ordinary ones after it, as one slice: a script is mostly such runs,
      // and a concatenation per character made this loop the scan's hottest in a fresh process.
      WORD_RUN.lastIndex = i + 1;
      WORD_RUN.test(line);
      word += line.slice(i, WORD_RUN.lastIndex);
      inWord = true;
      i = WORD_RUN.lastIndex - 1;
    }
  }
  endCommand();
  return commands;
}

/** Characters that continue a word and mean nothing else to {@link splitCommands} (`#` is literal inside a word). */
const WORD_RUN = /[^'"$\\ \t\n\r;|&]*/y;

/** What a command line that names a port (or a port it cannot read) has at least one of. */
const MAY_NAME_A_PORT = /[\d$%{}`:]|--inspect/;

/** Prefixes that run another program: skipped to find the program that takes the port flags. */
const WRAPPERS = new Set(['cross-env', 'env', 'npx', 'exec', 'nodemon', 'dotenv', 'sudo', 'time', 'nice', 'pnpm', 'yarn', 'bunx', 'poetry', 'pipenv', 'bundle', 'uv', 'env-cmd', 'dumb-init', 'tini', 'gosu', 'su-exec']);
const RUN_WORDS = new Set(['run', 'exec', 'dlx', '--', '-m']);

/** Programs whose --port/-p/--host name where they connect, not where they listen. */
const CLIENT_PROGRAMS = new Set(['psql', 'pg_dump', 'pg_isready', 'mysql', 'mysqldump', 'mysqladmin', 'redis-cli', 'mongo', 'mongosh', 'ssh', 'scp', 'sftp', 'nc', 'ncat', 'telnet', 'curl', 'wget', 'amqp-consume', 'nats', 'memcstat', 'wait-on', 'wait-port', 'wait-for-it', 'wait-for-it.sh', 'wait-for', 'wait-for.sh', 'dockerize', 'http', 'grpcurl']);
/** MySQL's tools take the port as -P (their -p is the password). */
const MYSQL_PROGRAMS = new Set(['mysql', 'mysqldump', 'mysqladmin']);

const PORT_FLAGS = new Set(['--port', '-p', '--http-port', '--listen-port', '--server-port', '--server.port', '-Dserver.port']);
/** Port flags that mean nothing else: a variable there is a port even if its name does not say so. */
const LONG_PORT_FLAGS = new Set(['--port', '--http-port', '--listen-port', '--server-port', '--server.port', '-Dserver.port']);
const HOST_FLAGS = new Set(['--host', '-H', '--hostname', '--bind-address', '--addr']);
const MYSQL_PORT_FLAGS = new Set(['-P', '--port']);
const MONGO_PORT_FLAGS = new Set(['--port']);
const NO_FLAGS = new Set<string>();
const CLIENT_HOST_FLAGS = new Set(['-h', '--host']);
/** flask run's `-h` is its host. */
const FLASK_HOST_FLAGS = new Set([...HOST_FLAGS, '-h']);
/** Flags whose value is an address (`host:port`, a URL, or a port). */
const ADDRESS_FLAGS = new Set(['--bind', '-b', '--listen', '-l', '-S', '--address']);
/** A flag named for a port: `-metricsPort`, `--metrics-port`, `--http.port`, `--grpc_port`. */
const NAMED_PORT_FLAG = /^--?(?:[\w.-]*[-_.][Pp]ort|\w*[a-z]Port)$/;
/** A flag named for an address: `--rpc-host`, `--redis-url`, `--broker`, `--api-endpoint`. */
const NAMED_ADDRESS_FLAG = /^--?[\w.-]*(host|addr|address|url|uri|endpoint|brokers?|servers?)$/i;
/** wait-on's options that take a value (times in ms), so that the value is not read as a port. */
const WAIT_ON_VALUE_FLAGS = new Set(['-t', '--timeout', '-i', '--interval', '-d', '--delay', '-w', '--window', '--httpTimeout', '--tcpTimeout', '-c', '--config']);
/** Programs whose positional arguments are addresses they connect to. */
const POSITIONAL_CLIENTS = new Set(['wait-on', 'wait-port', 'wait-for-it', 'wait-for-it.sh', 'wait-for', 'wait-for.sh', 'curl', 'wget', 'http', 'dockerize']);

/**
 * Finds the ports a command line serves on: `--port 5174`, `--port=5174`, `-p 4000`,
 * `PORT=4001 node …`, `gunicorn -b 0.0.0.0:8000`, `manage.py runserver 0.0.0.0:8000`,
 * `python -m http.server 8000`, `php -S localhost:8000`, `serve -l 5000`, `node --inspect=9230`
 * (also through wrappers and NODE_OPTIONS), `docker run -p 8080:80`; and what it connects to
 * (`wait-on http://localhost:3000`, `curl http://localhost:8080/health`, `nc -z db 5432` →
 * client). Quoted arguments that are themselves command lines (`concurrently "vite --port 5174"`,
 * `sh -c "…"`) are analysed too. Ports behind variables nobody sets are reported as unknown.
 *
 * @example
 * readCommandLine('next dev -p ${PORT:-4000}', { resolve: () => undefined, at: { file: 'package.json', line: 3 } }).ports
 * // [{ role: 'server', host: null, port: 4000, program: 'next', word: '${PORT:-4000}', via: { variable: 'PORT', from: 'default', … }, protocol: 'tcp' }]
 */
export function readCommandLine(line: string, context: CommandContext, depth = 0): CommandReading {
  const reading: CommandReading = { ports: [], unknown: [] };
  // Most lines of a script name no port: without a digit, a variable, a placeholder, a `host:…`
  // or Node's `--inspect` (whose port goes without saying) there is nothing to read.
  if (!MAY_NAME_A_PORT.test(line)) return reading;
  for (const words of splitCommands(line)) merge(reading, readWords(words, context, depth));
  return reading;
}

/** {@link readCommandLine}'s known ports, with plain variables. */
export function analyzeCommandLine(line: string, vars: Variables, depth = 0): CommandPort[] {
  return readCommandLine(line, { resolve: resolverOf(vars), at: { file: '', line: 0 } }, depth).ports;
}

/** {@link readWords}'s known ports, with plain variables. */
export function analyzeWords(words: readonly string[], vars: Variables, depth = 0): CommandPort[] {
  return readWords(words, { resolve: resolverOf(vars), at: { file: '', line: 0 } }, depth).ports;
}

function merge(into: CommandReading, from: CommandReading): void {
  into.ports.push(...from.ports);
  into.unknown.push(...from.unknown);
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** One word of a command: as written, and expanded. */
interface Word {
  readonly raw: string;
  readonly exp: Expansion;
}

/** What a port-bearing value said: host and port, or unknown. */
type Found = { host: string | null; word: string; protocol: DeclarationProtocol; role?: DeclarationRole; network?: DeclarationNetwork } & ({ port: number; via: ValueSource | null } | { port: null; value: string; reason: string });

/**
 * The same analysis for an argument vector (launch.json `args`, Compose and Dockerfile exec form).
 */
export function readWords(rawWords: readonly string[], context: CommandContext, depth = 0): CommandReading {
  const dialect = context.dialect ?? 'shell';
  const words: Word[] = rawWords.map((raw) => ({ raw, exp: expand(raw, dialect, context.resolve, context.at) }));
  const reading: CommandReading = { ports: [], unknown: [] };
  const env = new Map<string, Word>();
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i]?.raw ?? '';
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (assign) env.set(assign[1] ?? '', { raw: assign[2] ?? '', exp: expand(assign[2] ?? '', dialect, context.resolve, context.at) });
    else if (WRAPPERS.has(basename(w)) || RUN_WORDS.has(w) || (w.startsWith('-') && i > 0 && WRAPPERS.has(basename(words[i - 1]?.raw ?? '')))) continue;
    else break;
  }
  const found: Found[] = [];
  // `node --inspect`, `nodemon --inspect=9229`, `NODE_OPTIONS=--inspect=0.0.0.0:9229`: Node's debugger.
  const nodeOptions = env.get('NODE_OPTIONS');
  if (nodeOptions !== undefined || rawWords.some((w) => w.includes('--inspect'))) {
    const inspectWords = [...words.filter((w) => /^--inspect(-brk|-port)?(=|$)/.test(w.raw)), ...[...(nodeOptions?.raw.split(/\s+/) ?? [])].filter((w) => /^--inspect/.test(w)).map((raw) => ({ raw, exp: expand(raw, dialect, context.resolve, context.at) }))];
    for (const w of inspectWords) found.push(...inspectPort(w));
  }
  // Java's debugger: `-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005`, in any word.
  // (A quoted word with spaces is a command line of its own, read below: not twice.)
  for (const w of words) {
    if (/\s/.test(w.exp.text)) continue;
    if (w.exp.text.includes('jdwp')) found.push(...jdwpPort(w));
    if (w.exp.text.includes('/dev/')) found.push(...devTcp(w));
  }

  let program = basename(words[i]?.raw ?? '');
  // An exec-form command that starts with a flag (Compose `command: ["--port", "8000"]`): the
  // image's entrypoint is the program.
  const implicitProgram = program.startsWith('-');
  if (implicitProgram) {
    program = '(entrypoint)';
    i--;
  }
  if (/^python[\d.]*$/.test(program)) {
    // `python -m uvicorn …`, `python manage.py runserver`: the module or script is the program.
    const module = words[i + 1]?.raw === '-m';
    const next = module ? words[i + 2] : words[i + 1];
    if (next !== undefined) {
      i += module ? 2 : 1;
      program = basename(next.raw);
    }
  }
  const rest = words.slice(i + 1);
  if (program === 'alias') {
    // `alias djrun="manage.py runserver 0.0.0.0:8000"`: the command the alias runs.
    for (const w of rest) {
      const eq = w.raw.indexOf('=');
      if (eq > 0 && depth < 2) merge(reading, readCommandLine(w.raw.slice(eq + 1), context, depth + 1));
    }
    return reading;
  }
  const isClient = CLIENT_PROGRAMS.has(program);
  const portFlags = MYSQL_PROGRAMS.has(program) ? MYSQL_PORT_FLAGS : /^mongo(sh)?$/.test(program) ? MONGO_PORT_FLAGS : isClient && program !== 'curl' ? PORT_FLAGS : isClient ? NO_FLAGS : PORT_FLAGS;
  const hostFlags = isClient ? CLIENT_HOST_FLAGS : program === 'flask' ? FLASK_HOST_FLAGS : HOST_FLAGS;
  const isDocker = /^(docker|podman)$/.test(program) && rest.some((w) => w.raw === 'run' || w.raw === 'create');
  let host: string | null = null;
  const positional: Word[] = [];
  for (let j = 0; j < rest.length; j++) {
    const w = rest[j] as Word;
    const text = w.exp.text;
    // Most words are plain arguments (no flag, no nested command line, no JVM option, not
    // runserver): every branch below needs one of those, so such a word goes straight to the positionals.
    if (text[0] !== '-' && !text.includes(' ') && !text.includes('jdwp') && text !== 'runserver' && text !== 'http.server') {
      positional.push(w);
      continue;
    }
    if (/^--inspect(-brk|-port)?(=|$)/.test(w.raw) || jdwpAddress(w.exp.text) !== null) continue;
    if (program === 'wait-on' && WAIT_ON_VALUE_FLAGS.has(w.raw)) {
      j++; // `-t 30000`: a timeout, not a port
      continue;
    }
    // `--port=8000`, and the JVM's `-Dserver.port=8080` (Spring Boot's property as a system property).
    const eq = text.startsWith('-') ? text.indexOf('=') : -1;
    const flag = eq === -1 ? text : text.slice(0, eq);
    const inline = eq === -1 ? undefined : ({ raw: w.raw.slice(w.raw.indexOf('=') + 1), exp: expand(w.raw.slice(w.raw.indexOf('=') + 1), dialect, context.resolve, context.at) } satisfies Word);
    const valueWord = inline ?? rest[j + 1];
    const took = inline === undefined ? 1 : 0;
    if (isDocker && (flag === '-p' || flag === '--publish') && valueWord !== undefined) {
      found.push(...dockerPublish(valueWord));
      j += took;
    } else if (portFlags.has(flag) && valueWord !== undefined) {
      const port = portOf(valueWord, LONG_PORT_FLAGS.has(flag) || flag === '-P');
      if (port !== null) {
        found.push(port);
        j += took;
      }
    } else if (hostFlags.has(flag) && valueWord !== undefined && !valueWord.exp.text.startsWith('-')) {
      const address = addressFound(valueWord);
      if (address !== null) found.push(address);
      else if (valueWord.exp.complete) host = normalizeHost(valueWord.exp.text);
      j += took;
    } else if (ADDRESS_FLAGS.has(flag) && valueWord !== undefined && !isClient) {
      const address = addressFound(valueWord);
      if (address !== null) found.push(address);
      else if ((flag === '-b' || flag === '--bind') && valueWord.exp.complete) host = normalizeHost(valueWord.exp.text);
      j += took;
    } else if (NAMED_PORT_FLAG.test(flag) && valueWord !== undefined && !isClient) {
      // `-metricsPort=9091`, `--metrics-port 9100`, `--http.port=8080`: more ports of the server.
      const port = portOf(valueWord, true);
      if (port !== null) {
        found.push({ ...port, role: 'server' });
        j += took;
      }
    } else if (NAMED_ADDRESS_FLAG.test(flag) && valueWord !== undefined && !HOST_FLAGS.has(flag)) {
      // `--rpc-host=taskbroker:50051`, `--redis-url redis://cache:6379`: a service it connects to;
      // `--entrypoints.http.address=:80` (any host): an address it listens on.
      const wildcard = /^(:|0\.0\.0\.0:|\[::\]:|\*:)\d+$/.test(valueWord.exp.text);
      const address = explicitPort(valueWord.exp.text) || wildcard ? addressFound(valueWord) : null;
      if (address !== null) {
        found.push({ ...address, role: wildcard ? 'server' : 'client' });
        j += took;
      }
    } else if (program === 'dockerize' && flag === '-wait' && valueWord !== undefined) {
      const address = addressFound(valueWord);
      if (address !== null) found.push({ ...address, role: 'client' });
      j += took;
    } else if ((text === 'runserver' || text === 'http.server') && rest[j + 1] !== undefined && !rest[j + 1]?.exp.text.startsWith('-')) {
      const address = addressFound(rest[j + 1] as Word);
      if (address !== null) found.push(address);
      j++;
    } else if (depth < 2 && text.includes(' ') && splitCommands(text).some((c) => c.length > 1)) {
      const nested = readCommandLine(w.raw, context, depth + 1);
      merge(reading, nested);
    } else if (!text.startsWith('-')) {
      positional.push(w);
    }
  }
  // `curl --unix-socket /run/x.sock http://localhost/`: the URL only names the request.
  const overUnixSocket = rest.some((w) => w.raw === '--unix-socket' || w.raw.startsWith('--unix-socket='));
  if (POSITIONAL_CLIENTS.has(program) && !overUnixSocket) {
    for (const w of positional) {
      // `curl localhost:9200/_cluster/health`: curl's default scheme is http.
      const written = program === 'curl' || program === 'wget' ? w.raw.replace(/^(?![a-z][\w+.-]*:\/\/)(?=[\w.-]+:\d+\/)/i, 'http://') : w.raw;
      const address = addressFound({ raw: w.raw, exp: expand(written.replace(/^(tcp|http-get|https-get):/, (m) => (m === 'tcp:' ? '' : `${m.slice(0, -5)}:`)), dialect, context.resolve, context.at) });
      // The wait tools name services (`tcp:3000`, `db:5432`); curl and wget mostly download, so only
      // a URL with an explicit port, or to the machine itself (a health check), declares one.
      const checksItself = address !== null && address.host !== null && /^(localhost|127\.[\d.]+|::1|0\.0\.0\.0)$/.test(address.host);
      if (address !== null && (program.startsWith('wait') || program === 'dockerize' || (address.host !== null && (explicitPort(w.exp.text) || checksItself)))) found.push({ ...address, role: 'client' });
    }
  } else if (/^(nc|ncat|telnet)$/.test(program) && positional.length >= 2) {
    const port = portOf(positional[1] as Word, false);
    if (port !== null) found.push({ ...port, host: positional[0]?.exp.text ?? null, role: 'client' });
  } else if (program === 'http.server' && !found.some((f) => f.role === undefined)) {
    // `python -m http.server 8000`: the port is the first positional argument.
    const first = positional[0];
    const port = first === undefined ? null : portOf(first, false);
    if (port !== null) found.push(port);
  }
  const envPort = env.get('PORT');
  if (envPort !== undefined && !found.some((f) => f.role === undefined)) {
    const port = portOf(envPort, true);
    const envHost = env.get('HOST');
    if (port !== null) found.push({ ...port, host: envHost !== undefined && envHost.exp.complete ? normalizeHost(envHost.exp.text) : null });
  }
  // `PORT=3000` alone (a shell variable, not a program's environment): who reads it is unclear.
  // `psql -p 5432`, `ssh -p 2222`: the same flags on a client name the port it connects to.
  const role: DeclarationRole = program === '' ? 'unknown' : isClient ? 'client' : 'server';
  for (const f of found) {
    const base = { role: f.role ?? role, host: f.host ?? (f.role === undefined ? host : null), program: /^--inspect/.test(f.word) ? 'node' : program, word: f.word, protocol: f.protocol, network: f.network ?? 'host' };
    if (f.port !== null) reading.ports.push({ ...base, port: f.port, via: f.via });
    else reading.unknown.push({ ...base, value: f.value, reason: f.reason });
  }
  return reading;
}

/** A word that should be a port. `anyVariable`: a variable there counts even if not named *PORT*. */
function portOf(w: Word, anyVariable: boolean): Found | null {
  const port = toPort(w.exp.text);
  if (port !== null) return { host: null, port, via: sourceAt(w.exp, 0, w.exp.text.length), word: w.raw, protocol: 'tcp' };
  if (!w.exp.complete && (anyVariable || /port/i.test(w.raw)) && !/\s/.test(w.exp.text)) {
    const address = readAddress(w.exp.text);
    if (address !== null && address.ok) return { host: address.host, port: address.port, via: sourceAt(w.exp, address.portStart, address.portEnd), word: w.raw, protocol: 'tcp' };
    return { host: address?.host ?? null, port: null, value: address?.ok === false ? address.value : w.exp.text, reason: unknownReason(w.exp.text), word: w.raw, protocol: 'tcp' };
  }
  return null;
}

/** A word that is an address (`0.0.0.0:8000`, `http://localhost:3000`), or null. */
function addressFound(w: Word): Found | null {
  // `%PORT%`: Windows' cmd expands it at run time.
  if (/^%\w+%$/.test(w.exp.text)) return { host: null, port: null, value: w.exp.text, reason: `${w.exp.text} is set at run time (cmd.exe), not in the project's files`, word: w.raw, protocol: 'tcp' };
  const read = readAddress(w.exp.text);
  if (read === null) return null;
  if (read.ok) return { host: read.host, port: read.port, via: sourceAt(w.exp, read.portStart, read.portEnd), word: w.raw, protocol: 'tcp' };
  return { host: read.host, port: null, value: read.value, reason: unknownReason(read.value), word: w.raw, protocol: 'tcp' };
}

/** `--inspect` (Node's default port, 9229), `--inspect=9230`, `--inspect=0.0.0.0`, `--inspect-brk=0.0.0.0:9229`. */
function inspectPort(w: Word): Found[] {
  const eq = w.exp.text.indexOf('=');
  if (eq === -1) return /^--inspect(-brk)?$/.test(w.exp.text) ? [{ host: null, port: 9229, via: null, word: w.raw, protocol: 'tcp', role: 'server' }] : [];
  const text = w.exp.text.slice(eq + 1);
  const address = addressFound({ raw: w.raw, exp: expand(text, 'shell') });
  if (address !== null) return [{ ...address, role: 'server' }];
  // `--inspect=0.0.0.0`: a host alone, on Node's default port.
  return /^[\w.-]+$|^\[[\da-f:]+\]$/i.test(text) ? [{ host: normalizeHost(text), port: 9229, via: null, word: w.raw, protocol: 'tcp', role: 'server' }] : [];
}

/** The JDWP debug port a JVM option opens (`address=5005`, `address=*:5005`, `-Xrunjdwp:…`). */
export function jdwpAddress(text: string): string | null {
  return /(?:-agentlib:jdwp=|-Xrunjdwp:)[^\s"']*?\baddress=([^,\s"']+)/.exec(text)?.[1] ?? null;
}

function jdwpPort(w: Word): Found[] {
  const address = jdwpAddress(w.exp.text);
  if (address === null) return [];
  const found = addressFound({ raw: address, exp: expand(address, 'shell') });
  return found === null ? [] : [{ ...found, word: w.raw, role: 'server' }];
}

/** bash's `/dev/tcp/127.0.0.1/8080` (a health check without curl): a connection to that port. */
function devTcp(w: Word): Found[] {
  const match = /\/dev\/(tcp|udp)\/([^/\s]+)\/(\d+)/.exec(w.exp.text);
  const port = toPort(match?.[3]);
  if (match === null || port === null) return [];
  return [{ host: normalizeHost(match[2] ?? ''), port, via: null, word: w.raw, protocol: match[1] as DeclarationProtocol, role: 'client' }];
}

/** `docker run -p [ip:]host:container[/udp]`: the host port is published, the container's is served there. */
function dockerPublish(w: Word): Found[] {
  // The host IP is an address (with dots or brackets): `80:80` is host port 80 to container port 80.
  const match = /^(?:(\[[^\]]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(w.exp.text);
  if (!match) return [];
  const protocol = (match[4] ?? 'tcp') as DeclarationProtocol;
  const out: Found[] = [];
  const published = toPort(match[2]);
  const target = toPort(match[3]);
  if (published !== null) out.push({ host: match[1] === undefined ? null : normalizeHost(match[1]), port: published, via: null, word: w.raw, protocol, role: 'publish' });
  if (target !== null) out.push({ host: null, port: target, via: null, word: w.raw, protocol, role: 'server', network: 'container' });
  return out;
}

/** The kind a generic script's command belongs to, from its program. */
export function kindOfProgram(program: string): 'python' | 'rails' | 'vite' | 'next' | 'webpack' | 'angular' | 'other' {
  if (/^(uvicorn|gunicorn|hypercorn|daphne|flask|manage\.py|django-admin|http\.server|waitress-serve|fastapi|debugpy|granian)$/.test(program) || program.endsWith('.py')) return 'python';
  if (/^(rails|puma|unicorn|rackup|thin)$/.test(program)) return 'rails';
  if (program === 'vite') return 'vite';
  if (program === 'next') return 'next';
  if (/^webpack(-dev-server)?$/.test(program)) return 'webpack';
  if (program === 'ng') return 'angular';
  return 'other';
}
