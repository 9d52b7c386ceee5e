import type { LogOwner, RawLogLine } from '../logs/types.js';
import type { Collected, Family, Port, ProcessInfo, Protocol, Socket } from '../types.js';
import type { FixAdvice } from './advice-types.js';
import type { CauseSources } from './causes-types.js';
import type { NatRedirect } from './linux/firewall/nat-types.js';
import type { Snapshot, SnapshotOptions } from './snapshot/format.js';

export type { FixAdvice } from './advice-types.js';
export type { CauseSources, OpenFiles, ProcessEnvironment, SocketUnit } from './causes-types.js';
export type { NatHook, NatPath, NatRedirect } from './linux/firewall/nat-types.js';

/** The operating systems portdoctor has a back-end for (the values of `process.platform`). */
export type OsName = 'linux' | 'darwin' | 'win32';

/** Which sockets a caller wants. Filters are applied while parsing, before any process lookup. */
export interface SocketQuery {
  /** Default both. */
  readonly protocols?: readonly Protocol[];
  /** Keep only sockets whose local port is in [from, to]. */
  readonly ports?: { readonly from: number; readonly to: number } | readonly Port[];
  /** 'listening' (default): TCP LISTEN and UDP sockets that are not connected. 'all': every socket. */
  readonly states?: 'listening' | 'all';
  /** Read every network namespace in use (Linux; needs root to see other processes' namespaces). */
  readonly allNetns?: boolean;
  /**
   * 'brief' leaves out each process's service-manager unit and container (null), which costs one
   * file read per process on Linux: for output that does not show them. Default 'full'.
   */
  readonly processDetails?: 'full' | 'brief';
  /** Attribute sockets to processes. Default true. */
  readonly withProcesses?: boolean;
  /**
   * Look up the accept backlog of TCP listeners (queue.send). Default true. On Linux it costs a
   * child process (`ss -ltneH`), and the human tables do not show it.
   */
  readonly withBacklog?: boolean;
}

export interface ScanStats {
  /** Processes whose open sockets we could read. */
  readonly processesScanned: number;
  /** Processes we could not read (another user's, and we are not root). */
  readonly processesHidden: number;
  /** Processes that exited between listing them and reading them. */
  readonly processesVanished: number;
  /** Network namespaces whose tables were read (1 where the OS has none). */
  readonly namespaces: number;
  /** True when we are root / an administrator (or can read every process). */
  readonly privileged: boolean;
  /** Linux: /proc is mounted with hidepid, so other users' processes are not even listed (absent when not). */
  readonly hidepid?: boolean;
  /** Socket tables that could not be read (absent when every table was). */
  readonly tablesUnread?: number;
  /**
   * Raw sources that could not be read, so the inventory may be incomplete: a socket table, a
   * tool that failed, a source missing from a snapshot. Absent when everything was read.
   */
  readonly unread?: readonly UnreadSource[];
}

/** A source the back-end needed and could not read, and what that costs the answer. */
export interface UnreadSource {
  /** The snapshot source key, e.g. `netstat-tcp`, `lsof-inet`, `/proc/net/tcp6`. */
  readonly source: string;
  readonly reason: string;
  /** What is missing from the answer because of it, for a person. */
  readonly effect: string;
}

export interface SocketInventory {
  readonly sockets: readonly Socket[];
  readonly stats: ScanStats;
}

/** An inclusive port range. */
export interface PortSpan {
  readonly from: number;
  readonly to: number;
}

/** A block of ports the OS refuses to let programs bind (Windows' excluded port ranges). */
export interface ExcludedPortRange extends PortSpan {
  readonly protocol: Protocol;
  readonly family: Family;
  /** True for a range an administrator added (`*` in netsh's list); false for ones the system (WinNAT, Hyper-V) reserved. */
  readonly administered: boolean;
}

