import { isIP } from 'node:net';
import { doctor } from './doctor/index.js';
import type { DoctorReport } from './doctor/types.js';
import { formatHostPort, type Target } from './target.js';
import type { Port } from './types.js';

/** The errno codes of `server.listen()` that portdoctor can explain. */
const EXPLAINED = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EPERM']);

/** The shape of Node's listen errors: an errno code plus the address and port it tried. */
interface ListenErrorLike {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly syscall?: unknown;
}

export interface ListenErrorExplanation {
  /** One paragraph for a person: what happened, who holds the port, what to do. */
  readonly message: string;
  /** The doctor's full server-view report behind the message. */
  readonly report: DoctorReport;
}

/**
 * Turns an error from `server.listen()` (EADDRINUSE, EACCES, EADDRNOTAVAIL) into the doctor's
 * explanation: who holds the port, why the bind was refused, and the fix. Returns null for
 * errors that are not about binding, so callers can fall back to their own handling.
 *
 * @example
 * import http from 'node:http';
 * import { explainListenError } from 'portdoctor';
 *
 * const server = http.createServer(handler);
 * server.on('error', async (error) => {
 *   const explained = await explainListenError(error);
 *   console.error(explained?.message ?? error);
 *   process.exit(1);
 * });
 * server.listen(3000, '127.0.0.1');
 * // → "Cannot listen on 127.0.0.1:3000 (EADDRINUSE): Port 3000 is in use by node on 127.0.0.1 …
 * //    Fix: Stop the holder with 'portdoctor kill 3000', or pick a free port with 'portdoctor free'."
 */
export async function explainListenError(error: unknown, fallback: { host?: string; port?: number } = {}): Promise<ListenErrorExplanation | null> {
  if (typeof error !== 'object' || error === null) return null;
  const { code, address, port, syscall } = error as ListenErrorLike;
  if (typeof code !== 'string' || !EXPLAINED.has(code)) return null;
  if (syscall !== undefined && syscall !== 'listen' && syscall !== 'bind') return null;
  const portNumber = typeof port === 'number' && port > 0 ? port : fallback.port;
  if (portNumber === undefined || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) return null;
  const rawHost = typeof address === 'string' && address !== '' ? address : (fallback.host ?? null);
  const host = rawHost !== null && isIP(rawHost) === 0 && rawHost !== 'localhost' ? null : rawHost;
  const target: Target = {
    input: host === null ? String(portNumber) : formatHostPort(host, portNumber),
    host,
    port: portNumber as Port,
    protocol: 'tcp',
    scheme: null,
    path: null,
  };
  const report = await doctor(target, { bind: true });
  return { message: explanationText(code, target, report), report };
}

function explanationText(code: string, target: Target, report: DoctorReport): string {
  const where = target.host === null ? `port ${target.port}` : formatHostPort(target.host, target.port);
  const relevant = report.findings.filter((f) => f.severity !== 'info' || f.code === 'port-in-use');
  if (relevant.length === 0) {
    return `Cannot listen on ${where} (${code}), but the port looks free now: the holder may have exited. Try again, or run 'portdoctor doctor --bind ${target.input}'.`;
  }
  const lines = relevant.slice(0, 3).map((f) => `${f.title}. ${f.detail}\nFix: ${f.fix}`);
  return `Cannot listen on ${where} (${code}):\n${lines.join('\n')}`;
}
