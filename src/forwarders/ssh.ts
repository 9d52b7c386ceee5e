/**
 * `ssh -L/-R/-D` tunnels from an ssh client's command line. ssh parses its options with BSD getopt
 * (no argument permutation): options, then the destination, then options again, then the remote
 * command (ssh.c, `goto again`). Forwards also come from `-o LocalForward=…`/`-o RemoteForward=…`
 * (two words: listen and target, as in ssh_config). Forwards written in a config file, or added
 * later through a control master (`ssh -O forward`), are not on the command line and are not seen.
 */
import { parseForwardSpec, type ForwardSpec, type SpecEnd } from './ssh-spec.js';
import type { ArgvForwards, Forward, ForwardSource, ForwardTarget } from './types.js';

/** ssh 9.x's getopt string: letters that stand alone, and letters that take an argument. */
const FLAGS = new Set('1246ACGKMNTVXYZafgknqstvxy');
const WITH_ARGUMENT = new Set('BDEFIJLOPQRSWbceilmopw');

interface SshOptions {
  readonly local: string[];
  readonly remote: string[];
  readonly dynamic: string[];
  /** `-o` keyword/value pairs, keyword lower-cased. */
  readonly config: [string, string][];
  gatewayPorts: boolean;
  /** ssh_config semantics: the first value given wins (readconf.c sets an option only while unset). */
  gatewayPortsFromConfig: boolean | null;
  control: string | null;
  destination: string | null;
}

/**
 * Splits an ssh_config line the way readconf.c does: the keyword ends at whitespace or one `=`, the
 * arguments are whitespace-separated words with double quotes.
 */
export function splitConfigLine(line: string): { keyword: string; args: string[] } | null {
  const match = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+|$)(.*)$/s.exec(line);
  if (match === null) return null;
  const args: string[] = [];
  const rest = match[2] ?? '';
  const word = /"([^"]*)"|(\S+)/g;
  for (let m = word.exec(rest); m !== null; m = word.exec(rest)) args.push(m[1] ?? m[2] ?? '');
  return { keyword: (match[1] ?? '').toLowerCase(), args };
}

/** Walks the options; null with a reason when the command line is not one ssh would accept. */
function readOptions(args: readonly string[]): { ok: true; options: SshOptions } | { ok: false; reason: string } {
  const options: SshOptions = { local: [], remote: [], dynamic: [], config: [], gatewayPorts: false, gatewayPortsFromConfig: null, control: null, destination: null };
  let i = 0;
  let terminated = false;
  for (let pass = 0; pass < 2; pass++) {
    while (i < args.length && !terminated) {
      const arg = args[i] ?? '';
      if (arg === '--') {
        terminated = true;
        i++;
        break;
      }
      if (!arg.startsWith('-') || arg === '-') break;
      i++;
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] ?? '';
        if (FLAGS.has(letter)) {
          if (letter === 'g') options.gatewayPorts = true;
          continue;
        }
        if (!WITH_ARGUMENT.has(letter)) return { ok: false, reason: `ssh has no option -${letter}` };
        let value = arg.slice(j + 1);
        if (value === '') {
          const next = args[i];
          if (next === undefined) return { ok: false, reason: `ssh option -${letter} without its argument` };
          value = next;
          i++;
        }
        take(options, letter, value);
        break;
      }
    }
    if (pass === 0) {
      const destination = args[i];
      if (destination === undefined) return { ok: false, reason: 'ssh command line without a destination' };
      options.destination = destination;
      i++;
    }
  }
  return { ok: true, options };
}

function take(options: SshOptions, letter: string, value: string): void {
  if (letter === 'L') options.local.push(value);
  else if (letter === 'R') options.remote.push(value);
  else if (letter === 'D') options.dynamic.push(value);
  else if (letter === 'O') options.control = value;
  else if (letter === 'o') {
    const line = splitConfigLine(value);
    if (line === null) return;
    const joined = line.args.join(' ');
    options.config.push([line.keyword, joined]);
    if (line.keyword === 'gatewayports') options.gatewayPortsFromConfig ??= /^yes$/i.test(line.args[0] ?? '');
    if (line.keyword === 'localforward' || line.keyword === 'remoteforward') {
      // As in ssh_config: `LocalForward [bind:]port host:hostport` (two words) joined into one spec.
      const spec = line.args.length >= 2 ? `${line.args[0]}:${line.args[1]}` : (line.args[0] ?? '');
      (line.keyword === 'localforward' ? options.local : options.remote).push(spec);
    }
    if (line.keyword === 'dynamicforward' && line.args[0] !== undefined) options.dynamic.push(line.args[0]);
  }
}

