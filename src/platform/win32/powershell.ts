import type { SocketState } from '../../types.js';
import { isUnspecifiedAddress, socketRow, splitAddress, type Win32SocketRow } from './socket-row.js';

/**
 * One PowerShell call that answers "which sockets, and which processes hold them" as JSON, and
 * the parser of its output. Sockets come from Get-NetTCPConnection / Get-NetUDPEndpoint
 * (MSFT_NetTCPConnection / MSFT_NetUDPEndpoint in root/StandardCimv2), processes from
 * Win32_Process (WMIC is gone from Windows 11 24H2).
 *
 * MSFT_NetTCPConnection.State is a uint8 (learn.microsoft.com/windows/win32/fwp/wmi/nettcpipprov/
 * msft-nettcpconnection). Values 1–12 are MIB_TCP_STATE (learn.microsoft.com/openspecs/
 * windows_protocols/ms-rrasm/882bec9c-2fb6-4acd-a9b6-dabcab1ac0d6: CLOSED = 1 … DELETE_TCB = 12);
 * `Bound` is the thirteenth value Get-NetTCPConnection -State accepts ("Accepted values: Closed,
 * Listen, SynSent, SynReceived, Established, FinWait1, FinWait2, CloseWait, Closing, LastAck,
 * TimeWait, DeleteTCB, Bound": MicrosoftDocs/windows-powershell-docs, docset/winserver2025-ps/
 * nettcpip/Get-NetTCPConnection.md). No page we could read gives its number; 100 is taken from
 * the issue that asked for this parser. A state number we do not know is UNKNOWN, never guessed,
 * and the name `Bound` is read whatever its number.
 */

/** MSFT_NetTCPConnection.State numbers → ss spelling. */
const STATE_NUMBERS: ReadonlyMap<number, SocketState> = new Map([
  [1, 'UNCONN'], // Closed
  [2, 'LISTEN'],
  [3, 'SYN-SENT'],
  [4, 'SYN-RECV'],
  [5, 'ESTAB'],
  [6, 'FIN-WAIT-1'],
  [7, 'FIN-WAIT-2'],
  [8, 'CLOSE-WAIT'],
  [9, 'CLOSING'],
  [10, 'LAST-ACK'],
  [11, 'TIME-WAIT'],
  [12, 'UNKNOWN'], // DeleteTCB
  [100, 'UNCONN'], // Bound: bound to a port, neither listening nor connected (ss shows UNCONN)
]);

/** The State enum's names, as PowerShell 7 writes them with `-EnumsAsStrings` or `.ToString()`. */
const STATE_NAMES: ReadonlyMap<string, SocketState> = new Map([
  ['closed', 'UNCONN'],
  ['listen', 'LISTEN'],
  ['synsent', 'SYN-SENT'],
  ['synreceived', 'SYN-RECV'],
  ['established', 'ESTAB'],
  ['finwait1', 'FIN-WAIT-1'],
  ['finwait2', 'FIN-WAIT-2'],
  ['closewait', 'CLOSE-WAIT'],
  ['closing', 'CLOSING'],
  ['lastack', 'LAST-ACK'],
  ['timewait', 'TIME-WAIT'],
  ['deletetcb', 'UNKNOWN'],
  ['bound', 'UNCONN'],
]);

/**
 * One Win32_Process as both scripts print it. CreationDate as ISO 8601 UTC: 5.1 would write
 * "\/Date(ms)\/" and 7 a local-time string. Together with the PID it identifies the process
 * before any signal (PIDs are reused).
 */
const PROCESS_PROJECTION =
  "ForEach-Object { [pscustomobject]@{ ProcessId = [int]$_.ProcessId; ParentProcessId = [int]$_.ParentProcessId; Name = $_.Name; CommandLine = $_.CommandLine; ExecutablePath = $_.ExecutablePath; CreationDate = $(if ($null -ne $_.CreationDate) { $_.CreationDate.ToUniversalTime().ToString('o') } else { $null }) } }";

