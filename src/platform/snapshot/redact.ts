import { encodeBytes, sourceBytes, type Snapshot, type SnapshotSource } from './format.js';

/**
 * `--redact`: a snapshot safe to attach to a public bug report. User names, home directories and
 * command-line arguments become stable placeholders (the same value always gets the same one, so
 * the replay still joins processes to sockets); ports, addresses, pids and program names stay,
 * since the diagnosis needs them.
 */

/** Accounts of the OS itself: kept, they say nothing about a person. */
function isSystemAccount(name: string): boolean {
  return /^(root|daemon|bin|sys|nobody|nogroup|systemd-.*|messagebus|_.*|www-data|postgres|redis|mysql|memcache|sshd|syslog|uuidd|tcpdump|man|lp|mail|news|proxy|backup|list|irc|games|SYSTEM|LOCAL SERVICE|NETWORK SERVICE|Administrator)$/i.test(name);
}

/** An argument that carries no personal data: a flag, a number, an address or host:port spec. */
function isHarmlessArgument(arg: string): boolean {
  if (/^--?[A-Za-z][\w-]*$/.test(arg)) return true;
  return /^[\w.:[\]=,/-]*$/.test(arg) && /\d/.test(arg) && !arg.includes('/');
}

class Placeholders {
  private readonly users = new Map<string, string>();
  private readonly args = new Map<string, string>();
  private readonly hosts = new Map<string, string>();

  /** A host name (not an address, not localhost): `host1`, `host2`, … */
  host(name: string): string {
    if (name === '' || /^(localhost|[\d.]+|[\da-f:]*:[\da-f:.]*)$/i.test(name)) return name;
    let placeholder = this.hosts.get(name.toLowerCase());
    if (placeholder === undefined) {
      placeholder = `host${this.hosts.size + 1}`;
      this.hosts.set(name.toLowerCase(), placeholder);
    }
    return placeholder;
  }

  user(name: string): string {
    let placeholder = this.users.get(name);
    if (placeholder === undefined) {
      placeholder = `user${this.users.size + 1}`;
      this.users.set(name, placeholder);
    }
    return placeholder;
  }

  argument(arg: string): string {
    if (isHarmlessArgument(arg)) return arg;
    let placeholder = this.args.get(arg);
    if (placeholder === undefined) {
      placeholder = `<arg${this.args.size + 1}>`;
      this.args.set(arg, placeholder);
    }
    return placeholder;
  }

  /** Home directories and user names in free text. */
  text(text: string): string {
    let out = text
      .replace(/\/(home|Users)\/([^/\s:'"]+)/g, (_m, root: string, name: string) => (isSystemAccount(name) ? `/${root}/${name}` : `/${root}/${this.user(name)}`))
      .replace(/([A-Za-z]:\\Users\\)([^\\\s"]+)/g, (_m, root: string, name: string) => (isSystemAccount(name) || name === 'Public' || name === 'Default' ? `${root}${name}` : `${root}${this.user(name)}`));
    for (const [name, placeholder] of this.users) {
      if (name.length < 3) continue; // too short to replace without mangling other words
      out = out.replace(new RegExp(`(?<![\\w.-])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w-])`, 'g'), placeholder);
    }
    return out;
  }
}

/** Keeps the program, replaces what follows it: `/usr/bin/node server.js --port 3000` → `/usr/bin/node <arg1> --port 3000`. */
function redactArgv(args: readonly string[], names: Placeholders): string[] {
  return args.map((arg, index) => (index === 0 ? arg : names.argument(arg)));
}

/** /proc/<pid>/cmdline: NUL-separated argv. */
function redactCmdline(text: string, names: Placeholders): string {
  const trailing = text.endsWith('\0');
  const args = (trailing ? text.slice(0, -1) : text).split('\0');
  return redactArgv(args, names).join('\0') + (trailing ? '\0' : '');
}

/** `ps -o pid=,ppid=,uid=,user=,lstart=,args=`: nine leading fields, then the command line. */
function redactPsLines(text: string, names: Placeholders): string {
  return text
    .split('\n')
    .map((line) => {
      const match = /^(\s*\d+\s+\d+\s+\d+\s+)(\S+)(\s+\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+\s+)(.*)$/.exec(line);
      if (match === null) return line;
      const [, lead = '', user = '', lstart = '', args = ''] = match;
      const who = isSystemAccount(user) ? user : names.user(user);
      return `${lead}${who}${lstart}${redactArgv(args.split(' '), names).join(' ')}`;
    })
    .join('\n');
}

/**
 * A Windows command line: the program (quoted or not) stays, each argument after it goes through
 * the placeholders. `"C:\Program Files\nodejs\node.exe" C:\Users\ann\app.js --port 3000`
 * → `"C:\Program Files\nodejs\node.exe" <arg1> --port 3000`.
 */
function redactWindowsCommandLine(commandLine: string, names: Placeholders): string {
  const program = /^\s*("[^"]*"|\S+)/.exec(commandLine);
  if (program === null) return commandLine;
  const rest = commandLine.slice(program[0].length);
  // Arguments as Windows splits them, near enough: quoted runs stay whole.
  const args = rest.match(/"[^"]*"|\S+/g) ?? [];
  return [program[0], ...args.map((arg) => names.argument(arg))].join(' ');
}

/**
 * PowerShell JSON (the sockets and processes scripts): every CommandLine field's arguments
 * replaced, and user names and home paths in every string (read decoded: in the JSON text a
 * path's backslashes are doubled, which the free-text pass would not recognise).
 */
function redactPowerShellJson(text: string, names: Placeholders): string {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return text; // not JSON: the free-text pass below still replaces user names and home paths
  }
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === 'string') return names.text(value);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key.toLowerCase() === 'commandline' && typeof item === 'string' ? names.text(redactWindowsCommandLine(item, names)) : walk(item)]));
  };
  return `${JSON.stringify(walk(document))}${text.endsWith('\n') ? (text.endsWith('\r\n') ? '\r\n' : '\n') : ''}`;
}

