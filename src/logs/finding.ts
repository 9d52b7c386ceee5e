import { adviceFor } from '../platform/advice.js';
import type { OsName } from '../platform/types.js';
import type { Finding } from '../types.js';
import type { LogReport } from './types.js';

/**
 * The `log-errors` finding (warning) of a log report, or null when no relevant line was found.
 * `evidence.lines` is the selected lines as `{text, source, line, finding}`; lines that are
 * evidence for another finding carry its code, and stay in the list.
 *
 * @example
 * const finding = logErrorsFinding(await collectLogs({ pid: 4242 }));
 */
export function logErrorsFinding(report: LogReport, os: OsName = 'linux'): Finding | null {
  if (report.lines.length === 0) return null;
  const linked = [...new Set(report.lines.map((l) => l.finding).filter((f): f is string => f !== null))];
  const sources = [...new Set(report.lines.map((l) => l.source))];
  const last = report.lines.at(-1);
  const firstBind = report.lines.find((l) => l.finding !== null);
  const headline = firstBind ?? last;
  return {
    code: 'log-errors',
    severity: 'warning',
    title: `${report.lines.length} relevant log line${report.lines.length === 1 ? '' : 's'} in ${sources.join(', ')}${firstBind ? ': the server failed to bind' : ''}`,
    detail: `${headline ? `${headline.source}${headline.line === null ? '' : `:${headline.line}`}: ${headline.text.trim()}` : ''}${linked.length > 0 ? ` (see ${linked.join(', ')})` : ''}`,
    fix: linked.includes('port-in-use')
      ? 'The log shows the port was already in use when the server started: free the port (portdoctor who PORT) or configure another, then restart the server.'
      : linked.includes('privileged-port')
        ? `The log shows the server was denied its port: use a port above 1023, or ${os === 'linux' ? 'grant CAP_NET_BIND_SERVICE' : 'run it with the privileges the port needs'}, then restart it.`
        : linked.includes('listening-other-address')
          ? `The log shows the server was told to bind an address this host does not have: bind 0.0.0.0 or an address from \`${adviceFor(os).listAddresses}\`, then restart it.`
          : `Read the lines above in ${sources.join(', ')}: the first error is usually the cause.`,
    evidence: {
      lines: report.lines.map((l) => ({ text: l.text, source: l.source, line: l.line, finding: l.finding })),
      sources: report.sources,
    },
  };
}