/** The OS's port policy for the network stack portdoctor runs in (or the snapshot's). */
export interface PortSettings {
  /** Where the OS picks ports for outgoing connections and port-0 binds. */
  readonly ephemeralRange: PortSpan;
  /** Ports kept out of automatic assignment (explicit binds still work). */
  readonly reservedPorts: readonly PortSpan[];
  /** Ports below this need root (or a capability) to bind. */
  readonly unprivilegedPortStart: number;
  readonly ipv6: {
    /** False when the kernel has no IPv6 at all. */
    readonly available: boolean;
    /** IPv6 switched off on the loopback interface (null when unknown). When true, ::1 does not exist. */
    readonly disabledOnLo: boolean | null;
    /** IPv6 switched off everywhere (null when unknown). */
    readonly disabledAll: boolean | null;
    /** The default of IPV6_V6ONLY for programs that do not set it (Node sets it); null when unknown. */
    readonly bindv6only: boolean | null;
  };
  /** Names of settings that could not be read and took the OS default instead. */
  readonly defaulted: readonly string[];
  /**
   * What the privileged-port limit applies to: 'all' addresses (Linux), or only 'specific'
   * addresses (macOS ≥ 10.14 lets anyone bind a low port on the wildcard), or 'none' (Windows).
   * Absent: 'all'.
   */
  readonly privilegedApplies?: 'all' | 'specific' | 'none';
  /** Blocks of ports the OS will not let anyone bind (Windows). Absent where the OS has none. */
  readonly excludedRanges?: readonly ExcludedPortRange[];
}

/** An address on an interface with its prefix length. */
export interface InterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
}

/** An IPv6 address of the loopback interface with its scope ('host' for ::1). */
export interface LoopbackIpv6Address extends InterfaceAddress {
  readonly scope: string;
  /** Duplicate address detection has not finished: the address cannot be bound yet. */
  readonly tentative: boolean;
}

/** The state of the loopback interface (`lo`, `lo0`, Windows' loopback pseudo-interface). */
export interface LoopbackFacts {
  readonly name: string;
  /** Administratively up. */
  readonly up: boolean;
  /** Operationally up. */
  readonly running: boolean;
  /** The operational state as the OS words it, or null when unreadable. */
  readonly operstate: string | null;
  readonly ipv4: readonly InterfaceAddress[];
  /** Where the IPv4 addresses came from ('assumed': the OS's loopback cannot lack them, Windows). */
  readonly ipv4Source: 'ip' | 'os.networkInterfaces' | 'ifconfig' | 'snapshot' | 'assumed';
  readonly ipv6: readonly LoopbackIpv6Address[];
  /** IPv6 is off for the loopback interface, or absent from the kernel. */
  readonly ipv6Disabled: boolean;
  /** 127.0.0.1 is an address of the interface (assigned, or inside an assigned loopback prefix). */
  readonly has127001: boolean;
  /** ::1 is present on the interface (and not tentative). */
  readonly hasIpv6Loopback: boolean;
  /**
   * Whether the OS answers for every 127.x.y.z address (Linux: the whole /8 is local) or only for
   * those configured on the interface (macOS: 127.0.0.2 and up need an alias). Absent: 'prefix'.
   */
  readonly ipv4Loopback?: 'prefix' | 'configured-only';
  /** Caveats about how the facts were gathered, for people. */
  readonly notes: readonly string[];
}

export interface LoopbackOptions {
  /** Interface name (default: the OS's loopback interface). */
  readonly name?: string;
  /** Linux: where /proc is (tests point it at a copied tree). */
  readonly procRoot?: string;
  /** Linux: where /sys is. */
  readonly sysRoot?: string;
}

/**
 * What the doctor asks: would loopback traffic to this address and port get through?
 *
 * @example
 * const query: FirewallQuery = { protocol: 'tcp', family: 'ipv6', address: '::1', port: 8080 };
 */
export interface FirewallQuery {
  readonly protocol: Protocol;
  readonly family: Family;
  readonly address: string;
  readonly port: number;
}

/** The rule (or chain policy) that decided a packet's fate, quoted as the user would see it. */
export interface FirewallRuleMatch {
  readonly verdict: 'drop' | 'reject' | 'accept';
  /** Which tool's rule set the quoted rule comes from. */
  readonly source: 'iptables' | 'ip6tables' | 'nft' | 'pf';
  /** For iptables/ip6tables: the back-end the rule lives in; null otherwise. */
  readonly backend: 'nft' | 'legacy' | null;
  /** `filter` for iptables; `inet filter` (family and name) for nft; the anchor for pf. */
  readonly table: string;
  /** The chain holding the rule: a user chain when the rule was reached by a jump. */
  readonly chain: string;
  /** The hook the packet was traversing when it met the rule. */
  readonly hook: 'input' | 'output';
  /** The rule as its tool prints it (an iptables-save line, nft rule text, a pf rule). */
  readonly rule: string;
  /** True when the chain policy decided, not a rule. */
  readonly policy: boolean;
}

