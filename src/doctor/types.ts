import type { BindResult } from '../collectors/bind-check.js';
import type { ProbeResult } from '../collectors/probe.js';
import type { Resolution } from '../collectors/resolution.js';
import type { LocalhostMapping } from '../platform/common/hosts-file.js';
import type { Snapshot } from '../platform/snapshot/format.js';
import type { FirewallQuery, FirewallReport, LoopbackFacts, OsName, PortSettings, ScanStats } from '../platform/types.js';
import type { CauseFacts } from '../causes/types.js';
import type { ConfigScan } from '../config/types.js';
import type { LogOwner, LogReport } from '../logs/types.js';
import type { Target } from '../target.js';
import type { ContainerState, PortBinding } from '../forwarders/docker-api-decode.js';
import type { SshDeclaredForwards } from '../forwarders/ssh-config-forwards.js';
import type { SshUnboundForwards } from '../forwarders/ssh-live-forwards.js';
import type { SocketForward } from '../forwarders/types.js';
import type { Collected, Family, Finding, Protocol, Socket } from '../types.js';

/**
 * Which question the doctor answers. `client`: why can't I reach it? `server`: why can't I bind
 * it? A bare port is ambiguous, so it gets both.
 */
export type DoctorView = 'client' | 'server';

export interface DoctorOptions {
  /** Per-attempt probe timeout (default 1000 ms): what a DROP rule costs at most. */
  readonly timeoutMs?: number;
  /** Server view only (`--bind`). */
  readonly bind?: boolean;
  /** Where the hosts file is (default: the OS's). */
  readonly hostsFile?: string;
  /**
   * The project directory to scan for port declarations. Undefined: the current directory when
   * it looks like a project; null: do not scan.
   */
  readonly configDir?: string | null;
  /** Whose logs to read, in addition to (or instead of, when nothing holds the port) the holder's. */
  readonly logOwner?: LogOwner;
  /** A client process (`--pid`) whose environment the proxy check reads instead of ours (unless it holds the port). */
  readonly clientPid?: number;
}

/** The configuration scan of the doctor: where, and what it found. */
export interface ConfigFactsOfDoctor {
  readonly dir: string;
  /** How the directory was chosen: given with --config, or the current directory looking like a project. */
  readonly chosen: 'option' | 'cwd';
  readonly scan: ConfigScan;
}

/** The firewall verdict for one address the client would try. */
export interface FirewallCheck {
  readonly query: FirewallQuery;
  readonly result: Collected<FirewallReport>;
}

/** The hosts file, as far as `localhost` is concerned. */
export interface HostsFacts {
  readonly path: string;
  readonly localhost: readonly LocalhostMapping[];
}

/** A doctor run on a replayed snapshot: whose machine, and which live-only steps were not run. */
export interface ReplayFacts {
  readonly os: OsName;
  readonly file: string | null;
  readonly capturedAt: string;
  readonly release: string;
  readonly user: Snapshot['user'];
  readonly redacted: boolean;
  /** Steps that need the live machine: connect probes and trial binds. */
  readonly notRun: readonly ('probe' | 'bind')[];
}

/** A listening socket inside a container (or another namespace), and who holds it. */
export interface InsideListener {
  readonly protocol: Protocol;
  readonly family: Family;
  readonly address: string;
  readonly port: number;
  readonly processes: readonly { readonly pid: number; readonly name: string; readonly command: string }[];
}

/** A container at the far end of a forward, or one that asks for the port. */
export interface ContainerFacts {
  readonly id: string;
  readonly name: string;
  /** Its state and bindings (the engine's inspect answer), or why it could not be read. */
  readonly details: Collected<{
    readonly state: ContainerState;
    readonly restartCount: number | null;
    /** The address on the default bridge; null when not on it or not running. */
    readonly ipAddress: string | null;
    /** The bindings it asks for (HostConfig.PortBindings), in effect or not. */
    readonly requestedPorts: readonly PortBinding[];
    readonly networkMode: string | null;
  }>;
  /** Its listening sockets, read in its network namespace without sending it anything; null when it does not run. */
  readonly listeners: Collected<readonly InsideListener[]> | null;
  /** How many log lines were read through the engine (the relevant ones are in the logs step). */
  readonly logs: Collected<{ readonly lines: number }> | null;
}

/** A connect to a tunnel's far end, made only when it is on this host's loopback. */
export interface FarProbe {
  readonly address: string;
  readonly port: number;
  readonly status: 'open' | 'refused' | 'timeout' | 'error';
  readonly error: string | null;
}

/** One forward followed: listener here → forwarder → destination (→ container). */
export interface ForwardChain {
  /** The socket here the forwarder holds; null for a DNAT rule that nothing here holds. */
  readonly listener: { readonly protocol: Protocol; readonly family: Family; readonly address: string; readonly port: number } | null;
  readonly holder: { readonly pid: number; readonly name: string } | null;
  readonly forward: SocketForward;
  /** For a DNAT rule alone: the address a client tries that the rule sends elsewhere. */
  readonly asked: string | null;
  /** The running containers that publish the listener's port (the engine's list); null when the engine was not read. */
  readonly publishedBy: readonly string[] | null;
  readonly container: ContainerFacts | null;
  readonly farProbe: FarProbe | null;
}

