import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { usageError } from '../errors.js';
import { formatHostPort, parseTarget, type Target } from '../target.js';
import { isLoopbackAddress } from '../address.js';
import { addressesKnownAtOnce, addressesToBind, addressesToTry } from './wait-addresses.js';
import { bindAttempt, httpAttempt, tcpAttempt, type AttemptOutcome, type StatusRange } from './wait-attempts.js';
import { nextAttemptDelay } from './wait-schedule.js';

/** `open`: until it accepts (default); `closed`: until it no longer accepts; `free`: until it can be bound. */
export type WaitMode = 'open' | 'closed' | 'free';

export interface WaitOptions {
  /** Default `open`. */
  readonly mode?: WaitMode;
  /** Wait for an HTTP answer with a wanted status instead of a TCP accept. Default: true for http(s) URL targets. */
  readonly http?: boolean;
  /** Statuses that count as ready with `http`. Default 200–299. */
  readonly status?: readonly StatusRange[];
  /** The overall deadline. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** How long one connect may take. Default 1000 ms. */
  readonly connectTimeoutMs?: number;
  /** How long one HTTP request may take, connect included. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Cap on the interval between attempts on one address (see wait-schedule.ts for the defaults). */
  readonly maxIntervalMs?: number;
  /** Stops the wait; the result then says `aborted: true` with the last reason per address. */
  readonly signal?: AbortSignal;
}

export interface WaitAddressReport {
  /** The IP address tried (or bound, with `free`). */
  readonly address: string;
  /** True when this address meets the wait's condition. */
  readonly ready: boolean;
  /** The last outcome in words (`accepted`, `refused`, `timed out`, `HTTP 503`, `in use`). */
  readonly lastResult: string;
  readonly attempts: number;
}

export interface WaitTargetReport {
  /** The target as given. */
  readonly target: string;
  readonly ready: boolean;
  /** The address that accepted (open mode), or null. */
  readonly address: string | null;
  /** Why it is not ready, one reason per address (`::1 refused, 127.0.0.1 timed out`); null when ready. */
  readonly lastError: string | null;
  /** Milliseconds from the start until this target was ready, or null. */
  readonly elapsedMs: number | null;
  readonly addresses: readonly WaitAddressReport[];
}

