/**
 * portdoctor's library API. Named exports only; each is documented with an example.
 * The CLI is a thin layer over exactly these functions.
 */
export type { Collected, Family, Finding, NetnsRef, Pid, Port, ProcessInfo, Protocol, Severity, Socket, SocketQueue, SocketState } from './types.js';
export { PortdoctorError, type ErrorCode } from './errors.js';
export { parsePort, parsePortRange, isPort, type PortRange } from './port.js';
export { parseTarget, formatTarget, formatHostPort, SCHEME_PORTS, type Target } from './target.js';
export { listSockets, whoHolds, isListening, type ScanStats, type SocketInventory, type SocketQuery } from './inventory.js';