export interface FirewallSourceStatus {
  /** The tool that was run, e.g. `iptables-nft-save`, `nft`, `pfctl -sr`. */
  readonly name: string;
  readonly read: boolean;
  /** Why it could not be read (null when it was). */
  readonly reason: string | null;
}

/** The answer for one query. */
export interface FirewallReport {
  /** The first drop/reject on the packet's path, or null when nothing certainly blocks it. */
  readonly blocked: FirewallRuleMatch | null;
  /** What was read, and why the rest was not. */
  readonly sources: readonly FirewallSourceStatus[];
  /** Rules on the path we could not evaluate: one of them might still block (or let through) the packet. */
  readonly uninterpreted: readonly string[];
  /**
   * How much of the firewall was read: 'all' rule sets that matter, or only 'partial' (then a
   * verdict of "nothing blocks it" cannot be given). Absent: 'all'.
   */
  readonly completeness?: 'all' | 'partial';
  /** Facts about the OS's firewall that a person should know (e.g. "Windows Firewall does not filter loopback"). */
  readonly notes?: readonly string[];
}

export interface FirewallOptions {
  /** Linux: read the rules of this `ip netns` namespace instead of our own. */
  readonly netns?: string;
  /** Where clients' source ports come from (the OS's ephemeral range); default the OS's default. */
  readonly ephemeralRange?: PortSpan;
  /** Per-tool timeout; default 5000 ms. */
  readonly timeoutMs?: number;
}

/** Where a connection goes: what a DNAT rule is asked about. */
export interface NatDestination {
  readonly protocol: Protocol;
  readonly address: string;
  readonly port: number;
}

/** The destination-NAT rules that send connections for a destination elsewhere. */
export interface NatLookup {
  /** Each rule whose own matches cover the destination; `certain: false` when it has other conditions not evaluated. */
  readonly matches: readonly { readonly redirect: NatRedirect; readonly certain: boolean }[];
  /** DNAT rules that could not be read (quoted, with why): one of them might apply too. */
  readonly unreadable: readonly string[];
}

/** Rule sets read once, ready to answer any number of queries. */
export interface LoadedFirewall {
  check(queries: readonly FirewallQuery[]): Collected<FirewallReport>[];
  /**
   * The DNAT/REDIRECT rules (Linux's nat table) that send a destination elsewhere: Docker without
   * its userland proxy, kube-proxy. Absent where the OS's redirections are not read (macOS pf's rdr
   * rules, Windows).
   */
  redirects?(destination: NatDestination): Collected<NatLookup>;
}

/** One hosts-file address line. */
export interface HostsEntry {
  /** The address as written (IPv6 kept as written, zone id included). */
  readonly address: string;
  /** 4, 6, or 0 when the first field is not an IP address (resolvers ignore such lines). */
  readonly family: 0 | 4 | 6;
  /** Host names, in file order, lower-cased (name lookup is case-insensitive). */
  readonly names: readonly string[];
  /** 1-based line number. */
  readonly line: number;
}

/** A hosts file read: the entries, or why there are none. */
export type HostsFileRead =
  | { readonly ok: true; readonly path: string; readonly entries: readonly HostsEntry[] }
  | { readonly ok: false; readonly path: string; readonly code: string };

/** One line of services(5). */
export interface ServicesEntry {
  readonly name: string;
  readonly port: number;
  /** As written: tcp, udp, sctp, ddp, … */
  readonly protocol: string;
  readonly aliases: readonly string[];
  /** The trailing `# comment`, trimmed, or null. */
  readonly comment: string | null;
}

/** A services file read: the entries, or why there are none. */
export type ServicesFileRead =
  | { readonly ok: true; readonly path: string; readonly entries: readonly ServicesEntry[] }
  | { readonly ok: false; readonly path: string; readonly code: string };