/** The lines every script starts with. */
const PREAMBLE = [
  // Windows PowerShell 5.1 writes to a pipe in the console's OEM code page, which would garble
  // non-ASCII command lines and paths: force UTF-8, and without a BOM (UTF8Encoding $false).
  '[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false',
  // Progress records come out on stderr as CLIXML when the host is not interactive.
  "$ProgressPreference = 'SilentlyContinue'",
  // Get-NetTCPConnection raises an error when a filter matches nothing; nothing matching is an
  // answer (empty lists), not a failure. Every command below also says -ErrorAction itself.
  "$ErrorActionPreference = 'SilentlyContinue'",
];

/** Whole numbers in 0..max only: nothing else is ever put into a script, so no quoting can go wrong. */
function numberList(values: readonly number[], max: number): string {
  return values.filter((value) => Number.isInteger(value) && value >= 0 && value <= max).join(',');
}

/**
 * The script, one line each, with why. It prints one JSON document
 * `{"tcp":[…],"udp":[…],"processes":[…]}`; `ports` narrows the sockets (and so the processes) to
 * those local ports. Only digits are ever put into the script, so no quoting can go wrong.
 */
function scriptLines(ports: readonly number[]): string[] {
  return [
    ...PREAMBLE,
    // The ports asked for; an empty list means every socket.
    `$ports = @(${numberList(ports, 65535)})`,
    // State as its number: 5.1 writes enums as numbers and 7 may not; [int] makes both the same.
    // @() keeps a one-element result an array (ConvertTo-Json would unwrap it otherwise).
    '$tcp = @(Get-NetTCPConnection -ErrorAction SilentlyContinue | Where-Object { $ports.Count -eq 0 -or $ports -contains [int]$_.LocalPort } | ForEach-Object { [pscustomobject]@{ LocalAddress = $_.LocalAddress; LocalPort = [int]$_.LocalPort; RemoteAddress = $_.RemoteAddress; RemotePort = [int]$_.RemotePort; State = [int]$_.State; OwningProcess = [int]$_.OwningProcess } })',
    // UDP endpoints have no state and no peer in MSFT_NetUDPEndpoint.
    '$udp = @(Get-NetUDPEndpoint -ErrorAction SilentlyContinue | Where-Object { $ports.Count -eq 0 -or $ports -contains [int]$_.LocalPort } | ForEach-Object { [pscustomobject]@{ LocalAddress = $_.LocalAddress; LocalPort = [int]$_.LocalPort; OwningProcess = [int]$_.OwningProcess } })',
    // Only the processes that own one of those sockets: their details are what `who` shows.
    '$pids = @(@($tcp) + @($udp) | ForEach-Object { $_.OwningProcess } | Sort-Object -Unique)',
    `$procs = @(Get-CimInstance -ClassName Win32_Process -ErrorAction SilentlyContinue | Where-Object { $pids -contains [int]$_.ProcessId } | ${PROCESS_PROJECTION})`,
    // One document on one line; depth 3 covers document → list → item.
    '[pscustomobject]@{ tcp = $tcp; udp = $udp; processes = $procs } | ConvertTo-Json -Depth 3 -Compress',
  ];
}

/** The script for every socket on the machine. */
export const POWERSHELL_SOCKETS_SCRIPT: string = scriptLines([]).join('\n');

/**
 * The script narrowed to some local ports (what `who PORT` needs).
 *
 * @example
 * powershellSocketsScript([3000]).includes('$ports = @(3000)'); // true
 */
export function powershellSocketsScript(ports: readonly number[]): string {
  return scriptLines(ports).join('\n');
}

/**
 * Beyond this many pids the processes script asks for every process and the caller filters:
 * a WQL filter of hundreds of `OR`s is slower than the whole list, and the command line has a
 * limit (32,767 characters).
 */
export const MAX_FILTERED_PIDS = 200;

/**
 * The script that answers "who are these pids": their Win32_Process details and the Windows
 * services they host (Win32_Service by ProcessId), as `{"processes":[…],"services":[…]}`.
 * An empty list (or more than MAX_FILTERED_PIDS) means every process and every running service.
 * The selection is a WQL filter, so WMI does it and no full process list crosses into PowerShell.
 *
 * @example
 * powershellProcessesScript([4242]).includes('$pids = @(4242)'); // true
 */
