import { parseAddress, substitute, toPort } from './text.js';
import type { DeclarationRole, Variables } from './types.js';

export interface CommandPort {
  readonly role: DeclarationRole;
  readonly host: string | null;
  readonly port: number;
  /** The program the port belongs to (`vite`, `uvicorn`, `manage.py`…), for kind detection. */
  readonly program: string;
}

/**
 * Splits a shell command line into simple commands of words: quotes and backslashes are honoured,
 * `&&`, `||`, `;`, `|`, `&` separate commands. Not a shell: no expansion, which we do ourselves
 * and only for `${VAR:-default}`.
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
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** Prefixes that run another program: skipped to find the program that takes the port flags. */
const WRAPPERS = new Set(['cross-env', 'env', 'npx', 'exec', 'nodemon', 'dotenv', 'sudo', 'time', 'nice', 'pnpm', 'yarn', 'bunx', 'poetry', 'pipenv', 'bundle', 'uv']);
const RUN_WORDS = new Set(['run', 'exec', 'dlx', '--', '-m']);

/** Programs whose --port/-p/--host name where they connect, not where they listen. */
const CLIENT_PROGRAMS = new Set(['psql', 'pg_dump', 'pg_isready', 'mysql', 'mysqldump', 'mysqladmin', 'redis-cli', 'mongo', 'mongosh', 'ssh', 'scp', 'sftp', 'nc', 'ncat', 'telnet', 'curl', 'wget', 'amqp-consume', 'nats', 'memcstat']);

const PORT_FLAGS = new Set(['--port', '-p', '--http-port', '--listen-port', '--server-port']);
const HOST_FLAGS = new Set(['--host', '-H', '--hostname', '--bind-address', '--addr']);
/** Flags whose value is an address (`host:port`, a URL, or a port). */
const ADDRESS_FLAGS = new Set(['--bind', '-b', '--listen', '-l', '-S', '--address']);

/**
 * Finds the ports a command line serves on: `--port 5174`, `--port=5174`, `-p 4000`,
 * `PORT=4001 node …`, `gunicorn -b 0.0.0.0:8000`, `manage.py runserver 0.0.0.0:8000`,
 * `python -m http.server 8000`, `php -S localhost:8000`, `serve -l 5000`, `node --inspect=9230`;
 * and what it waits for (`wait-on http://localhost:3000` → client). Quoted arguments that are
 * themselves command lines (`concurrently "vite --port 5174" …`) are analysed too.
 *
 * @example
 * analyzeCommandLine('next dev -p 4000', new Map()) // [{ role: 'server', host: null, port: 4000, program: 'next' }]
 */
export function analyzeCommandLine(line: string, vars: Variables, depth = 0): CommandPort[] {
  const found: CommandPort[] = [];
  for (const words of splitCommands(line)) {
    found.push(...analyzeWords(words.map((w) => substitute(w, vars)), vars, depth));
  }
  return found;
}

/** The same analysis for an argument vector (launch.json `args`, Dockerfile exec form). */
export function analyzeWords(words: readonly string[], vars: Variables, depth = 0): CommandPort[] {
  const env = new Map<string, string>();
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i] ?? '';
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w);
    if (assign) env.set(assign[1] ?? '', assign[2] ?? '');
    else if (WRAPPERS.has(w) || RUN_WORDS.has(w) || (w.startsWith('-') && i > 0 && WRAPPERS.has(words[i - 1] ?? ''))) continue;
    else break;
  }
  let program = basename(words[i] ?? '');
  if (/^python[\d.]*$/.test(program)) {
    // `python -m uvicorn …`, `python manage.py runserver`: the module or script is the program.
    const next = words[i + 1] === '-m' ? words[i + 2] : words[i + 1];
    if (next !== undefined) {
      i += words[i + 1] === '-m' ? 2 : 1;
      program = basename(next);
    }
  }
  const rest = words.slice(i + 1);
  const ports: { port: number; host: string | null }[] = [];
  let host: string | null = null;
  const clients: CommandPort[] = [];
  for (let j = 0; j < rest.length; j++) {
    const w = rest[j] ?? '';
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    const flag = eq === -1 ? w : w.slice(0, eq);
    const inline = eq === -1 ? undefined : w.slice(eq + 1);
    const value = inline ?? rest[j + 1];
    const took = inline === undefined ? 1 : 0;
    if (PORT_FLAGS.has(flag) && value !== undefined) {
      const port = toPort(value);
      if (port !== null) {
        ports.push({ port, host: null });
        j += took;
      }
    } else if ((HOST_FLAGS.has(flag) || (flag === '-h' && CLIENT_PROGRAMS.has(program))) && value !== undefined && !value.startsWith('-')) {
      const address = parseAddress(value);
      if (address !== null) ports.push(address);
      else host = value;
      j += took;
    } else if (ADDRESS_FLAGS.has(flag) && value !== undefined) {
      const address = parseAddress(value);
      if (address !== null) ports.push(address);
      else if (flag === '-b' || flag === '--bind') host = value;
      j += took;
    } else if (/^--inspect(-brk)?=/.test(w)) {
      const address = parseAddress(w.slice(w.indexOf('=') + 1));
      if (address !== null) ports.push(address);
    } else if ((w === 'runserver' || w === 'http.server') && rest[j + 1] !== undefined && !rest[j + 1]?.startsWith('-')) {
      const address = parseAddress(rest[j + 1] ?? '');
      if (address !== null) ports.push(address);
      j++;
    } else if (program === 'wait-on' || program === 'wait-port') {
      const address = parseAddress(w.replace(/^(tcp|http-get|https-get):/, (m) => (m === 'tcp:' ? '' : m.slice(0, -5) + ':')));
      if (address !== null) clients.push({ role: 'client', host: address.host, port: address.port, program });
    } else if (depth < 2 && w.includes(' ')) {
      clients.push(...analyzeCommandLine(w, vars, depth + 1));
    }
  }
  if (program === 'http.server' && ports.length === 0) {
    // `python -m http.server 8000`: the port is the first positional argument.
    const positional = toPort(rest.find((w) => !w.startsWith('-')) ?? '');
    if (positional !== null) ports.push({ port: positional, host: null });
  }
  const envPort = toPort(env.get('PORT') ?? '');
  if (ports.length === 0 && envPort !== null) ports.push({ port: envPort, host: env.get('HOST') ?? null });
  // `PORT=3000` alone (a shell variable, not a program's environment): who reads it is unclear.
  // `psql -p 5432`, `ssh -p 2222`: the same flags on a client name the port it connects to.
  const role = program === '' ? ('unknown' as const) : CLIENT_PROGRAMS.has(program) ? ('client' as const) : ('server' as const);
  return [...ports.map((p) => ({ role, host: p.host ?? host, port: p.port, program })), ...clients];
}

function basename(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The kind a generic script's command belongs to, from its program. */
export function kindOfProgram(program: string): 'python' | 'rails' | 'vite' | 'next' | 'webpack' | 'angular' | 'other' {
  if (/^(uvicorn|gunicorn|hypercorn|daphne|flask|manage\.py|django-admin|http\.server|waitress-serve|fastapi)$/.test(program) || program.endsWith('.py')) return 'python';
  if (/^(rails|puma|unicorn|rackup|thin)$/.test(program)) return 'rails';
  if (program === 'vite') return 'vite';
  if (program === 'next') return 'next';
  if (/^webpack(-dev-server)?$/.test(program)) return 'webpack';
  if (program === 'ng') return 'angular';
  return 'other';
}