/** One directive of an ssh_config(5) file (keyword lower-cased), or a line ssh would reject. */
export type SshConfigLine = { readonly line: number; readonly keyword: string; readonly args: readonly string[] } | { readonly line: number; readonly error: string };

/** One file of the user's ssh client configuration: its directives, or why it was not read (an errno code, `not-recorded`). */
export interface SshConfigFile {
  readonly path: string;
  readonly read: { readonly ok: true; readonly lines: readonly SshConfigLine[] } | { readonly ok: false; readonly code: string };
}

/** What one argument of an `Include` line named: the files its pattern matched (sorted, as glob(3) returns them), or why it was not expanded. */
export interface SshIncludeExpansion {
  readonly file: string;
  readonly line: number;
  /** The argument as written. */
  readonly pattern: string;
  /** The pattern anchored as ssh anchors it (a relative path under ~/.ssh, `~` expanded); null when it could not be. */
  readonly path: string | null;
  readonly matched: { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly reason: string };
}

/**
 * The user's OpenSSH client configuration (`~/.ssh/config` and what it includes): every file
 * read, and every Include expanded, so a pure walk can follow it in ssh's order.
 */
export type SshClientConfigRead =
  | { readonly ok: true; readonly main: string; readonly files: readonly SshConfigFile[]; readonly includes: readonly SshIncludeExpansion[] }
  | { readonly ok: false; readonly main: string | null; readonly reason: string };

/** Bounds for reading logs. */
export interface LogReadOptions {
  /** Bytes read from the end of each file (default 256 KiB). */
  readonly maxBytes?: number;
  /** Journal entries / docker lines read (default 500). */
  readonly maxEntries?: number;
  /** Per-tool time limit (default 5 s). */
  readonly timeoutMs?: number;
}

/** One log source of an owner, read or not. */
export interface LogRead {
  readonly source: string;
  readonly read: Collected<RawLogLine[]>;
}

/** What `kill` needs to know besides the sockets, read right after the scan. */
export interface KillContext {
  /** A token naming each holder for the life of the system (start time), null when it already exited. */
  readonly identities: ReadonlyMap<number, string | null>;
  /** Linux: start ticks (what `identities` is made of), kept for the JSON of `kill`. */
  readonly startTicks: ReadonlyMap<number, number | null>;
  readonly selfPid: number;
  /** Our parent, its parent, … up to the root of the process tree: never signalled. */
  readonly ancestors: readonly number[];
  /** Pids run by a per-user service manager (`systemctl --user`). */
  readonly userManagerPids: ReadonlySet<number>;
  /** Pids the OS protects (Windows: System, service hosts shared by other services). */
  readonly protectedPids?: ReadonlyMap<number, string>;
}

/** What a holder planned for a signal is now. */
export type HolderVerdict = 'same' | 'gone' | 'reused' | 'released';

/** The outcome of one signal: delivered, no such process, or not allowed. */
export type SignalOutcome = 'sent' | 'gone' | 'permission-denied';

/** A holder as the kill plan knows it: enough to recognise it again just before the signal. */
export interface PlannedHolder {
  readonly pid: number;
  readonly identity: string;
  /** Linux: the listening socket inodes it held. */
  readonly inodes: readonly number[];
  readonly sockets: readonly { readonly protocol: Protocol; readonly family: Family; readonly address: string; readonly port: number }[];
}

/** Stopping processes, the OS's way. */
export interface ProcessControl {
  context(sockets: readonly Socket[]): Promise<KillContext>;
  /** Just before each signal: is this pid still the process we planned for, still holding its socket? */
  verify(holder: PlannedHolder): Promise<HolderVerdict>;
  signal(pid: number, signal: NodeJS.Signals): Promise<SignalOutcome>;
  /**
   * True where the OS has no termination signal a program can catch (Windows: `process.kill`
   * always terminates at once). The back-end's first step is then the OS's own close request
   * (`taskkill /PID N`), the forceful one (`taskkill /F`) only after asking or with --yes, and
   * the kill output says so (FixAdvice.signalPlan).
   */
  readonly forcefulOnly: boolean;
}

