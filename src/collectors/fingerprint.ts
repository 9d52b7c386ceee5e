import type net from 'node:net';
import { type Budget, safePath } from './fingerprint-budget.js';
import {
  classifyReply,
  expectedProtocol,
  findMismatch,
  probeFor,
  replyComplete,
  schemeProtocol,
  serverSpeaksFirst,
  type AppProtocol,
  type FingerprintDetail,
  type ProbeKind,
  type ProtocolMismatch,
} from './fingerprint-classify.js';
import { followUp } from './fingerprint-followups.js';
import { decide, planProbes, type ActiveProbe } from './fingerprint-plan.js';
import { Trial, type OpenConnection, type TrialOutcome } from './fingerprint-trial.js';
import { SocketReader } from './socket-reader.js';
import { connectTcp } from './tcp-connect.js';

export type { AppProtocol, FingerprintDetail, ProbeKind, ProtocolMismatch } from './fingerprint-classify.js';
export type { TrialOutcome } from './fingerprint-trial.js';

/** One probe tried, in the order they were started. */
export interface ProbeTried {
  readonly probe: ActiveProbe;
  /** answered, closed (FIN without a byte), reset, silent (nothing before the deadline), failed (no connection). */
  readonly outcome: TrialOutcome;
  /** From sending the probe (or connecting for it) to the outcome (for `silent`: how long it was listened to); null when it was still waiting when another probe named the server. */
  readonly ms: number | null;
}

/** What answers on an open port. */
export interface Fingerprint {
  readonly protocol: AppProtocol;
  readonly detail: FingerprintDetail;
  /** The server said something (a byte, or a completed TLS handshake). */
  readonly answered: boolean;
  /** Nothing answered and the server closed the first probe's connection (FIN) without a single byte. */
  readonly closedImmediately: boolean;
  /** Nothing answered and the server reset the first probe's connection (RST). */
  readonly reset: boolean;
  /** The probe whose reply named the server ('none': the banner did); when nothing answered, the first probe sent. */
  readonly probeSent: ProbeKind;
  /** The scheme promised one protocol and another answered (https → plain HTTP, http → TLS, …). */
  readonly mismatch: ProtocolMismatch | null;
  /** Errno code of a connection failure or socket error, else null. */
  readonly error: string | null;
  /** Every probe sent after the banner wait, in order (empty when the banner was enough). */
  readonly tried: readonly ProbeTried[];
  /** How long the whole fingerprint took, banner wait included (ms). */
  readonly durationMs: number;
}

export interface FingerprintOptions {
  /** URL scheme of the target (`http`, `https`, `redis`, …): chooses the first probe and enables mismatch checks. */
  readonly scheme?: string | null;
  /** HTTP path to request (default `/`). */
  readonly path?: string | null;
  /** Host name for the HTTP Host header and TLS SNI (default: the address). */
  readonly host?: string | null;
  /** Whole budget for connecting, waiting and reading. Default 800 ms. */
  readonly timeoutMs?: number;
  /** How long to wait for a server-speaks-first banner before probing. Default: 0 when the scheme promises a client-speaks-first protocol, 40 ms when the port suggests one, else 120 ms. */
  readonly bannerWaitMs?: number;
  /** The connect time, if known: it scales how long an unanswered probe is given before the next. */
  readonly connectLatencyMs?: number;
  /** Read at most this many bytes. Default 16 KiB. */
  readonly maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 800;
/**
 * How long to listen for a server-speaks-first banner before sending a probe. A URL scheme of a
 * client-speaks-first protocol (http, https, redis, postgres, memcached) needs no wait at all;
 * a guess from the port number, little; an unknown port a short look (an SSH or SMTP server
 * greets within a few ms on loopback). The wait dominates a healthy doctor run, hence the care.
 */
const BANNER_WAIT_UNKNOWN_MS = 120;
const BANNER_WAIT_GUESSED_MS = 40;
const DEFAULT_MAX_BYTES = 16 * 1024;
/**
 * An unanswered probe gets this long (plus a few round trips) before the next one starts. On
 * loopback every server we know answers or hangs up within a few ms; those that stay silent
 * (Redis and memcached on binary probes) are waiting for more bytes that will never come.
 */
const SILENCE_MIN_MS = 30;
const SILENCE_MAX_MS = 250;
/** A reply that has started gets this many silence windows to finish before the next probe starts. */
const STALLED_REPLY_FACTOR = 4;
/** Bounds the scheduler loop: every round starts a probe or waits for an event. */
const MAX_ROUNDS = 1000;

/**
 * Identifies what answers on address:port, read-only and bounded in time and bytes: waits briefly
 * for a banner (SSH, SMTP, FTP, MySQL/MariaDB, some HTTP/2 servers), else tries probes in the
 * order the scheme or port makes likely (HTTP GET, Redis PING, memcached `version`, PostgreSQL
 * SSLRequest, TLS ClientHello with ALPN, HTTP/2 preface, MongoDB hello, AMQP header), each on a
 * fresh connection when the previous one was closed or stayed silent, then asks the one that
 * answered for its version. Never sends anything that changes state or logs in. Never throws: a
 * refused connection comes back with `error` set.
 *
 * @example
 * const fp = await fingerprint('127.0.0.1', 46379);
 * // → { protocol: 'redis', detail: { reply: '+PONG', product: 'Redis', version: '7.0.15', mode: 'standalone' }, … }
 * if (fp.mismatch) console.log(fp.mismatch.message);
 */
export async function fingerprint(address: string, port: number, options: FingerprintOptions = {}): Promise<Fingerprint> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const start = performance.now();
  const connection = await connectTcp(address, port, timeoutMs);
  // A reset can beat the connect callback: the kernel completed the handshake, the RST followed.
  if (!connection.ok) return { ...silence('none', start), reset: connection.error === 'ECONNRESET', error: connection.error };
  const remaining = Math.max(0, timeoutMs - connection.latencyMs);
  return fingerprintSocket(connection.socket, port, { connectLatencyMs: connection.latencyMs, ...options, timeoutMs: remaining });
}

