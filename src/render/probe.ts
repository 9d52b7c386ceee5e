import type { Fingerprint } from '../collectors/fingerprint.js';
import type { ProbeAttempt, ProbeResult } from '../collectors/probe.js';
import { isAccepted } from '../collectors/probe-status.js';
import { displayAddress } from './address.js';
import { styler, visibleLength } from './color.js';

/** One short phrase for what answered: `http 200 OK, Server nginx`, `ssh SSH-2.0-OpenSSH_9.2`. */
export function describeFingerprint(fp: Fingerprint, timeoutMs: number): string {
  if (!fp.answered) {
    if (fp.reset) return 'reset by the server';
    if (fp.closedImmediately) return 'closed without a word';
    return `no reply within ${timeoutMs} ms`;
  }
  const d = fp.detail;
  const parts: string[] = [];
  if (d.echo === true) parts.push('echoes what it receives');
  if (d.tlsVersion !== undefined) parts.push(d.tlsVersion);
  if (d.certSubject !== undefined) parts.push(`CN=${d.certSubject}`);
  if (d.alpn !== undefined) parts.push(`ALPN ${d.alpn}`);
  if (d.tlsError !== undefined) parts.push(d.tlsError);
  if (d.httpStatus !== undefined) parts.push(`${fp.protocol === 'http' ? '' : 'http '}${d.httpStatus}${d.httpReason === undefined ? '' : ` ${d.httpReason}`}`);
  if (d.server !== undefined) parts.push(`Server ${d.server}`);
  if (d.grpc === true) parts.push('gRPC');
  if (d.websocket === true) parts.push('WebSocket upgrade accepted');
  if (d.plainHttpToHttpsPort === true) parts.push('"plain HTTP request was sent to HTTPS port"');
  if (d.tlsRecord !== undefined) parts.push(`TLS ${d.tlsRecord} record`);
  if (d.postgresSsl !== undefined) parts.push(d.postgresSsl ? 'SSL available' : 'no SSL');
  // The Server header already names the product; elsewhere the product (and version) come first.
  if (d.product !== undefined && d.server === undefined) parts.push(d.version === undefined ? d.product : `${d.product} ${d.version}`);
  else if (d.product === undefined && d.version !== undefined) parts.push(d.version);
  if (d.reply !== undefined && (d.product === undefined || fp.protocol === 'postgres')) parts.push(d.reply);
  if (d.banner !== undefined && d.product === undefined && d.echo !== true) parts.push(d.banner);
  return parts.length === 0 ? fp.protocol : `${fp.protocol} ${parts.join(', ')}`;
}

function attemptDetail(attempt: ProbeAttempt, timeoutMs: number): string {
  if (attempt.fingerprint !== null) return describeFingerprint(attempt.fingerprint, timeoutMs);
  if (attempt.reply !== undefined) return `replied "${attempt.reply}"`;
  if (attempt.status === 'timeout') return `no answer within ${timeoutMs} ms`;
  if (attempt.status === 'silent') return 'no reply, no ICMP error';
  return attempt.error ?? '';
}

function cut(text: string, room: number): string {
  return visibleLength(text) > room ? `${text.slice(0, Math.max(room - 1, 1))}…` : text;
}

/**
 * The human view of a probe: a headline, then one aligned line per address tried (✔ accepted,
 * ✖ not), then a mismatch warning or note. Fits `width` columns; colour only when asked.
 *
 * @example
 * renderProbe(await probe('localhost:3000'), { color: false, width: 80, timeoutMs: 1000 }).join('\n');
 */
export function renderProbe(result: ProbeResult, options: { color: boolean; width: number; timeoutMs: number }): string[] {
  const style = styler(options.color);
  const lines: string[] = [];
  const resolutionError = result.resolution?.error ?? null;
  if (result.attempts.length === 0) {
    const why = resolutionError === null ? 'resolves to no address' : `does not resolve (${resolutionError.code})`;
    lines.push(`${style.red('✖')} ${result.host ?? result.target} ${why}`);
    return lines;
  }
  const accepted = isAccepted(result.status);
  const via = result.address === null ? '' : ` via ${result.address}`;
  const latency = result.latencyMs === null ? '' : `, ${result.latencyMs} ms`;
  const proto = result.protocol === null ? '' : `, ${result.protocol}`;
  const headline = `${result.target} (${result.transport}): ${result.status}${via}${proto}${latency}`;
  lines.push(accepted ? style.green(headline) : style.red(headline));

  const rows = result.attempts.map((attempt) => ({
    mark: isAccepted(attempt.status) ? style.green('✔') : style.red('✖'),
    address: displayAddress(attempt.address, result.port),
    status: attempt.status,
    latency: attempt.latencyMs === null ? '-' : `${attempt.latencyMs} ms`,
    detail: attemptDetail(attempt, options.timeoutMs),
  }));
  const addressWidth = Math.max(...rows.map((row) => row.address.length));
  const statusWidth = Math.max(...rows.map((row) => row.status.length));
  const latencyWidth = Math.max(...rows.map((row) => row.latency.length));
  for (const row of rows) {
    const head = `  ${row.mark} ${row.address.padEnd(addressWidth)}  ${row.status.padEnd(statusWidth)}  ${row.latency.padStart(latencyWidth)}  `;
    lines.push(`${head}${cut(row.detail, Math.max(options.width - visibleLength(head), 10))}`.trimEnd());
  }
  const mismatch = result.fingerprint?.mismatch ?? null;
  if (mismatch !== null) lines.push(style.yellow(`! ${mismatch.message}`));
  if (result.note !== null) lines.push(style.dim(result.note));
  return lines;
}