/** A live process found by its program name, with its arguments. */
export interface NamedProcess {
  readonly pid: number;
  /** The program name the OS keeps for it (Linux: /proc/<pid>/comm; macOS: the first word of ps's args, without its directory). */
  readonly name: string;
  /** Program first. */
  readonly argv: readonly string[];
  /**
   * True when the OS keeps the arguments apart (Linux cmdline); false when they were split from
   * one joined string at spaces (macOS ps), where an argument holding a space reads as two.
   */
  readonly argvExact: boolean;
  /** Whether it runs in our network namespace; null when that could not be read (or the OS has none). */
  readonly sameNetns: boolean | null;
}

/** The processes with some program names, and whether every process could be looked at. */
export interface NamedProcesses {
  readonly processes: readonly NamedProcess[];
  /** How many processes were looked at. */
  readonly examined: number;
  /** Why the answer may miss some (hidepid, unreadable entries); null when it is complete. */
  readonly partial: string | null;
}

/** Where the platform's answers come from. */
export type PlatformOrigin =
  | { readonly kind: 'live' }
  | { readonly kind: 'replay'; readonly file: string | null; readonly capturedAt: string; readonly release: string; readonly user: Snapshot['user']; readonly redacted: boolean };

/**
 * Everything portdoctor asks the OS, answered by one back-end per OS (live), or by a recorded
 * snapshot of a machine (replay). The doctor, rules and actions hold a Platform and never name an
 * OS command, path or `process.platform` value themselves.
 */
export interface Platform {
  readonly os: OsName;
  readonly origin: PlatformOrigin;
  /** Root / administrator (a replay: the snapshot's user). */
  readonly elevated: boolean;
  listSockets(query: SocketQuery): Promise<SocketInventory>;
  /** One process's details, or null when it has exited or cannot be seen. */
  process(pid: number): Promise<ProcessInfo | null>;
  portSettings(options?: { readonly procRoot?: string }): Promise<Collected<PortSettings>>;
  loadFirewall(options?: FirewallOptions): Promise<LoadedFirewall>;
  loopback(options?: LoopbackOptions): Promise<Collected<LoopbackFacts>>;
  /** The hosts file (default: the OS's). */
  hostsFile(path?: string): Promise<HostsFileRead>;
  /** The services database (default: the OS's). */
  servicesFile(path?: string): Promise<ServicesFileRead>;
  /**
   * The user's ssh client configuration (`~/.ssh/config`, `%USERPROFILE%\\.ssh\\config`) and the
   * files it includes, read and parsed; the home directory is the process's (HOME), or the
   * snapshot's.
   */
  sshClientConfig(): Promise<SshClientConfigRead>;
  /** The log sources of an owner, each read (bounded) or with the reason it was not. */
  readLogs(owner: LogOwner, options?: LogReadOptions): Promise<LogRead[]>;
  /**
   * A process's arguments, program first, as the OS keeps them apart; null when they cannot be
   * read (the process exited, or the OS gives only one joined string, which cannot be split back).
   */
  processArgv(pid: number): Promise<readonly string[] | null>;
  /**
   * The live processes whose program name is one of `names`, with their arguments: what a
   * forwarder that holds no socket (an ssh whose -L bind failed) is found by. Not ok where the OS
   * or the snapshot does not give every process's name and arguments.
   */
  processesNamed(names: readonly string[]): Promise<Collected<NamedProcesses>>;
  /**
   * The listening sockets (TCP LISTEN, bound UDP) of the network namespace `pid` runs in, with the
   * processes of that namespace that hold them: a container's own socket table, read without
   * sending it anything. Not ok where the OS has no such namespaces, or they cannot be read.
   */
  namespaceListeners(pid: number): Promise<Collected<readonly Socket[]>>;
  /**
   * The container engine's API socket when DOCKER_HOST does not name one (Docker's, or Docker
   * Desktop's per-user socket); null when this platform must not ask an engine (a replay).
   */
  readonly dockerSocket: string | null;
  readonly processes: ProcessControl;
  /** The OS's spelling of every fix. */
  readonly advice: FixAdvice;
  /** The sources of the cause checks (issue 14): a client's environment, fd limits, socket units. */
  readonly causes: CauseSources;
  /** Records every raw source this back-end reads, for a bug report. */
  snapshot(options?: SnapshotOptions): Promise<Snapshot>;
}