/**
 * The fingerprint on a socket that is already connected (the probe's own connection, so the
 * port is not connected to twice). Takes ownership: the socket, and every connection opened
 * for later probes, is destroyed when this resolves.
 */
export async function fingerprintSocket(socket: net.Socket, port: number, options: FingerprintOptions = {}): Promise<Fingerprint> {
  const start = performance.now();
  const budget: Budget = {
    deadline: start + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    bannerWaitMs: options.bannerWaitMs ?? bannerWaitFor(options.scheme ?? null, port),
    silenceMs: silenceFor(options.connectLatencyMs),
    expected: expectedProtocol(options.scheme, port),
    scheme: options.scheme ?? null,
    path: safePath(options.path),
    host: options.host ?? null,
    address: socket.remoteAddress ?? '127.0.0.1',
    port,
  };
  const trials: Trial[] = [];
  try {
    const reader = new SocketReader(socket, budget.maxBytes);
    // Speaks-first protocols get the whole budget to greet; others a short look for a surprise banner.
    const bannerDeadline = serverSpeaksFirst(budget.expected) ? budget.deadline : Math.min(budget.deadline, performance.now() + budget.bannerWaitMs);
    await reader.until((bytes) => replyComplete(bytes, 'none'), bannerDeadline);
    if (reader.received > 0) {
      await reader.until((bytes) => replyComplete(bytes, 'none'), budget.deadline);
      return await fromBanner(reader, budget, start);
    }
    const first = probeFor(budget.expected);
    if (reader.ended || first === 'none') return fromSilence(reader, budget, start);
    return await runProbes({ socket, reader }, planProbes(first), budget, trials, start);
  } finally {
    socket.destroy();
    for (const trial of trials) trial.close();
  }
}

function bannerWaitFor(scheme: string | null, port: number): number {
  const promised = schemeProtocol(scheme);
  if (promised !== null) return serverSpeaksFirst(promised) ? DEFAULT_TIMEOUT_MS : 0;
  const guessed = expectedProtocol(null, port);
  return guessed === 'unknown' ? BANNER_WAIT_UNKNOWN_MS : BANNER_WAIT_GUESSED_MS;
}

/** A few round trips (the connect time is one), never less than the loopback floor. */
function silenceFor(connectLatencyMs: number | undefined): number {
  return Math.min(SILENCE_MAX_MS, SILENCE_MIN_MS + 4 * (connectLatencyMs ?? 0));
}

function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

function silence(sent: ProbeKind, start: number): Fingerprint {
  return { protocol: 'unknown', detail: {}, answered: false, closedImmediately: false, reset: false, probeSent: sent, mismatch: null, error: null, tried: [], durationMs: elapsed(start) };
}

/** The banner wait ended with the server closing, resetting, or (for greet-first protocols) saying nothing. */
function fromSilence(reader: SocketReader, budget: Budget, start: number): Fingerprint {
  return { ...silence('none', start), closedImmediately: reader.ended && !reader.reset, reset: reader.reset, error: reader.errorCode, mismatch: null, protocol: 'unknown' };
}

/** A server that spoke first: its greeting names it (an HTTP/2 server's SETTINGS is followed by a GET). */
async function fromBanner(reader: SocketReader, budget: Budget, start: number): Promise<Fingerprint> {
  const found = classifyReply(reader.bytes, 'none', budget.expected);
  const detail = found.protocol === 'http2' ? await followUp(null, budget, found) : found.detail;
  return {
    protocol: found.protocol,
    detail,
    answered: true,
    closedImmediately: false,
    reset: false,
    probeSent: 'none',
    mismatch: findMismatch(budget.scheme, found.protocol),
    error: reader.errorCode,
    tried: [],
    durationMs: elapsed(start),
  };
}

