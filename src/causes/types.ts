import type { OpenFiles, PortSpan, SocketUnit } from '../platform/types.js';
import type { Collected } from '../types.js';
import type { ProxyVerdict } from './proxy-env.js';

/** What a proxy said when asked for the target the way a proxied client asks. */
export interface ProxyConfirmation {
  /** The proxy, credentials masked. */
  readonly proxy: string;
  /** Where the question went. */
  readonly address: string;
  readonly port: number;
  /** The request line sent, e.g. `GET http://localhost:3000/`. */
  readonly request: string;
  /**
   * `unreachable`: nothing answers at the proxy's address; `error-page`: the proxy answered with
   * an error (it cannot reach the target, refuses it, or wants credentials); `forwarded`: it
   * answered with a success or redirect; `no-answer`: connected, no HTTP answer; `not-checked`:
   * a kind of proxy portdoctor does not talk to (SOCKS, TLS to the proxy).
   */
  readonly outcome: 'unreachable' | 'error-page' | 'forwarded' | 'no-answer' | 'not-checked';
  readonly status: number | null;
  readonly reason: string | null;
  /** The Via header (RFC 9110 §7.6.3): proof that a proxy handled the request. */
  readonly via: string | null;
  readonly server: string | null;
  /** The start of the answer's body (a proxy's error page names itself and the failure). */
  readonly body: string | null;
  readonly error: string | null;
}

/** Whose environment the proxy check read. */
export type EnvironmentSource = { readonly kind: 'self' } | { readonly kind: 'process'; readonly pid: number; readonly name: string | null };

/** The proxy settings a client of the target would meet. */
export interface ProxyFacts {
  readonly source: EnvironmentSource;
  /** The proxy-related variables that are set (proxy URLs with credentials masked). */
  readonly variables: Readonly<Record<string, string>>;
  readonly scheme: 'http' | 'https';
  /** The host names checked: the target's, or localhost and 127.0.0.1 for a bare port. */
  readonly hosts: readonly string[];
  readonly port: number;
  /** One per client and host. */
  readonly verdicts: readonly ProxyVerdict[];
  /** One per proxy that some client would use. */
  readonly confirmations: readonly ProxyConfirmation[];
  /** The NO_PROXY value that makes every client go direct. */
  readonly noProxyValue: string;
}

/** One request to the server with a given Host header. */
export interface HostProbe {
  /** The Host header's name part as sent (`localhost`, `127.0.0.1`, `[::1]`, `myapp.test`). */
  readonly host: string;
  readonly status: number | null;
  readonly reason: string | null;
  /** The start of the body, where allow-list messages are. */
  readonly body: string | null;
  readonly error: string | null;
}

/** The same request with each Host name, to one address of the server. */
export interface HostCheckFacts {
  readonly address: string;
  readonly port: number;
  readonly probes: readonly HostProbe[];
}

/** The open descriptors of one holder of the port. */
export interface HolderFiles {
  readonly pid: number;
  readonly name: string;
  readonly unit: string | null;
  readonly container: string | null;
  readonly read: Collected<OpenFiles>;
}

/** Connections from this network namespace to one destination. */
export interface DestinationConnections {
  readonly address: string;
  readonly port: number;
  readonly total: number;
  /** Counts by state, e.g. { 'TIME-WAIT': 9000, ESTAB: 12 }. */
  readonly byState: Readonly<Record<string, number>>;
}

/** How many client ports the connections to the target take, out of how many there are. */
export interface ClientPortFacts {
  readonly range: PortSpan;
  /** net.ipv4.tcp_tw_reuse (0 off, 1 on, 2 loopback only), null when unknown. */
  readonly timeWaitReuse: number | null;
  readonly destinations: readonly DestinationConnections[];
}

/** The facts behind the cause findings (issue 14). Each part is null when it was not examined. */
export interface CauseFacts {
  /** Null: not an HTTP target, or a replay (the client's environment is not on this machine). */
  readonly proxy: Collected<ProxyFacts> | null;
  /** Null: no HTTP answer to ask again, or a replay. */
  readonly hostCheck: HostCheckFacts | null;
  /** The holders of the port in this namespace (at most a few). */
  readonly openFiles: readonly HolderFiles[];
  /** Null: not the client's view, not TCP, or the socket table or port range could not be read. */
  readonly clientPorts: ClientPortFacts | null;
  /** Null: no service manager holds the port. */
  readonly socketUnits: Collected<readonly SocketUnit[]> | null;
}

/** Nothing examined: for a replay, or as the baseline of hand-built facts. */
export const NO_CAUSE_FACTS: CauseFacts = { proxy: null, hostCheck: null, openFiles: [], clientPorts: null, socketUnits: null };