/**
 * `lsof -F…`: the login name is the `L` field (a field starts a line, or follows a NUL with -F0).
 * The free-text pass below cannot see it there: `Lalice` reads as one word.
 */
function redactLsofLogins(text: string, names: Placeholders): string {
  return text.replace(/(^|\0|\n)L([^\0\n]*)/g, (_m, start: string, name: string) => `${start}L${isSystemAccount(name) || name === '' ? name : names.user(name)}`);
}

/** A Host/Match pattern: the wildcards and `!` stay (they decide what a block applies to), each name between them gets a placeholder. */
function redactHostPattern(pattern: string, names: Placeholders): string {
  return pattern.replace(/[^*?!,]+/g, (part) => names.host(part));
}

/** `host:port`, `[v6]:port` or a socket path: the host gets a placeholder, the port stays. */
function redactForwardTarget(target: string, names: Placeholders): string {
  const match = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(target);
  return match === null ? names.argument(target) : `${names.host(match[1] ?? '')}:${match[2] ?? ''}`;
}

/** Keywords of ssh_config whose arguments are host names. */
const SSH_HOST_KEYWORDS = new Set(['hostname', 'proxyjump', 'hostkeyalias']);
/** Keywords whose arguments a replay needs as written: the forwarded ports and addresses, Include paths (home and user names still go). */
const SSH_KEPT_KEYWORDS = new Set(['include', 'clearallforwardings', 'gatewayports', 'exitonforwardfailure', 'port']);

/**
 * The user's ssh client configuration: keywords, line numbers, ports, addresses and the shape of
 * Host/Match patterns stay (the diagnosis needs them); host names become `hostN`, other values
 * (users, key files, commands) argument placeholders, comments are emptied.
 */