/** Resolves on the next settle of any trial (or never, if none is pending: callers race it with a timer). */
function nextSettle(trials: readonly Trial[]): Promise<void> {
  return Promise.race(trials.filter((trial) => !trial.settled).map((trial) => trial.done));
}

function sleepUntil(instant: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, instant - performance.now())));
}

/** Silent past its window, or a reply that started but will not finish: the next wave may go. */
function windowEnd(trial: Trial, budget: Budget): number {
  return trial.startedAt + budget.silenceMs * (trial.received === 0 ? 1 : STALLED_REPLY_FACTOR);
}

/**
 * Starts the probes wave after wave: the next wave when every probe of the current one was
 * closed, answered with nothing useful, or stayed silent for the silence window (it keeps
 * listening). Stops as soon as {@link decide} says a reply names the server, then asks that
 * server for its details.
 */
async function runProbes(first: OpenConnection, plan: ActiveProbe[][], budget: Budget, trials: Trial[], start: number): Promise<Fingerprint> {
  const waiting = plan.map((wave) => [...wave]);
  let unused: OpenConnection | null = first;
  let wave: Trial[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const decision = decide(trials, waiting);
    if (decision.kind === 'found') {
      const trial = trials[decision.trial];
      if (trial !== undefined) return await found(trial, trials, budget, start);
    }
    if (decision.kind === 'jump') {
      for (const queued of waiting) {
        const at = queued.indexOf(decision.probe);
        if (at !== -1) queued.splice(at, 1);
      }
      waiting.unshift([decision.probe]);
    }
    const now = performance.now();
    if (now >= budget.deadline) break;
    const next = waiting.find((queued) => queued.length > 0);
    const waveDone = wave.every((trial) => trial.settled || now >= windowEnd(trial, budget));
    if (next !== undefined && (waveDone || decision.kind === 'jump')) {
      waiting.splice(0, waiting.indexOf(next) + 1);
      wave = next.map((probe) => {
        const trial = new Trial(probe, unused, budget);
        unused = null;
        return trial;
      });
      trials.push(...wave);
      continue;
    }
    if (next === undefined && trials.every((trial) => trial.settled)) break;
    const pending = wave.filter((trial) => !trial.settled);
    const wakeAt = next !== undefined && pending.length > 0 ? Math.max(...pending.map((trial) => windowEnd(trial, budget))) : budget.deadline;
    await Promise.race([nextSettle(trials), sleepUntil(Math.min(wakeAt, budget.deadline))]);
  }
  unused?.socket.destroy();
  return unnamed(trials, budget, start);
}

function triedList(trials: readonly Trial[]): ProbeTried[] {
  return trials.map((trial) => ({ probe: trial.probe, outcome: trial.settled ? trial.outcome : 'silent', ms: trial.durationMs }));
}

async function found(trial: Trial, trials: readonly Trial[], budget: Budget, start: number): Promise<Fingerprint> {
  const classification = trial.classification ?? { protocol: 'unknown' as const, detail: {} };
  // Other probes still listening are of no more use: close them before asking for details.
  for (const other of trials) if (other !== trial) other.close();
  const detail = await followUp(trial, budget, classification);
  return {
    protocol: classification.protocol,
    detail,
    answered: true,
    closedImmediately: false,
    reset: false,
    probeSent: trial.probe,
    mismatch: findMismatch(budget.scheme, classification.protocol),
    error: null,
    tried: triedList(trials),
    durationMs: elapsed(start),
  };
}

/** No reply named the server: the first reply of any kind, else silence as the first probe saw it. */
function unnamed(trials: readonly Trial[], budget: Budget, start: number): Fingerprint {
  const replied = trials.find((trial) => trial.outcome === 'answered' && trial.classification !== null);
  const firstTrial = trials[0];
  if (replied?.classification) {
    return {
      protocol: replied.classification.protocol,
      detail: replied.classification.detail,
      answered: true,
      closedImmediately: false,
      reset: false,
      probeSent: replied.probe,
      mismatch: findMismatch(budget.scheme, replied.classification.protocol),
      error: null,
      tried: triedList(trials),
      durationMs: elapsed(start),
    };
  }
  return {
    ...silence(firstTrial?.probe ?? 'none', start),
    closedImmediately: firstTrial?.outcome === 'closed',
    reset: firstTrial?.outcome === 'reset',
    error: firstTrial?.error ?? null,
    tried: triedList(trials),
  };
}
