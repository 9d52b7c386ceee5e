/**
 * portdoctor's library API. Named exports only; each is documented with an example.
 * The CLI is a thin layer over exactly these functions.
 */
export type { Collected, Family, Finding, NetnsRef, Pid, Port, ProcessInfo, ProcessDetailsOfOs, Protocol, Severity, Socket, SocketQueue, SocketState } from './types.js';
export { platform, useReplay, useLiveMachine, loadSnapshotFile, hostOs, REPLAY_ENV, type OsName, type Platform, type PlatformOrigin } from './platform/index.js';
export type { HostsEntry, HostsFileRead, ServicesEntry, ServicesFileRead, UnreadSource, FirewallOptions, LogRead, LogReadOptions } from './platform/types.js';
export { parseSnapshot, SNAPSHOT_FORMAT, type Snapshot, type SnapshotSource, type SnapshotOptions, type SnapshotUser, type CommandSource, type FileSource, type LinkSource, type DirSource } from './platform/snapshot/format.js';
export { redactSnapshot } from './platform/snapshot/redact.js';
export { recordSnapshot } from './actions/snapshot.js';
export { adviceFor, type FixAdvice, type AdviceText } from './platform/advice.js';
export { knownHolderOf, type KnownHolder } from './platform/known-holders.js';
export { PortdoctorError, type ErrorCode } from './errors.js';
export { parsePort, parsePortRange, isPort, type PortRange } from './port.js';
export { parseTarget, formatTarget, formatHostPort, SCHEME_PORTS, type Target } from './target.js';
export { listSockets, whoHolds, isListening, inCurrentNetns, type ScanStats, type SocketInventory, type SocketQuery } from './inventory.js';
export { portInfo, ianaRange, type PortInfo, type PortInfoOptions, type PortService, type IanaRange } from './actions/port-info.js';
export { BROWSER_UNSAFE_PORTS, isBrowserUnsafePort, CURATED_SERVICES, knownSquatters, type CuratedService, type Squatter } from './data/services.js';
export { tryBind, type BindRequest, type BindResult } from './collectors/bind-check.js';
export { collectPortSettings, type PortSettings, type PortSpan, type ExcludedPortRange } from './collectors/port-settings.js';
export { collectLoopback, type LoopbackFacts, type LoopbackOptions, type LoopbackIpv6Address, type InterfaceAddress } from './collectors/loopback.js';
export { isLoopbackAddress, unmapIPv4, parseIPv6Bytes } from './address.js';
export { parseHostsFile, localhostEntries, LOCALHOST_NAMES, parseEtcServices, parseJournalJson, type LocalhostMapping } from './platform/parsers.js';
export { readHostsFile, readServicesFile } from './collectors/hosts.js';
export { resolveHost, nodeConnectOrder, type Resolution, type ResolvedAddress, type ResolutionError, type ResolveOptions } from './collectors/resolution.js';
export { probe, type ProbeResult, type ProbeAttempt, type ProbeOptions, type ProbeStatus } from './collectors/probe.js';
export { fingerprint, fingerprintSocket, type Fingerprint, type FingerprintOptions } from './collectors/fingerprint.js';
export { classifyReply, expectedProtocol, findMismatch, type AppProtocol, type FingerprintDetail, type ProbeKind, type ProtocolMismatch, type Classification } from './collectors/fingerprint-classify.js';
export { scanConfig, type ScanOptions } from './config/scan.js';
export type { ConfigScan, ConfigWarning, Declaration, DeclarationKind, DeclarationRole } from './config/types.js';
export { configFindings, type ConfigFacts } from './config/findings.js';
export { collectLogs, type CollectLogsOptions } from './collectors/logs.js';
export { selectLogLines, type SelectOptions } from './logs/select.js';
export { classifyLogLine, type LineClass } from './logs/classify.js';
export { logErrorsFinding } from './logs/finding.js';
export type { LogLine, LogOwner, LogReport, LogSource, RawLogLine } from './logs/types.js';
export { killPort, type KillOptions, type KillQuestion, type KillReport, type KilledProcess, type RespawnedHolder, type KillPlan, type KillTarget, type KillResult, type SkippedProcess, type SkipReason, type HiddenOwner, type Supervision } from './actions/kill.js';
export { planKill, supervisionOf, type PlanContext } from './actions/kill-plan.js';
export { checkIdentity, type IdentityVerdict, type ExpectedHolder, type ObservedProcess } from './platform/common/identity.js';
export { findFreePort, reserveFreePort, type FreePortOptions, type ReservedPort } from './actions/free-port.js';
export { collectFirewall, collectFirewallChecks, loadFirewall, type LoadedFirewall, type CollectFirewallOptions, type FirewallQuery, type FirewallReport, type FirewallRuleMatch, type FirewallSourceStatus } from './collectors/firewall.js';
export { waitFor, DEFAULT_WAIT_TIMEOUT_MS, type WaitOptions, type WaitMode, type WaitResult, type WaitTargetReport, type WaitAddressReport } from './actions/wait.js';
export { type StatusRange } from './actions/wait-attempts.js';
export { serve, type ServeOptions, type ServeMode, type ServeEvent, type ServeAddress, type ServeCloseReason, type RunningServer } from './actions/serve.js';
export { selftest, latencyStats, type SelftestOptions, type SelftestResult, type SelftestCheck, type LatencyStats } from './actions/selftest.js';
export { doctor, diagnose, collectFacts, type DoctorFacts, type DoctorOptions, type DoctorReport, type DoctorView, type Rule, type Step, type StepId } from './doctor/index.js';
export { FINDING_CODES } from './rules/index.js';
export { explainListenError, type ListenErrorExplanation } from './listen-error.js';