export function powershellProcessesScript(pids: readonly number[]): string {
  const wanted = pids.length > MAX_FILTERED_PIDS ? [] : pids;
  return [
    ...PREAMBLE,
    `$pids = @(${numberList(wanted, 0xffffffff)})`,
    // `ProcessId >= 0` selects everything: Get-CimInstance rejects an empty -Filter.
    "$processFilter = if ($pids.Count -eq 0) { 'ProcessId >= 0' } else { ($pids | ForEach-Object { \"ProcessId = $_\" }) -join ' OR ' }",
    // Stopped services have ProcessId 0; they hold no port.
    "$serviceFilter = if ($pids.Count -eq 0) { 'ProcessId <> 0' } else { $processFilter }",
    `$procs = @(Get-CimInstance -ClassName Win32_Process -Filter $processFilter -ErrorAction SilentlyContinue | ${PROCESS_PROJECTION})`,
    '$services = @(Get-CimInstance -ClassName Win32_Service -Filter $serviceFilter -ErrorAction SilentlyContinue | ForEach-Object { [pscustomobject]@{ Name = $_.Name; ProcessId = [int]$_.ProcessId } })',
    '[pscustomobject]@{ processes = $procs; services = $services } | ConvertTo-Json -Depth 3 -Compress',
  ].join('\n');
}

/**
 * Arguments for `powershell.exe` (5.1) or `pwsh` (7): no profile (user profiles print text and
 * take time), no prompts, no banner, and the script as -EncodedCommand (base64 of UTF-16LE),
 * which no quoting layer between us and PowerShell can alter.
 *
 * @example
 * powershellArgs('1')[4]; // 'MQA='
 */
export function powershellArgs(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-NoLogo', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}

export interface Win32Process {
  readonly pid: number;
  readonly ppid: number;
  readonly name: string;
  readonly commandLine: string | null;
  readonly executablePath: string | null;
  /** ISO 8601 (UTC), or null when unknown. */
  readonly creationDate: string | null;
}

export interface PowerShellSockets {
  readonly sockets: readonly Win32SocketRow[];
  readonly processes: readonly Win32Process[];
  /** One sentence per item that was left out (and why), or whose date could not be read. */
  readonly problems: readonly string[];
}

export type PowerShellResult = { readonly ok: true; readonly value: PowerShellSockets } | { readonly ok: false; readonly reason: string };

/**
 * The script's output → sockets and processes. Empty output or `null` means nothing matched.
 * Each list may be an array or a single object (ConvertTo-Json unwraps one-element arrays when
 * a producer forgets `@()`). States may be numbers or names.
 *
 * @example
 * parsePowerShellSockets('{"tcp":{"LocalAddress":"::","LocalPort":3000,"RemoteAddress":"::","RemotePort":0,"State":2,"OwningProcess":4242},"udp":[],"processes":[]}');
 * // { ok: true, value: { sockets: [{ protocol: 'tcp', address: '::', port: 3000, state: 'LISTEN', pid: 4242, … }], … } }
 */
export function parsePowerShellSockets(text: string): PowerShellResult {
  const document = parseJsonText(text);
  if (!document.ok) return document;
  const value = document.value;
  if (value === null) return { ok: true, value: { sockets: [], processes: [], problems: [] } };
  if (!isRecord(value)) return { ok: false, reason: 'the output is JSON but not an object with tcp, udp and processes' };
  const problems: string[] = [];
  const sockets = [...parseTcpConnections(field(value, 'tcp'), problems), ...parseUdpEndpoints(field(value, 'udp'), problems)];
  const processes = parseProcesses(field(value, 'processes'), problems);
  return { ok: true, value: { sockets, processes, problems } };
}

/** A Windows service and the process that runs it (Win32_Service). */
export interface Win32Service {
  readonly name: string;
  readonly pid: number;
}

export interface PowerShellProcesses {
  readonly processes: readonly Win32Process[];
  readonly services: readonly Win32Service[];
  readonly problems: readonly string[];
}

export type PowerShellProcessesResult = { readonly ok: true; readonly value: PowerShellProcesses } | { readonly ok: false; readonly reason: string };

/**
 * The processes script's output → processes and the services they host. Empty output means
 * nothing matched (the pids have exited).
 *
 * @example
 * parsePowerShellProcesses('{"processes":[],"services":{"Name":"iphlpsvc","ProcessId":3040}}').ok; // true
 */
export function parsePowerShellProcesses(text: string): PowerShellProcessesResult {
  const document = parseJsonText(text);
  if (!document.ok) return document;
  const value = document.value;
  if (value === null) return { ok: true, value: { processes: [], services: [], problems: [] } };
  if (!isRecord(value)) return { ok: false, reason: 'the output is JSON but not an object with processes and services' };
  const problems: string[] = [];
  const processes = parseProcesses(field(value, 'processes'), problems);
  const services = parseServices(field(value, 'services'), problems);
  return { ok: true, value: { processes, services, problems } };
}

/**
 * Win32_Service items (`Name`, `ProcessId`) → services; items without both are left out.
 *
 * @example
 * parseServices([{ Name: 'W3SVC', ProcessId: 1780 }], []); // [{ name: 'W3SVC', pid: 1780 }]
 */
export function parseServices(value: unknown, problems: string[]): Win32Service[] {
  return readItems(value, 'services', problems, (item) => {
    const name = field(item, 'Name');
    const pid = readInteger(field(item, 'ProcessId'), 0xffffffff);
    if (typeof name !== 'string' || name === '' || pid === null) return 'Name and ProcessId are required';
    return { name, pid };
  });
}

/**
 * JSON text as PowerShell writes it → the value: a UTF-8 BOM is dropped, empty output is null.
 *
 * @example
 * parseJsonText('\uFEFF[1]'); // { ok: true, value: [1] }
 * parseJsonText('   ');       // { ok: true, value: null }
 */
export function parseJsonText(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string } {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(trimmed) as unknown };
  } catch (error) {
    return { ok: false, reason: `the output is not JSON (${(error as Error).message})` };
  }
}