/** ssh's bind address: null → GatewayPorts decides (loopback unless -g); `` and `*` → every interface. */
function listenAddress(host: string | null, gatewayPorts: boolean): string | null {
  if (host === null) return gatewayPorts ? '*' : null;
  return host === '' ? '*' : host;
}

/** A spec we do not read: ssh may expand `${VAR}` or look a service name up; we do not guess. */
function unreadableNote(option: string, spec: string): string {
  return `${option} ${spec} is not read (an environment variable, a service name, or a form ssh would reject): its forward is unknown`;
}

function target(end: SpecEnd): ForwardTarget {
  return end.kind === 'tcp' ? { host: end.host ?? 'localhost', port: end.port } : { host: end.path, port: null, socketPath: end.path };
}

/** What an ssh command line asks to listen on here: its -L and -D specs (and their -o forms), as written. */
export interface SshListenRequests {
  readonly local: readonly string[];
  readonly dynamic: readonly string[];
  /** -g or `-o GatewayPorts=yes`: a -L or -D without a bind address listens on every interface. */
  readonly gatewayPorts: boolean;
  readonly destination: string;
}

/**
 * The forwards an ssh command line asks to listen on here; null when ssh would not accept the
 * line, or when it is a control command (`-O`: the master holds the forwards).
 *
 * @example
 * sshListenRequests(['ssh', '-N', '-L', '8080:db:5432', 'bastion'])?.local; // ['8080:db:5432']
 */
export function sshListenRequests(argv: readonly string[]): SshListenRequests | null {
  const read = readOptions(argv.slice(1));
  if (!read.ok || read.options.control !== null) return null;
  const { options } = read;
  return { local: options.local, dynamic: options.dynamic, gatewayPorts: options.gatewayPorts || options.gatewayPortsFromConfig === true, destination: options.destination ?? '' };
}

/**
 * The tunnels of one ssh client, from its argv (program name first). `pid` words the stop command.
 *
 * @example
 * parseSshArgv(['ssh', '-N', '-L', '8080:localhost:80', 'deploy@web1'], 4242).forwards
 * // [{ kind: 'ssh-local', listensOn: 'this-host', from: { address: null, port: 8080, protocol: 'tcp' },
 * //    to: { host: 'localhost', port: 80 }, via: 'deploy@web1', stop: 'kill 4242' }]
 */
export function parseSshArgv(argv: readonly string[], pid: number | null = null): ArgvForwards {
  const read = readOptions(argv.slice(1));
  if (!read.ok) return read;
  const { options } = read;
  const via = options.destination ?? '';
  if (options.control !== null) {
    return { ok: true, forwards: [], notes: [`a control command (-O ${options.control}) to a master connection: the master process holds the forwards`] };
  }
  const stop = pid === null ? 'stop this ssh process (kill its pid)' : `kill ${pid}`;
  const forwards: Forward[] = [];
  const notes: string[] = [];
  const gatewayPorts = options.gatewayPorts || options.gatewayPortsFromConfig === true;
  const add = (spec: string, which: 'local' | 'remote'): void => {
    const parsed: ForwardSpec | null = parseForwardSpec(spec, which);
    const option = which === 'local' ? '-L' : '-R';
    if (parsed === null) {
      notes.push(unreadableNote(option, spec));
      return;
    }
    if (parsed.listen.kind === 'path') {
      notes.push(`${option} ${spec} listens on the Unix socket ${parsed.listen.path}, not on a port`);
      return;
    }
    if (parsed.connect === null) {
      notes.push(`${option} ${spec} is a SOCKS proxy on the SSH server: each connection names its own destination`);
      return;
    }
    const from: ForwardSource = {
      address: listenAddress(parsed.listen.host, which === 'local' && gatewayPorts),
      port: parsed.listen.port === 0 ? null : parsed.listen.port,
      protocol: 'tcp',
    };
    forwards.push({ kind: which === 'local' ? 'ssh-local' : 'ssh-remote', listensOn: which === 'local' ? 'this-host' : 'ssh-server', from, to: target(parsed.connect), via, stop });
  };
  for (const spec of options.local) add(spec, 'local');
  for (const spec of options.remote) add(spec, 'remote');
  for (const spec of options.dynamic) {
    const parsed = parseForwardSpec(spec, 'dynamic');
    if (parsed === null) notes.push(unreadableNote('-D', spec));
    else if (parsed.listen.kind === 'path') notes.push(`-D ${spec} is a SOCKS proxy on the Unix socket ${parsed.listen.path}`);
    else notes.push(`-D ${spec} is a SOCKS proxy on port ${parsed.listen.port}: each connection names its own destination`);
  }
  return notes.length === 0 ? { ok: true, forwards } : { ok: true, forwards, notes };
}
