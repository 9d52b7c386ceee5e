import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { errnoCode, PortdoctorError, usageError } from '../errors.js';
import type { Family, Protocol } from '../types.js';
import { serve, type RunningServer } from './serve.js';

/** Round-trip latency in milliseconds, rounded to the microsecond. p95 is the nearest rank. */
export interface LatencyStats {
  readonly median: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

/** One path tested: a protocol over one loopback address. */
export interface SelftestCheck {
  readonly protocol: Protocol;
  readonly family: Family;
  readonly address: string;
  /** `unavailable`: the address cannot be used here at all (IPv6 disabled on lo). */
  readonly status: 'ok' | 'unavailable' | 'failed';
  /** Round trips completed (equals `rounds` when ok). */
  readonly roundTrips: number;
  readonly latencyMs: LatencyStats | null;
  /** Why it failed or is unavailable; null when ok. */
  readonly error: string | null;
}

export interface SelftestResult {
  /** True when every check is ok. */
  readonly ok: boolean;
  readonly rounds: number;
  readonly checks: readonly SelftestCheck[];
}

export interface SelftestOptions {
  /** Messages per check, 1–10 000. Default 200. */
  readonly rounds?: number;
  /** Give up on one check after this long. Default 5000 ms. */
  readonly timeoutMs?: number;
}

const DEFAULT_ROUNDS = 200;
const MAX_ROUNDS = 10_000;
const MESSAGE_BYTES = 32;
const SELFTEST_ADDRESSES: readonly { address: string; family: Family }[] = [
  { address: '127.0.0.1', family: 'ipv4' },
  { address: '::1', family: 'ipv6' },
];

/**
 * Proves the loopback paths end to end in one process: for 127.0.0.1 and ::1, a TCP echo and a
 * UDP echo listener (started with {@link serve} on port 0), `rounds` small messages each, one at a
 * time, with the round-trip latency. An address that cannot be used (IPv6 disabled on lo) is a
 * result (`unavailable`), not an error.
 *
 * @example
 * const result = await selftest({ rounds: 100 });
 * for (const check of result.checks) console.log(check.protocol, check.address, check.status, check.latencyMs?.median);
 */
export async function selftest(options: SelftestOptions = {}): Promise<SelftestResult> {
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS) throw usageError(`rounds must be a whole number from 1 to ${MAX_ROUNDS}, not ${rounds}.`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const checks: SelftestCheck[] = [];
  // One check at a time: concurrent checks would measure each other's scheduling, not the path.
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const { address, family } of SELFTEST_ADDRESSES) checks.push(await runCheck(protocol, address, family, rounds, timeoutMs));
  }
  return { ok: checks.every((check) => check.status === 'ok'), rounds, checks };
}

async function runCheck(protocol: Protocol, address: string, family: Family, rounds: number, timeoutMs: number): Promise<SelftestCheck> {
  const base = { protocol, family, address };
  let server: RunningServer;
  try {
    server = await serve({ host: address, port: 0, mode: protocol === 'tcp' ? 'echo' : 'udp' });
  } catch (error) {
    const code = error instanceof PortdoctorError ? errnoCode(error.cause) : errnoCode(error);
    if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') {
      const why = family === 'ipv6' ? 'IPv6 is not available on the loopback interface' : `${address} is not configured on lo`;
      return { ...base, status: 'unavailable', roundTrips: 0, latencyMs: null, error: `${why} (${address} cannot be bound: ${code})` };
    }
    return { ...base, status: 'failed', roundTrips: 0, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  }
  try {
    const samples: number[] = [];
    const measure = protocol === 'tcp' ? tcpRoundTrips : udpRoundTrips;
    const error = await measure(address, server.port, rounds, timeoutMs, samples);
    return {
      ...base,
      status: error === null ? 'ok' : 'failed',
      roundTrips: samples.length,
      latencyMs: latencyStats(samples),
      error,
    };
  } finally {
    await server.close();
  }
}

function message(index: number): Buffer {
  return Buffer.from(`portdoctor selftest ${String(index).padStart(8, '0')}`.padEnd(MESSAGE_BYTES, '.'));
}

/** Sequential echo round trips over one TCP connection; returns null or why it stopped. */
function tcpRoundTrips(address: string, port: number, rounds: number, timeoutMs: number, samples: number[]): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, noDelay: true });
    let received = 0;
    let sentAt = 0;
    let settled = false;
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => finish(`${samples.length} of ${rounds} round trips in ${timeoutMs} ms`), timeoutMs);
    const send = (): void => {
      received = 0;
      sentAt = performance.now();
      socket.write(message(samples.length));
    };
    socket.once('connect', send);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received < MESSAGE_BYTES) return;
      samples.push(performance.now() - sentAt);
      if (samples.length >= rounds) finish(null);
      else send();
    });
    socket.once('error', (error) => finish(`${errnoCode(error) ?? 'error'}: ${error.message}`));
    socket.once('close', () => finish(samples.length >= rounds ? null : 'the connection closed early'));
  });
}

/** Sequential echo round trips with UDP datagrams; a datagram lost on loopback is a failure. */
function udpRoundTrips(address: string, port: number, rounds: number, timeoutMs: number, samples: number[]): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    let sentAt = 0;
    let settled = false;
    const finish = (error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(error);
    };
    const timer = setTimeout(() => finish(`${samples.length} of ${rounds} datagrams came back in ${timeoutMs} ms`), timeoutMs);
    const send = (): void => {
      sentAt = performance.now();
      socket.send(message(samples.length), port, address);
    };
    socket.on('message', () => {
      samples.push(performance.now() - sentAt);
      if (samples.length >= rounds) finish(null);
      else send();
    });
    socket.once('error', (error) => finish(`${errnoCode(error) ?? 'error'}: ${error.message}`));
    socket.bind(0, address, send);
  });
}

/**
 * Median, nearest-rank p95, min and max, rounded to 0.001 ms; null for no samples.
 *
 * @example
 * latencyStats([0.05, 0.02, 0.03]); // { median: 0.03, p95: 0.05, min: 0.02, max: 0.05 }
 */
export function latencyStats(samples: readonly number[]): LatencyStats | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
  const round = (ms: number): number => Math.round(ms * 1000) / 1000;
  return { median: round(median), p95: round(p95), min: round(sorted[0] ?? 0), max: round(sorted[sorted.length - 1] ?? 0) };
}