export interface WaitResult {
  /** True when every target is ready. */
  readonly ready: boolean;
  readonly elapsedMs: number;
  /** True when the caller's signal stopped the wait. */
  readonly aborted: boolean;
  readonly targets: readonly WaitTargetReport[];
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_READY_STATUS: readonly StatusRange[] = [{ from: 200, to: 299 }];
/**
 * How often a name is looked up again while waiting (a hosts entry or a DNS record may appear).
 * Slower than the connect attempts: a lookup that misses /etc/hosts is a query to a resolver.
 */
const RESOLVE_INTERVAL_MS = 250;

interface TargetSettings {
  readonly mode: WaitMode;
  readonly http: boolean;
  readonly tls: boolean;
  readonly status: readonly StatusRange[];
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxIntervalMs: number | undefined;
}

interface AddressState {
  readonly address: string;
  attempts: number;
  inFlight: boolean;
  /** The last attempt reached a server that answered "not yet" (HTTP status out of range). */
  answered: boolean;
  /** Meets the condition after its last attempt (null: no attempt has finished yet). */
  good: boolean | null;
  lastResult: string | null;
}

/**
 * Waits until every target accepts connections (or, with `mode`, no longer accepts / can be
 * bound), trying every address of each target: a bare port means 127.0.0.1, ::1 and whatever
 * `localhost` resolves to; a name is looked up again while waiting. A target is ready as soon as
 * any of its addresses accepts. Never throws for "not ready": the result says why, per address.
 * Bad input (an unparsable target, a bad option) throws a PortdoctorError.
 *
 * @example
 * const result = await waitFor(['3000', 'http://localhost:8080/health'], { timeoutMs: 10_000 });
 * if (!result.ready) console.error(result.targets.map((t) => `${t.target}: ${t.lastError}`).join('\n'));
 */
export async function waitFor(targets: readonly (Target | string)[], options: WaitOptions = {}): Promise<WaitResult> {
  const parsed = targets.map((target) => (typeof target === 'string' ? parseTarget(target) : target));
  if (parsed.length === 0) throw usageError('Nothing to wait for: give at least one target.');
  if (parsed.some((target) => target.protocol === 'udp')) {
    throw usageError('wait works with TCP only: UDP has no connection that could be accepted.', 'Use `portdoctor probe --udp` to test a UDP port.');
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  checkOptions(options, timeoutMs);
  const startedAt = performance.now();
  const stop = new AbortController();
  // Every target, attempt and pause listens on these signals: many listeners are expected, not a leak.
  setMaxListeners(0, stop.signal);

  return await new Promise<WaitResult>((resolve) => {
    const finish = (aborted: boolean, pending: string): void => {
      if (stop.signal.aborted) return;
      stop.abort();
      clearTimeout(deadline);
      options.signal?.removeEventListener('abort', onAbort);
      const reports = waiters.map((waiter) => waiter.report(pending));
      resolve({ ready: reports.every((report) => report.ready), elapsedMs: roundMs(performance.now() - startedAt), aborted, targets: reports });
    };
    const onAbort = (): void => finish(true, 'no answer yet');
    const context: WaitContext = {
      stop: stop.signal,
      startedAt,
      changed: () => {
        if (waiters.every((waiter) => waiter.ready)) finish(false, 'no answer yet');
      },
    };
    const waiters = parsed.map((target) => new TargetWaiter(target, settingsFor(target, options), context));
    const deadline = setTimeout(() => finish(false, 'timed out'), timeoutMs);
    if (options.signal?.aborted === true) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    for (const waiter of waiters) waiter.start();
  });
}

interface WaitContext {
  readonly stop: AbortSignal;
  readonly startedAt: number;
  /** Called when a target becomes ready. */
  readonly changed: () => void;
}

/** Waits for one target: resolves its addresses, ticks attempts on all of them. */
class TargetWaiter {
  ready = false;
  private readyAddress: string | null = null;
  private readyAtMs: number | null = null;
  private resolveError: string | null = null;
  private resolved = false;
  private readonly states = new Map<string, AddressState>();
  /** Stops this target's loops when it is ready, or everything when the wait ends. */
  private readonly stop = new AbortController();

  constructor(
    private readonly target: Target,
    private readonly settings: TargetSettings,
    private readonly context: WaitContext,
  ) {
    setMaxListeners(0, this.stop.signal);
    context.stop.addEventListener('abort', () => this.stop.abort(), { once: true });
  }

  start(): void {
    // The fixed addresses start at once: the first getaddrinfo call also starts libuv's thread
    // pool, which costs milliseconds that a waiter on an already-open port should not pay.
    if (this.settings.mode !== 'free') this.addAddresses(addressesKnownAtOnce(this.target.host));
    void (this.settings.mode === 'free' ? this.freeLoop() : this.tickLoop());
  }

  private get done(): boolean {
    return this.stop.signal.aborted;
  }

  /**
   * Open and closed modes: one ticker per target starts an attempt on every address that has
   * none in flight. Ticking all addresses together (rather than one timer per address) lets
   * their refusals arrive in one event-loop wake-up, which halves the idle CPU cost; an address
   * whose attempt hangs (a dropped SYN) just skips ticks until its connect timeout.
   */
  private async tickLoop(): Promise<void> {
    void this.resolveLoop();
    const firstAt = performance.now();
    let previousDelayMs: number | null = null;
    while (!this.done) {
      for (const state of this.states.values()) if (!state.inFlight) void this.attemptOn(state);
      const states = [...this.states.values()];
      const delay = nextAttemptDelay({
        sinceStartMs: performance.now() - firstAt,
        previousDelayMs,
        loopback: states.every((state) => isLoopbackAddress(state.address)),
        answered: states.some((state) => state.answered),
        maxIntervalMs: this.settings.maxIntervalMs,
      });
      previousDelayMs = delay;
      if (!(await pause(delay, this.stop.signal))) return;
    }
  }

  /** Resolves (again, for names); new addresses get their first attempt at once. */
  private async resolveLoop(): Promise<void> {
    for (;;) {
      const set = await addressesToTry(this.target.host);
      if (this.done) return;
      this.resolveError = set.error;
      this.addAddresses(set.addresses);
      this.resolved = true;
      if (this.settings.mode === 'closed') this.checkClosed();
      if (!set.dynamic || !(await pause(RESOLVE_INTERVAL_MS, this.stop.signal))) return;
    }
  }

  private addAddresses(addresses: readonly string[]): void {
    for (const address of addresses) {
      if (this.states.has(address)) continue;
      const state = newState(address);
      this.states.set(address, state);
      void this.attemptOn(state);
    }
  }

  private async attemptOn(state: AddressState): Promise<void> {
    state.inFlight = true;
    const outcome = await this.attempt(state.address);
    state.inFlight = false;
    if (this.done) return;
    state.attempts += 1;
    // Only an HTTP server that answers "not yet" slows us down; closed mode connects cheaply.
    state.answered = this.settings.mode === 'open' && outcome.answered && !outcome.ok;
    if (this.settings.mode === 'closed') {
      state.good = !outcome.ok;
      state.lastResult = outcome.ok ? 'still accepting' : outcome.reason;
      this.checkClosed();
    } else {
      state.good = outcome.ok;
      state.lastResult = outcome.reason;
      if (outcome.ok) this.markReady(state.address);
    }
  }

  private attempt(address: string): Promise<AttemptOutcome> {
    const { port } = this.target;
    if (!this.settings.http) return tcpAttempt(address, port, this.settings.connectTimeoutMs, this.stop.signal);
    const host = this.target.host ?? 'localhost';
    return httpAttempt(
      {
        address,
        port,
        tls: this.settings.tls,
        hostHeader: formatHostPort(host, port),
        serverName: isIP(host) === 0 ? host : null,
        path: this.target.path ?? '/',
        status: this.settings.status,
        connectTimeoutMs: this.settings.connectTimeoutMs,
        requestTimeoutMs: this.settings.requestTimeoutMs,
      },
      this.stop.signal,
    );
  }

  /**
   * Binds every address in turn (never at once: 127.0.0.1 and 0.0.0.0 held together would
   * collide with each other), each round, until all bind.
   */
  private async freeLoop(): Promise<void> {
    const firstAt = performance.now();
    let previousDelayMs: number | null = null;
    while (!this.done) {
      const set = await addressesToBind(this.target.host);
      if (this.done) return;
      this.resolveError = set.error;
      this.resolved = true;
      let allFree = set.addresses.length > 0;
      for (const address of set.addresses) {
        const outcome = await bindAttempt(address, this.target.port);
        if (this.done) return;
        const state = this.stateOf(address);
        state.attempts += 1;
        // With IPv6 off, nobody can hold the port on an IPv6 address either.
        const ipv6Off = this.target.host === null && address.includes(':') && outcome.reason === 'address not available';
        state.good = outcome.ok || ipv6Off;
        state.lastResult = ipv6Off ? 'IPv6 unavailable' : outcome.reason;
        if (!state.good) allFree = false;
      }
      if (allFree) {
        this.markReady(null);
        return;
      }
      const delay = nextAttemptDelay({
        sinceStartMs: performance.now() - firstAt,
        previousDelayMs,
        loopback: true,
        answered: false,
        maxIntervalMs: this.settings.maxIntervalMs,
      });
      previousDelayMs = delay;
      if (!(await pause(delay, this.stop.signal))) return;
    }
  }

  private stateOf(address: string): AddressState {
    let state = this.states.get(address);
    if (state === undefined) {
      state = newState(address);
      this.states.set(address, state);
    }
    return state;
  }

  /** Closed: every known address refused on its last attempt (a name that resolves to nothing counts). */
  private checkClosed(): void {
    if (!this.resolved) return;
    for (const state of this.states.values()) if (state.good !== true) return;
    this.markReady(null);
  }

  private markReady(address: string | null): void {
    if (this.ready) return;
    this.ready = true;
    this.readyAddress = address;
    this.readyAtMs = roundMs(performance.now() - this.context.startedAt);
    this.stop.abort();
    this.context.changed();
  }

  /** `pending`: the words for an address whose first attempt had not finished when the wait ended. */
  report(pending: string): WaitTargetReport {
    const addresses = [...this.states.values()].map((state) => ({
      address: state.address,
      ready: state.good === true,
      lastResult: state.lastResult ?? pending,
      attempts: state.attempts,
    }));
    const reasons = addresses.filter((entry) => !entry.ready).map((entry) => `${entry.address} ${entry.lastResult}`);
    if (this.resolveError !== null) reasons.unshift(this.resolveError);
    if (reasons.length === 0 && !this.ready) reasons.push(this.resolved ? 'no address to try' : `name lookup: ${pending}`);
    return {
      target: this.target.input,
      ready: this.ready,
      address: this.readyAddress,
      lastError: this.ready ? null : reasons.join(', '),
      elapsedMs: this.readyAtMs,
      addresses,
    };
  }
}

function newState(address: string): AddressState {
  return { address, attempts: 0, inFlight: false, answered: false, good: null, lastResult: null };
}

function settingsFor(target: Target, options: WaitOptions): TargetSettings {
  const mode = options.mode ?? 'open';
  const httpScheme = target.scheme === 'http' || target.scheme === 'https' || target.scheme === 'ws' || target.scheme === 'wss';
  return {
    mode,
    http: mode === 'open' && (options.http ?? httpScheme),
    tls: target.scheme === 'https' || target.scheme === 'wss',
    status: options.status ?? DEFAULT_READY_STATUS,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxIntervalMs: options.maxIntervalMs,
  };
}

/** Options are checked once here, so the loops can trust them. */
function checkOptions(options: WaitOptions, timeoutMs: number): void {
  const positive = (value: number | undefined, name: string, min: number): void => {
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) throw usageError(`${name} must be a number ≥ ${min}, not ${value}.`);
  };
  positive(timeoutMs, 'timeoutMs', 0);
  positive(options.connectTimeoutMs, 'connectTimeoutMs', 1);
  positive(options.requestTimeoutMs, 'requestTimeoutMs', 1);
  positive(options.maxIntervalMs, 'maxIntervalMs', 1);
  if (options.http === true && options.mode !== undefined && options.mode !== 'open') {
    throw usageError(`HTTP waiting and mode "${options.mode}" do not go together.`, '--closed and --free look at TCP only.');
  }
  for (const range of options.status ?? []) {
    if (!(Number.isInteger(range.from) && Number.isInteger(range.to) && range.from >= 100 && range.to <= 599 && range.from <= range.to)) {
      throw usageError(`The status range ${range.from}-${range.to} is not within 100-599.`);
    }
  }
  if (options.status !== undefined && options.status.length === 0) throw usageError('The list of ready statuses is empty.');
}

/** Sleeps; resolves false (at once) when the signal stops the wait. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