/** The "Follow the forward" step's facts. */
export interface ForwardFacts {
  readonly chains: readonly ForwardChain[];
  /** The container engine: where, and whether it answered (and how many containers); null when not asked. */
  readonly engine: { readonly endpoint: string; readonly read: Collected<{ readonly containers: number; readonly elapsedMs: number }> } | null;
  /** Containers that publish the port when they run, and do not run now. */
  readonly idle: readonly ContainerFacts[];
  /** DNAT rules that could not be read (one of them might send the port elsewhere). */
  readonly natUnreadable: readonly string[];
  /** What following took, in ms (the doctor's added work on a forwarded port). */
  readonly elapsedMs: number;
  /**
   * When nothing here holds a TCP port: the ssh tunnels the user's ssh client configuration
   * declares on it (a tunnel that is not running leaves only this). Absent when not read.
   */
  readonly declared?: SshDeclaredForwards;
  /**
   * When the TCP port is free, or held by a program that is not ssh: the running ssh clients whose
   * command line asks for the port and that hold no listener on it (their bind failed, or the
   * forward was cancelled), or why they could not be looked for. Absent when not looked for.
   */
  readonly requested?: Collected<SshUnboundForwards>;
}

/** Everything the collectors found. Rules are pure functions of this value. */
export interface DoctorFacts {
  readonly target: Target;
  readonly views: readonly DoctorView[];
  /** The OS the facts describe (a replayed snapshot's, not necessarily this machine's): rules word their fixes for it. */
  readonly os: OsName;
  /** Set when the facts come from a replayed snapshot. */
  readonly replay: ReplayFacts | null;
  /** Every socket on the port: all states, both protocols, every namespace we can see. */
  readonly sockets: readonly Socket[];
  readonly scan: ScanStats;
  /** The client view's connection attempts; null in the server view only. */
  readonly probe: ProbeResult | null;
  /** How `localhost` (or the target's host name) resolves; null for an IP literal. */
  readonly resolution: Resolution | null;
  readonly loopback: Collected<LoopbackFacts>;
  readonly hosts: Collected<HostsFacts>;
  readonly portSettings: Collected<PortSettings>;
  readonly firewall: readonly FirewallCheck[];
  /** Trial binds of the server view (closed at once); empty in the client view only. */
  readonly binds: readonly BindResult[];
  /** Whether we run as root (what sudo would add). */
  readonly privileged: boolean;
  /** The configuration scan, or null when no project directory was scanned. */
  readonly config: ConfigFactsOfDoctor | null;
  /**
   * Listeners on the other ports the project declares for its servers (not the target's): where
   * the project really serves, for the other half of a config-mismatch. Absent when there are none.
   */
  readonly projectListeners?: readonly Socket[];
  /** Whose logs were read (the holder of the port, or what the options named), null when nobody's. */
  readonly logOwner: LogOwner | null;
  readonly logs: LogReport | null;
  /** What the cause checks found (proxies, Host and client rejections, descriptor and port exhaustion, socket units). */
  readonly causes: CauseFacts;
  /** The forwards on the port followed to what answers; null when the step did not run (a replay without a holder, or older facts). */
  readonly forwards: ForwardFacts | null;
}

/** The troubleshooting steps, in the order an admin walks them. Ids are a public contract. */
export type StepId = 'identify-application' | 'follow-forward' | 'port-usage' | 'firewall' | 'loopback-resolution' | 'configuration' | 'logs' | 'what-to-do';

export interface Step {
  readonly id: StepId;
  readonly title: string;
  /** ok ✔, problem ✖ (an error finding), warning !, info (context only), skipped (not examined). */
  readonly status: 'ok' | 'problem' | 'warning' | 'info' | 'skipped';
  /** What was seen, one or more lines for a person. */
  readonly lines: readonly string[];
  /** Codes of the findings that belong to this step. */
  readonly findings: readonly string[];
}

/** A rule turns facts into findings; it belongs to one troubleshooting step. */
export interface Rule {
  readonly step: StepId;
  /** The finding codes this rule can produce (for docs and tests). */
  readonly codes: readonly string[];
  readonly evaluate: (facts: DoctorFacts) => readonly Finding[];
}

/** The doctor's answer. `ok` is false exactly when there is an `error` finding. */
export interface DoctorReport {
  readonly target: Target & { readonly views: readonly DoctorView[] };
  readonly ok: boolean;
  readonly findings: readonly Finding[];
  /** Every connection attempt of the client view (address, family, status, latency, error, fingerprint). */
  readonly probes: ProbeResult['attempts'];
  readonly sockets: readonly Socket[];
  readonly steps: readonly Step[];
  /** The raw facts behind the findings, for tools and the web page. */
  readonly facts: Pick<DoctorFacts, 'resolution' | 'loopback' | 'hosts' | 'portSettings' | 'firewall' | 'binds' | 'scan' | 'config' | 'logOwner' | 'logs' | 'forwards' | 'causes'>;
  readonly elapsedMs: number;
  /** Present when the report comes from a replayed snapshot (probes and trial binds were not run). */
  readonly replay?: ReplayFacts;
}
