import type { CauseAdvice } from './advice-causes-types.js';
import type { ExcludedPortRange, FirewallRuleMatch, NatRedirect, OsName, PortSpan } from './types.js';

/** A finding's detail and fix, worded for one OS. */
export interface AdviceText {
  /** A title, where the OS's wording names a setting. */
  readonly title?: string;
  readonly detail: string;
  readonly fix: string;
}

/**
 * The OS's spelling of every fix the doctor, `kill` and the renderers give. Rules stay pure and
 * OS-free: they pick the advice for the facts' OS (`adviceFor(facts.os)`) and fill in the blanks.
 * Strings for people: commands are quoted the way the rest of the report quotes them.
 */
export interface FixAdvice extends CauseAdvice {
  readonly os: OsName;
  /** How to run a command with privileges: `sudo portdoctor who 80`, or an elevated prompt on Windows. */
  elevate(command: string): string;
  /** The same, as a few words for a table or a note: "run with sudo". */
  readonly elevateHint: string;
  /** Who a privileged run is, for "recorded as …": `root`, `an administrator`. */
  readonly privilegedUser: string;
  /** What an unprivileged run lacks, for "recorded without …": `root`, `administrator rights`. */
  readonly privilege: string;
  /** What a snapshot recorded without privileges lacks: "other users' processes and the firewall". */
  readonly unprivilegedGap: string;
  /** Why a socket's owner cannot be seen without privileges (one sentence). */
  readonly hiddenOwnersWhy: string;
  /** What an unprivileged run cannot see at all (Linux: other network namespaces), or null. */
  readonly unprivilegedBlindSpot: string | null;

  /** The loopback interface is down. */
  loopbackDown(name: string): AdviceText;
  /** Put 127.0.0.1 back on the loopback interface. */
  addIpv4Loopback(name: string): string;
  /** IPv6 is switched off on the loopback interface: turn it on. */
  enableIpv6(name: string): string;
  /** ::1 is missing from the loopback interface: add it. */
  addIpv6Loopback(name: string): string;
  /** A 127.x address other than 127.0.0.1 is not configured (macOS answers only configured ones). */
  addLoopbackAlias(name: string, address: string): string;
  /** The command that lists this machine's addresses. */
  readonly listAddresses: string;

  /** Resume a stopped process. */
  resumeProcess(pid: number): string;
  /** Look at what a hung process is doing. */
  inspectProcess(pid: number | null): string;

  /** The privileged-port finding: why, and what to do. */
  privilegedPort(input: { readonly port: number; readonly start: number; readonly denied: boolean; readonly applies: 'all' | 'specific' | 'none' }): AdviceText;
  /** The ephemeral-range finding. */
  ephemeralRange(input: { readonly port: number; readonly range: PortSpan }): AdviceText;
  /** The reserved-port finding. */
  reservedPort(input: { readonly port: number; readonly reserved: PortSpan }): AdviceText;
  /** The port-excluded finding (Windows' excluded port ranges). */
  excludedPort(input: { readonly port: number; readonly range: ExcludedPortRange; readonly protocol: string }): AdviceText;

  /**
   * The OS answers "localhost" itself, whatever the hosts file says (Windows since 7: the stock
   * hosts file has its localhost lines commented out), so a hosts file without it is normal.
   */
  readonly localhostBuiltIn: boolean;
  /**
   * What a client pays on this OS when its first address refuses and it falls back to the next
   * (one sentence, for `family-mismatch`), or null when a refusal is immediate.
   */
  readonly refusedFirstAddressCost: string | null;

  /** How `kill` words the signals it will send: "SIGTERM, then SIGKILL after 5s to any that still holds the port, if confirmed". */
  signalPlan(input: { readonly signal: string; readonly escalate: boolean; readonly graceMs: number }): string;
  /** The forceful stop, as the kill prompts name it: `SIGKILL`, or `taskkill /F`. */
  readonly forceStop: string;

  /** What else can swallow loopback connections to a live listener, where to look next. */
  noAnswer(port: number, pid: number | null): string;
  /** How to remove or bypass the firewall rule that blocks loopback traffic. */
  firewallFix(match: FirewallRuleMatch): string;
  /** How to delete a destination-NAT rule that sends a port nowhere (a leftover of a container that is gone). */
  natRuleFix(redirect: NatRedirect): string;
  /** Reach a listener in another network namespace (Linux), given its name and a pid inside. */
  enterNetns(name: string | null, pid: number | null): string;
}
