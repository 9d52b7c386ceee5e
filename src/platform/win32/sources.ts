import type { Family, Protocol } from '../../types.js';
import type { Snapshot } from '../snapshot/format.js';
import type { CommandRun, RunOptions, SourceReader } from '../snapshot/reader.js';
import { decodeConsole, parseChcp } from './codepage.js';
import { powershellArgs } from './powershell.js';

/**
 * The raw sources of the Windows back-end: each snapshot key with the exact command behind it.
 * A public contract (README, "Windows snapshot sources"): keys are added, never renamed.
 */

/** A command the back-end runs, as a program and its arguments (no shell). */
export interface Win32Command {
  readonly command: string;
  readonly args: readonly string[];
}

/** The console's code page: `chcp` run by cmd.exe (cmd's own built-in, so no other program's code page). */
export const CHCP: Win32Command = { command: 'cmd.exe', args: ['/d', '/c', 'chcp'] };
export const NETSTAT_ANO: Win32Command = { command: 'netstat', args: ['-ano'] };
/** `-q` adds bound sockets that neither listen nor connect (Windows 10 1703 and later). */
export const NETSTAT_ANOQ: Win32Command = { command: 'netstat', args: ['-anoq'] };
export const TASKLIST: Win32Command = { command: 'tasklist', args: ['/FO', 'CSV', '/NH'] };
/** Every `netsh interface portproxy` rule (the IP Helper service listens for each), under the key `netsh-portproxy`. */
export const NETSH_PORTPROXY: Win32Command & { readonly key: string } = { key: 'netsh-portproxy', command: 'netsh', args: ['interface', 'portproxy', 'show', 'all'] };

/**
 * `netsh interface ipv4 show excludedportrange protocol=tcp` and its udp/ipv6 siblings, under
 * the key `excludedportrange-tcp-ipv4` (…-udp-ipv4, -tcp-ipv6, -udp-ipv6).
 */
export function excludedPortRangeSource(protocol: Protocol, family: Family): Win32Command & { readonly key: string } {
  return { key: `excludedportrange-${protocol}-${family}`, command: 'netsh', args: ['interface', family, 'show', 'excludedportrange', `protocol=${protocol}`] };
}

/** `netsh int ipv4 show dynamicport tcp` and its siblings, under `dynamicport-tcp-ipv4` (…). */
export function dynamicPortSource(protocol: Protocol, family: Family): Win32Command & { readonly key: string } {
  return { key: `dynamicport-${protocol}-${family}`, command: 'netsh', args: ['int', family, 'show', 'dynamicport', protocol] };
}

/** `powershell.exe -NoProfile -NonInteractive -NoLogo -EncodedCommand <script>`. */
export function powershellCommand(script: string): Win32Command {
  return { command: 'powershell.exe', args: powershellArgs(script) };
}

/** Every (protocol, family) pair netsh is asked about. */
export const NETSH_PAIRS: readonly (readonly [Protocol, Family])[] = [
  ['tcp', 'ipv4'],
  ['tcp', 'ipv6'],
  ['udp', 'ipv4'],
  ['udp', 'ipv6'],
];

/** Where Windows keeps the hosts and services files: %SystemRoot%\System32\drivers\etc. */
export function etcPath(systemRoot: string, name: 'hosts' | 'services'): string {
  return `${systemRoot.replace(/\\+$/, '')}\\System32\\drivers\\etc\\${name}`;
}

/**
 * The path of a file as the machine named it: the snapshot's own record on a replay (the
 * SystemRoot of the machine it came from), else from %SystemRoot% here.
 */
export function windowsFilePath(snapshot: Snapshot | null, key: 'hosts' | 'services', systemRoot: string | undefined): string {
  const recorded = snapshot?.sources[key];
  if (recorded !== undefined && 'file' in recorded) return recorded.file;
  return etcPath(systemRoot ?? 'C:\\Windows', key);
}

/** Console text of a command, and what is uncertain about how it was decoded. */
export interface ConsoleText {
  readonly text: string;
  /** Why the decoding may be wrong (no code page known), or null. */
  readonly doubt: string | null;
}

/** The console's code page, read once per back-end. */
export interface CodePageRead {
  readonly codePage: number | null;
  /** Why it is unknown, when it is. */
  readonly reason: string | null;
}

/**
 * Reads the console code page through `reader` (key `chcp`). chcp's own answer is localised
 * ("Aktive Codepage: 850.") but always holds exactly one number.
 *
 * @example
 * (await readCodePage(reader)).codePage; // 850
 */
export async function readCodePage(reader: SourceReader): Promise<CodePageRead> {
  const run = await reader.run('chcp', CHCP.command, CHCP.args, { timeoutMs: 3000 });
  if (!run.ok) return { codePage: null, reason: run.failure === 'not-recorded' ? 'chcp is not in the snapshot' : `chcp failed (${run.failure ?? 'unknown'})` };
  // Latin-1 keeps every byte as one character: the digits survive whatever the code page.
  const codePage = parseChcp(run.bytes.toString('latin1'));
  return codePage === null ? { codePage: null, reason: `chcp said "${run.bytes.toString('latin1').trim()}"` } : { codePage, reason: null };
}

const isAscii = (bytes: Buffer): boolean => bytes.every((byte) => byte < 0x80);
const hasBom = (bytes: Buffer): boolean => (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);

/**
 * A console program's output as text: netstat, tasklist and netsh write in the console's OEM code
 * page. A byte-order mark decides first (a redirected PowerShell 5.1 file is UTF-16LE); ASCII
 * reads the same in every code page. Otherwise the recorded code page decodes it; without one,
 * valid UTF-8 is taken as UTF-8 and anything else as Latin-1, which keeps the digits, dots,
 * colons and brackets that the parsers read (only localised words may come out wrong) — and
 * `doubt` says so.
 *
 * @example
 * consoleText(run, { codePage: 850, reason: null }).text;
 */
export function consoleText(run: Pick<CommandRun, 'bytes'>, codePage: CodePageRead): ConsoleText {
  const bytes = run.bytes;
  if (hasBom(bytes) || isAscii(bytes) || codePage.codePage !== null) {
    const decoded = decodeConsole(bytes, hasBom(bytes) || isAscii(bytes) ? 65001 : (codePage.codePage ?? 65001));
    if (decoded.ok) return { text: decoded.text, doubt: null };
    return { text: bytes.toString('latin1'), doubt: `${decoded.reason}; read as Latin-1, so localised words may be wrong` };
  }
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!utf8.includes('\uFFFD')) return { text: utf8, doubt: `the console code page is unknown (${codePage.reason ?? 'not read'}); the text was valid UTF-8 and read as such` };
  return { text: bytes.toString('latin1'), doubt: `the console code page is unknown (${codePage.reason ?? 'not read'}); read as Latin-1, so localised words may be wrong (numbers and addresses are not affected)` };
}

/** Runs a Windows command through the reader under its key. */
export function runSource(reader: SourceReader, key: string, source: Win32Command, options: RunOptions = {}): Promise<CommandRun> {
  return reader.run(key, source.command, source.args, options);
}

/** Why a command gave nothing usable, for `stats.unread` and notes. */
export function failureText(run: CommandRun): string {
  switch (run.failure) {
    case 'not-recorded':
      return 'not in the snapshot';
    case 'missing':
      return 'the program is not installed';
    case 'timeout':
      return 'it took too long and was stopped';
    case 'denied':
      return 'permission denied';
    default:
      return `exit code ${run.exitCode ?? '?'}${run.stderr.trim() === '' ? '' : `: ${run.stderr.trim().split(/\r?\n/)[0]}`}`;
  }
}