/**
 * MSFT_NetTCPConnection items (from our script, or `Get-NetTCPConnection | ConvertTo-Json` with
 * its many extra properties) → rows. Items that lack an address, a port or an owner are left out
 * and described in `problems`.
 *
 * @example
 * parseTcpConnections({ LocalAddress: '127.0.0.1', LocalPort: 5037, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, OwningProcess: 9312 }, []);
 * // [{ protocol: 'tcp', address: '127.0.0.1', port: 5037, remoteAddress: null, state: 'LISTEN', pid: 9312, … }]
 */
export function parseTcpConnections(value: unknown, problems: string[]): Win32SocketRow[] {
  return readItems(value, 'tcp', problems, (item) => {
    const local = readEndpoint(item, 'LocalAddress', 'LocalPort');
    if (typeof local === 'string') return local;
    const remote = readEndpoint(item, 'RemoteAddress', 'RemotePort');
    if (typeof remote === 'string') return remote;
    const pid = readInteger(field(item, 'OwningProcess'), 0xffffffff);
    if (pid === null) return 'OwningProcess is not a PID';
    const rawState = field(item, 'State');
    const noPeer = remote.port === 0 && isUnspecifiedAddress(remote.address);
    const rawText = typeof rawState === 'number' || typeof rawState === 'string' ? String(rawState) : null;
    return socketRow('tcp', local, noPeer ? null : remote, stateOf(rawState), rawText, pid);
  });
}

/**
 * MSFT_NetUDPEndpoint items → rows (state UNCONN: the class has no peer and no state).
 *
 * @example
 * parseUdpEndpoints([{ LocalAddress: '0.0.0.0', LocalPort: 5353, OwningProcess: 1616 }], [])[0]?.state; // 'UNCONN'
 */
export function parseUdpEndpoints(value: unknown, problems: string[]): Win32SocketRow[] {
  return readItems(value, 'udp', problems, (item) => {
    const local = readEndpoint(item, 'LocalAddress', 'LocalPort');
    if (typeof local === 'string') return local;
    const pid = readInteger(field(item, 'OwningProcess'), 0xffffffff);
    if (pid === null) return 'OwningProcess is not a PID';
    return socketRow('udp', local, null, 'UNCONN', null, pid);
  });
}

/**
 * Win32_Process items → processes. A date that cannot be read becomes null (and a problem).
 *
 * @example
 * parseProcesses({ ProcessId: 4, ParentProcessId: 0, Name: 'System', CommandLine: null, ExecutablePath: null, CreationDate: null }, []);
 * // [{ pid: 4, ppid: 0, name: 'System', commandLine: null, executablePath: null, creationDate: null }]
 */
