import { formatHostPort } from '../target.js';

/** What the `serve --http` page tells the visitor: who answered, on which path, and when. */
export interface ServePageFacts {
  readonly pid: number;
  readonly hostname: string;
  /** The address and port the client connected to (our end of the connection). */
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly method: string;
  readonly path: string;
  /** ISO-8601. */
  readonly time: string;
}

export interface ServePage {
  readonly contentType: string;
  readonly body: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

function factLines(facts: ServePageFacts): [string, string][] {
  return [
    ['served by', `portdoctor serve (pid ${facts.pid} on ${facts.hostname})`],
    ['you connected to', formatHostPort(facts.localAddress, facts.localPort)],
    ['from', formatHostPort(facts.remoteAddress, facts.remotePort)],
    ['request', `${facts.method} ${facts.path}`],
    ['time', facts.time],
  ];
}

/**
 * The page `serve --http` answers with: HTML for a browser (Accept names text/html), plain text
 * for curl and scripts. Pure, so the words are tested without a socket.
 *
 * @example
 * renderServePage({ pid: 42, hostname: 'box', localAddress: '::1', localPort: 8080, remoteAddress: '::1',
 *   remotePort: 51234, method: 'GET', path: '/', time: '2024-06-01T12:00:01.000Z' }, '*\/*').body;
 * // 'portdoctor serve: this port answers.\nserved by: portdoctor serve (pid 42 on box)\n…'
 */
export function renderServePage(facts: ServePageFacts, accept: string | undefined): ServePage {
  const lines = factLines(facts);
  if (accept === undefined || !accept.includes('text/html')) {
    const body = ['portdoctor serve: this port answers.', ...lines.map(([label, value]) => `${label}: ${value}`), ''].join('\n');
    return { contentType: 'text/plain; charset=utf-8', body };
  }
  const rows = lines.map(([label, value]) => `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>portdoctor serve — pid ${facts.pid}</title>
<style>body{font:16px system-ui,sans-serif;margin:2rem}th{text-align:left;padding-right:1rem;color:#555}</style></head>
<body><h1>This port answers.</h1>
<p>A test listener started with <code>portdoctor serve</code>: the path from your client to this address works.</p>
<table>
${rows}
</table></body></html>
`;
  return { contentType: 'text/html; charset=utf-8', body };
}