function redactSshConfig(text: string, names: Placeholders): string {
  return text
    .split('\n')
    .map((line) => {
      const match = /^(\s*)([A-Za-z]+)(\s*=?\s*)(.*?)(\s*)$/s.exec(line);
      if (match === null) return /^\s*#/.test(line) ? line.replace(/#.*/s, '#') : line;
      const [, lead = '', keyword = '', gap = '', rest = '', tail = ''] = match;
      const lower = keyword.toLowerCase();
      const words = rest.replace(/\s+#.*$/s, '').split(/\s+/).filter((w) => w !== '');
      let out: string[];
      if (lower === 'host') out = words.map((w) => redactHostPattern(w, names));
      else if (lower === 'match') out = words.map((w, i) => (/^!?(all|canonical|final|host|originalhost|user|localuser|exec|localnetwork|tagged|command|version|sessiontype)$/i.test(w) ? w : /^!?(host|originalhost)$/i.test(words[i - 1] ?? '') ? redactHostPattern(w, names) : names.argument(w)));
      else if (lower === 'localforward' || lower === 'remoteforward') out = words.map((w, i) => (i === 1 ? redactForwardTarget(w, names) : w));
      else if (lower === 'dynamicforward' || SSH_KEPT_KEYWORDS.has(lower)) out = words;
      else if (SSH_HOST_KEYWORDS.has(lower)) out = words.map((w) => names.host(w));
      else out = words.map((w) => names.argument(w));
      return `${lead}${keyword}${gap}${out.join(' ')}${tail}`;
    })
    .join('\n');
}

/**
 * Rewrites the text of a source, keeping its kind and bytes-or-text form. Bytes that are not
 * UTF-8 (a Windows console's OEM code page) are edited as Latin-1, one character per byte, so
 * every byte the edit does not touch stays as it was.
 */
function mapText(source: SnapshotSource, edit: (text: string) => string): SnapshotSource {
  if ('link' in source) return source.target === undefined ? source : { ...source, target: edit(source.target) };
  if ('dir' in source) return source.entries === undefined ? source : { ...source, entries: source.entries.map(edit) };
  const bytes = sourceBytes(source);
  if (bytes === null) return source;
  const binary = ('stdoutBase64' in source && source.stdoutBase64 !== undefined) || ('contentBase64' in source && source.contentBase64 !== undefined);
  const encoding = binary ? 'latin1' : 'utf8';
  const encoded = encodeBytes(Buffer.from(edit(bytes.toString(encoding)), encoding));
  if ('command' in source) {
    const { stdout: _stdout, stdoutBase64: _base64, ...rest } = source;
    return { ...rest, stderr: edit(source.stderr), ...('text' in encoded ? { stdout: encoded.text } : { stdoutBase64: encoded.base64 }) };
  }
  const { content: _content, contentBase64: _base64, ...rest } = source;
  return { ...rest, ...('text' in encoded ? { content: encoded.text } : { contentBase64: encoded.base64 }) };
}

/**
 * A copy of `snapshot` with user names, home paths and command-line arguments replaced by stable
 * placeholders, marked `redacted: true`.
 *
 * @example
 * const safe = redactSnapshot(await (await platform()).snapshot());
 * safe.user.name; // 'user1'
 */
export function redactSnapshot(snapshot: Snapshot): Snapshot {
  const names = new Placeholders();
  // Learn the people's account names first, so every later mention of them is replaced.
  if (!isSystemAccount(snapshot.user.name) && snapshot.user.name !== '') names.user(snapshot.user.name);
  const passwd = snapshot.sources['passwd'];
  const passwdText = passwd === undefined ? null : sourceBytes(passwd)?.toString('utf8');
  for (const line of passwdText?.split('\n') ?? []) {
    const [name, , uid] = line.split(':');
    if (name !== undefined && name !== '' && Number(uid) >= 1000 && Number(uid) < 65534 && !isSystemAccount(name)) names.user(name);
  }
  const sources: Record<string, SnapshotSource> = {};
  for (const [key, source] of Object.entries(snapshot.sources)) {
    let edited = source;
    if (/\/cmdline$/.test(key)) edited = mapText(edited, (text) => redactCmdline(text, names));
    else if (key === 'ps') edited = mapText(edited, (text) => redactPsLines(text, names));
    else if (key.startsWith('powershell-')) edited = mapText(edited, (text) => redactPowerShellJson(text, names));
    else if (key === 'lsof-inet') edited = mapText(edited, (text) => redactLsofLogins(text, names));
    else if (key === 'ssh-config' || key.startsWith('ssh-config:')) edited = mapText(edited, (text) => redactSshConfig(text, names));
    sources[key] = edited;
  }
  for (const [key, source] of Object.entries(sources)) {
    const edited = mapText(source, (text) => names.text(text));
    // The ssh configuration's keys and paths name the home directory (other sources' keys are /proc paths and fixed names).
    if (!key.startsWith('ssh-config')) sources[key] = edited;
    else {
      delete sources[key];
      sources[names.text(key)] = 'file' in edited ? { ...edited, file: names.text(edited.file) } : 'dir' in edited ? { ...edited, dir: names.text(edited.dir) } : edited;
    }
  }
  const user = { ...snapshot.user, name: isSystemAccount(snapshot.user.name) || snapshot.user.name === '' ? snapshot.user.name : names.user(snapshot.user.name) };
  return { ...snapshot, user, redacted: true, sources };
}