export function parseProcesses(value: unknown, problems: string[]): Win32Process[] {
  return readItems(value, 'processes', problems, (item, where) => {
    const pid = readInteger(field(item, 'ProcessId'), 0xffffffff);
    const ppid = readInteger(field(item, 'ParentProcessId'), 0xffffffff);
    const name = field(item, 'Name');
    if (pid === null || ppid === null || typeof name !== 'string') return 'ProcessId, ParentProcessId and Name are required';
    const rawDate = field(item, 'CreationDate');
    const creationDate = rawDate === null || rawDate === undefined ? null : parseWindowsDate(rawDate);
    if (rawDate !== null && rawDate !== undefined && creationDate === null) problems.push(`${where}: CreationDate ${JSON.stringify(rawDate)} is not a date`);
    return { pid, ppid, name, commandLine: optionalString(field(item, 'CommandLine')), executablePath: optionalString(field(item, 'ExecutablePath')), creationDate };
  });
}

/**
 * Each item of a list (or of a single object) through `read`; items that are not objects, or for
 * which `read` returns a reason, are left out and the reason goes to `problems` as `label[i]: …`.
 */
function readItems<T>(
  value: unknown,
  label: string,
  problems: string[],
  read: (item: Readonly<Record<string, unknown>>, where: string) => T | string,
): T[] {
  const results: T[] = [];
  for (const [index, item] of asList(value).entries()) {
    const where = `${label}[${index}]`;
    const result = isRecord(item) ? read(item, where) : 'not an object';
    if (typeof result === 'string') problems.push(`${where}: ${result}`);
    else results.push(result);
  }
  return results;
}

/**
 * A date as PowerShell or WMI writes it → ISO 8601 UTC, or null. Accepts ISO 8601 (our script,
 * PowerShell 7), `/Date(1566855960142)/` (ConvertTo-Json in 5.1, an optional `+0200` suffix does
 * not change the instant) and WMI's DMTF `20190826174600.142320-420` (offset in minutes).
 *
 * @example
 * parseWindowsDate('/Date(1566855960142)/');       // '2019-08-26T21:46:00.142Z'
 * parseWindowsDate('20190826174600.142320-420');   // '2019-08-27T00:46:00.142Z'
 */
export function parseWindowsDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const msDate = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  if (msDate) return isoOrNull(Number(msDate[1]));
  const dmtf = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.(\d{6})([+-])(\d{3})$/.exec(value);
  if (dmtf) {
    const part = (index: number): number => Number(dmtf[index]);
    const asIfUtc = Date.UTC(part(1), part(2) - 1, part(3), part(4), part(5), part(6), Math.floor(part(7) / 1000));
    const offsetMinutes = (dmtf[8] === '-' ? -1 : 1) * part(9);
    return isoOrNull(asIfUtc - offsetMinutes * 60_000);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return isoOrNull(Date.parse(value));
  return null;
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function stateOf(raw: unknown): SocketState {
  if (typeof raw === 'number') return STATE_NUMBERS.get(raw) ?? 'UNKNOWN';
  if (typeof raw === 'string') {
    if (/^\d+$/.test(raw)) return STATE_NUMBERS.get(Number(raw)) ?? 'UNKNOWN';
    return STATE_NAMES.get(raw.toLowerCase()) ?? 'UNKNOWN';
  }
  return 'UNKNOWN';
}

function readEndpoint(item: Readonly<Record<string, unknown>>, addressKey: string, portKey: string) {
  const addressText = field(item, addressKey);
  const port = readInteger(field(item, portKey), 65535);
  if (typeof addressText !== 'string') return `${addressKey} is missing`;
  const parts = splitAddress(addressText);
  if (parts === null) return `${addressKey} "${addressText}" is not a numeric address`;
  if (port === null) return `${portKey} is not a port`;
  return { ...parts, port };
}

function readInteger(value: unknown, max: number): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= max ? number : null;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A property by name, matching case-insensitively (other producers write `localPort`). */
function field(item: Readonly<Record<string, unknown>>, name: string): unknown {
  if (name in item) return item[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(item)) if (key.toLowerCase() === lower) return item[key];
  return undefined;
}
