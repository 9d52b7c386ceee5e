/**
 * Pure half of the probe sequence: which probes to try and in what order, and — after each
 * reply — whether the question is settled. No I/O, so the policy is tested without sockets.
 *
 * The order is nmap's idea (most likely first, the cheapest answers early) tuned to what real
 * servers do with a foreign probe on loopback: PostgreSQL, Redis, memcached and Node's HTTPS
 * server hang up at once on anything that is not theirs (a millisecond each), while Redis and
 * memcached sit silent on binary probes (TLS, SSLRequest, OP_MSG) until a timeout. So the text
 * probes come first, then the binary ones.
 */
import type { AppProtocol, Classification, ProbeKind } from './fingerprint-classify.js';

export type ActiveProbe = Exclude<ProbeKind, 'none'>;

/**
 * The general order, in waves: HTTP (the common dev-server case) alone first, on the connection
 * of the banner wait; then the three text probes side by side, each on its own connection (each
 * server hangs up on, or ignores, the other two, and PostgreSQL takes a fork per connection to
 * say anything, so asking one after the other would cost three forks); TLS; then the binary
 * probes side by side.
 */
export const PROBE_WAVES: readonly (readonly ActiveProbe[])[] = [['http'], ['redis', 'memcached', 'postgres'], ['tls'], ['http2', 'mongodb', 'amqp']];

/**
 * The probes to try, wave by wave, for a protocol the scheme or port makes likely: its own probe
 * alone first, then the rest of {@link PROBE_WAVES}.
 *
 * @example
 * planProbes('redis'); // → [['redis'], ['http'], ['memcached', 'postgres'], ['tls'], ['http2', 'mongodb', 'amqp']]
 */
export function planProbes(first: ActiveProbe): ActiveProbe[][] {
  const rest = PROBE_WAVES.map((wave) => wave.filter((probe) => probe !== first)).filter((wave) => wave.length > 0);
  return [[first], ...rest];
}

/** The probe whose answer is the most telling for a protocol; null for greet-first protocols. */
export function ownProbe(protocol: AppProtocol): ActiveProbe | null {
  switch (protocol) {
    case 'http':
    case 'http2':
    case 'tls':
    case 'redis':
    case 'memcached':
    case 'postgres':
    case 'mongodb':
    case 'amqp':
      return protocol;
    case 'ssh':
    case 'smtp':
    case 'ftp':
    case 'mysql':
    case 'unknown':
      return null;
  }
}

/** What the scheduler knows about one probe it started. */
export interface TrialView {
  readonly probe: ActiveProbe;
  /** Reply complete, connection closed or reset, or out of time. */
  readonly settled: boolean;
  /** What the reply says, once settled with bytes (or a TLS handshake); null before or without. */
  readonly classification: Classification | null;
}

export type Decision =
  /** This trial names the server: stop probing. */
  | { readonly kind: 'found'; readonly trial: number }
  /** A foreign probe's reply names the protocol: try its own probe next, for the details. */
  | { readonly kind: 'jump'; readonly probe: ActiveProbe }
  /** Nothing settled yet: keep going. */
  | { readonly kind: 'continue' };

/**
 * Looks at the trials so far (in the order they were started) and the probes not yet started.
 * A reply in the protocol's own probe settles it. A reply to a foreign probe (Redis' `-ERR` to
 * memcached's `version`, RabbitMQ's header in answer to an HTTP GET) first gets the protocol's
 * own probe, which tells more (the version); if that one fails, the foreign reply stands.
 *
 * @example
 * decide([{ probe: 'http', settled: true, classification: { protocol: 'amqp', detail: {} } }], [['redis'], ['amqp']]);
 * // → { kind: 'jump', probe: 'amqp' }
 */
export function decide(trials: readonly TrialView[], waiting: readonly (readonly ActiveProbe[])[]): Decision {
  for (const [index, trial] of trials.entries()) {
    const protocol = trial.classification?.protocol ?? 'unknown';
    if (!trial.settled || (protocol === 'unknown' && trial.classification?.detail.echo !== true)) continue;
    const own = ownProbe(protocol);
    if (own === null || own === trial.probe) return { kind: 'found', trial: index };
    const ownIndex = trials.findIndex((other) => other.probe === own);
    const ownTrial = trials[ownIndex];
    if (ownTrial === undefined) {
      if (waiting.some((wave) => wave.includes(own))) return { kind: 'jump', probe: own };
      return { kind: 'found', trial: index };
    }
    if (!ownTrial.settled) continue;
    return { kind: 'found', trial: ownTrial.classification?.protocol === protocol ? ownIndex : index };
  }
  return { kind: 'continue' };
}
