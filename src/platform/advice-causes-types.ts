import type { AdviceText } from './advice-types.js';
import type { PortSpan } from './types.js';

/** Who holds a port for a socket-activation service manager. */
export type SocketActivator =
  /** The system service manager (pid 1). */
  | { readonly kind: 'system'; readonly pid: number; readonly unit: string | null; readonly activates: readonly string[] }
  /** A per-user service manager (`systemd --user`). */
  | { readonly kind: 'user'; readonly pid: number; readonly unit: string | null; readonly activates: readonly string[] }
  /** A stand-alone activator (`systemd-socket-activate`) that starts a command per connection or on the first one. */
  | { readonly kind: 'activator'; readonly pid: number; readonly name: string; readonly command: string };

/** How the holder of a port was started, for raising its descriptor limit the right way. */
export interface FdLimitContext {
  readonly pid: number;
  readonly name: string;
  /** Its current soft limit and the hard one (null: unlimited). */
  readonly softLimit: number;
  readonly hardLimit: number | null;
  /** The limit to raise it to. */
  readonly suggested: number;
  /** The service-manager unit that runs it, if any. */
  readonly unit: string | null;
  /** The container it runs in, if any. */
  readonly container: string | null;
}

/** What makes a client run out of ports to one destination. */
export type EphemeralPressure = 'narrow-range' | 'time-wait' | 'established';

/**
 * The OS's wording of the fixes of the cause findings (issue 14). Part of {@link FixAdvice}; kept
 * in its own interface (and one file per OS) so the cause checks can grow without touching the
 * rest of the advice.
 */
export interface CauseAdvice {
  /** Set NO_PROXY (and no_proxy) to `value` in the shell, or in the environment of the process the doctor read. */
  noProxyFix(input: { readonly value: string; readonly pid: number | null; readonly processName: string | null }): string;
  /** Raise the descriptor limit of a server the way it is started. */
  fdLimitFix(input: FdLimitContext): string;
  /** Give a client more ports to one destination. */
  ephemeralFix(input: { readonly pressure: EphemeralPressure; readonly range: PortSpan; readonly destination: string; readonly count: number }): string;
  /** Why a socket-activation holder keeps the port, and how to free it for good. */
  socketActivation(holder: SocketActivator, port: number): AdviceText;
  /** IPv6 is switched off: the setting as the OS names it, and how to switch it back on. */
  ipv6Disabled(input: { readonly interfaceName: string; readonly scope: 'interface' | 'all' | 'kernel' }): { readonly setting: string; readonly fix: string };
}
