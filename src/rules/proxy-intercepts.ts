import { CLIENT_NAMES, type ProxyClient, type ProxyVerdict } from '../causes/proxy-env.js';
import type { ProxyConfirmation } from '../causes/types.js';
import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import { finding } from './helpers.js';

const SHORT: Readonly<Record<ProxyClient, string>> = { curl: 'curl', node: 'Node', axios: 'axios', go: 'Go' };

const urlHost = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** One line per client: where its request for the first proxied host goes, and why. */
function clientLine(verdicts: readonly ProxyVerdict[]): string {
  const byClient = new Map<ProxyClient, ProxyVerdict[]>();
  for (const v of verdicts) byClient.set(v.client, [...(byClient.get(v.client) ?? []), v]);
  return [...byClient]
    .map(([client, list]) => {
      const proxied = list.filter((v) => v.proxied);
      const inactive = client === 'node' && list.every((v) => !v.active) ? ' — but only with NODE_USE_ENV_PROXY=1 (or an app that installs EnvHttpProxyAgent); plain Node fetch goes direct' : '';
      if (proxied.length === 0) return `${CLIENT_NAMES[client]}: direct (${list[0]?.why ?? ''})`;
      return `${CLIENT_NAMES[client]}: ${proxied.map((v) => urlHost(v.host)).join(' and ')} through ${proxied[0]!.proxy} (${proxied[0]!.why})${inactive}`;
    })
    .join('; ');
}

/** The words of an answer's body worth quoting: an HTML page's title, else its text. */
function pageGist(body: string | null): string {
  if (body === null) return '';
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1];
  const text = title ?? body.replace(/<[^>]*>/g, ' ');
  return text.replace(/\s+/g, ' ').trim().slice(0, 140);
}

/** What the proxy said, as evidence that requests really go there. */
function confirmationText(c: ProxyConfirmation): string {
  const at = `${c.address.includes(':') ? `[${c.address}]` : c.address}:${c.port}`;
  switch (c.outcome) {
    case 'unreachable':
      return `Nothing answers at the proxy's address ${at} (${c.error ?? 'no connection'}): clients that use it fail before reaching the server.`;
    case 'no-answer':
      return `The proxy at ${at} accepted the connection but gave no HTTP answer to "${c.request}" (${c.error ?? 'silence'}).`;
    case 'not-checked':
      return `Not confirmed: ${c.proxy} is ${c.error ?? 'a proxy portdoctor does not talk to'}.`;
    case 'error-page':
    case 'forwarded': {
      const via = c.via === null ? '' : `, Via: ${c.via}`;
      const server = c.server === null ? '' : `, Server: ${c.server}`;
      // A forwarded answer's body is the server's page (often chunked): only an error page is the proxy's own words.
      const gist = c.outcome === 'error-page' ? pageGist(c.body) : '';
      const body = gist === '' ? '' : ` — "${gist}"`;
      const meaning = c.outcome === 'error-page' ? 'the proxy cannot (or will not) reach the server, so clients that use it get its error instead' : 'the proxy forwarded it: those clients reach whatever "localhost" means on the proxy\'s side';
      return `Asked "${c.request}", the proxy at ${at} answered ${c.status}${c.reason === null ? '' : ` ${c.reason}`}${via}${server}${body}: ${meaning}.`;
    }
  }
}

/**
 * A proxy in the client's environment catches requests for this machine: HTTP_PROXY/HTTPS_PROXY/
 * ALL_PROXY (any case) are set and NO_PROXY does not exempt the target the way curl, Node, axios
 * or Go read it (each reads it differently: see causes/proxy-env.ts). Confirmed by asking the
 * proxy for the target. portdoctor's own probe connects directly, so nothing else in the report
 * shows this.
 */
export const proxyIntercepts: Rule = {
  step: 'port-usage',
  codes: ['proxy-intercepts'],
  evaluate(facts) {
    const read = facts.causes.proxy;
    if (read === null || !read.ok) return [];
    const proxy = read.value;
    const proxied = proxy.verdicts.filter((v) => v.proxied && v.active);
    if (proxied.length === 0) return [];
    const clients = [...new Set(proxied.map((v) => SHORT[v.client]))];
    const hosts = [...new Set(proxied.map((v) => urlHost(v.host)))];
    const first = proxied[0]!;
    const failed = proxy.confirmations.some((c) => c.outcome === 'unreachable' || c.outcome === 'error-page' || c.outcome === 'no-answer');
    const whose = proxy.source.kind === 'self' ? 'this shell' : `process ${proxy.source.pid}${proxy.source.name === null ? '' : ` (${proxy.source.name})`}`;
    const target = hosts.map((h) => `${proxy.scheme}://${h}:${proxy.port}`).join(' and ');
    const list = clients.length === 1 ? clients[0]! : `${clients.slice(0, -1).join(', ')} and ${clients.at(-1)!}`;
    return [
      finding(
        'proxy-intercepts',
        failed ? 'error' : 'warning',
        `${list} send${clients.length === 1 ? 's' : ''} requests for ${target} to the proxy ${first.proxy} (${first.proxyVariable})`,
        `The environment of ${whose} sets a proxy, and its NO_PROXY does not exempt ${hosts.join(' or ')}. ${clientLine(proxy.verdicts)}. ${proxy.confirmations.map(confirmationText).join(' ')} portdoctor's own probe connects directly, so the rest of this report describes the direct path.`,
        adviceFor(facts.os).noProxyFix({ value: proxy.noProxyValue, pid: proxy.source.kind === 'process' ? proxy.source.pid : null, processName: proxy.source.kind === 'process' ? proxy.source.name : null }),
        { source: proxy.source, variables: proxy.variables, scheme: proxy.scheme, hosts: proxy.hosts, verdicts: proxy.verdicts, confirmations: proxy.confirmations, noProxy: proxy.noProxyValue },
      ),
    ];
  },
};
