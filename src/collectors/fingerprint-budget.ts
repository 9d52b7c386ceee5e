import type net from 'node:net';
import type { AppProtocol } from './fingerprint-classify.js';
import { connectTcp } from './tcp-connect.js';

/** What every step of one fingerprint shares: where, what was asked for, and until when. */
export interface Budget {
  /** performance.now() instant after which nothing more is read. */
  readonly deadline: number;
  readonly maxBytes: number;
  readonly bannerWaitMs: number;
  /**
   * How long a probe may stay unanswered before the next one starts (on its own connection;
   * the silent one keeps listening until the deadline, so a slow server is still heard).
   */
  readonly silenceMs: number;
  readonly expected: AppProtocol;
  readonly scheme: string | null;
  readonly path: string;
  readonly host: string | null;
  /** The peer, for the Host header and for fresh connections. */
  readonly address: string;
  readonly port: number;
}

export function remainingMs(budget: Budget): number {
  return Math.max(0, budget.deadline - performance.now());
}

/** An instant `ms` from now, never past the deadline. */
export function capped(budget: Budget, ms: number): number {
  return Math.min(budget.deadline, performance.now() + ms);
}

export type FreshConnection = { readonly ok: true; readonly socket: net.Socket } | { readonly ok: false; readonly error: string };

/** Opens another connection to the same peer within the time left. */
export async function connectAgain(budget: Budget): Promise<FreshConnection> {
  const remaining = remainingMs(budget);
  if (remaining <= 0) return { ok: false, error: 'ETIMEDOUT' };
  const connection = await connectTcp(budget.address, budget.port, remaining);
  return connection.ok ? { ok: true, socket: connection.socket } : { ok: false, error: connection.error };
}

/** A URL path is already percent-encoded; anything with spaces or control bytes falls back to `/`. */
export function safePath(path: string | null | undefined): string {
  // Anything at or below a space (controls, CR/LF) or DEL would break the request line.
  if (path === null || path === undefined || !path.startsWith('/') || [...path].some((c) => c <= ' ' || c === '\u007f')) return '/';
  return path;
}

export function hostHeader(budget: Budget): string {
  const host = budget.host ?? budget.address;
  return host.includes(':') ? `[${host}]:${budget.port}` : `${host}:${budget.port}`;
}

/**
 * GET, not HEAD: nginx explains "plain HTTP request was sent to HTTPS port" only in a body, and
 * some frameworks answer HEAD with 405. The read is capped (maxBytes), so a big body costs nothing.
 */
export function httpRequest(budget: Budget, extraHeaders = 'Connection: close\r\n'): string {
  return `GET ${budget.path} HTTP/1.1\r\nHost: ${hostHeader(budget)}\r\nUser-Agent: portdoctor\r\nAccept: */*\r\n${extraHeaders}\r\n`;
}
