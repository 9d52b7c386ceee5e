import { numericAddress } from '../render/address.js';
import type { DoctorFacts } from './types.js';

/** Holders at or above this share of their descriptor limit get a line in the first step. */
const FD_LINE_SHARE = 0.5;

/**
 * What the cause checks saw, for the "port usage" step: the proxy variables a client meets (only
 * when some are set), and the Host names the server was asked with (only when they were).
 *
 * @example
 * portUsageCauseLines(facts); // ['proxy: http_proxy=http://127.0.0.1:8888 …: curl goes through it', 'Host localhost → 403, Host [::1] → 200']
 */
export function portUsageCauseLines(facts: DoctorFacts): string[] {
  const lines: string[] = [];
  const proxy = facts.causes.proxy;
  if (proxy !== null && !proxy.ok) lines.push(`proxy settings: not read (${proxy.reason})`);
  if (proxy?.ok === true && Object.keys(proxy.value.variables).length > 0) {
    const set = Object.entries(proxy.value.variables)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    const through = [...new Set(proxy.value.verdicts.filter((v) => v.proxied && v.active).map((v) => v.client))];
    lines.push(`proxy: ${set}: ${through.length === 0 ? 'every client goes direct' : `${through.join(', ')} go${through.length === 1 ? 'es' : ''} through it`}`);
  }
  const check = facts.causes.hostCheck;
  if (check !== null) lines.push(`asked ${numericAddress(check.address, check.port)} with ${check.probes.map((p) => `Host ${p.host} → ${p.status ?? p.error}`).join(', ')}`);
  return lines;
}

/** Holders of the port that use half their descriptor limit or more, for the first step. */
export function identifyCauseLines(facts: DoctorFacts): string[] {
  return facts.causes.openFiles.flatMap((h) => (h.read.ok && h.read.value.softLimit !== null && h.read.value.open >= h.read.value.softLimit * FD_LINE_SHARE ? [`${h.name} (pid ${h.pid}): ${h.read.value.open} of ${h.read.value.softLimit} file descriptors open`] : []));
}
