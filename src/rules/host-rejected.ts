import { classifyHostRejection, type HostRejection } from '../causes/rejections.js';
import type { HostProbe } from '../causes/types.js';
import type { Rule } from '../doctor/types.js';
import { numericAddress } from '../render/address.js';
import { finding } from './helpers.js';

/** Statuses an allow-list answers with (RFC 9110: 400 Bad Request, 403 Forbidden, 421 Misdirected Request). */
const REJECTING = new Set([400, 403, 421]);

const bare = (host: string): string => host.replace(/^\[|\]$/g, '');

function fixFor(rejection: HostRejection | null, name: string, accepted: HostProbe | undefined): string {
  if (rejection === null) return `Connect with a Host name the server accepts${accepted === undefined ? '' : ` (${accepted.host} works)`}, or add '${name}' to the server's allowed-hosts setting.`;
  switch (rejection.framework) {
    case 'Vite':
      return `Add '${name}' to ${rejection.setting} in vite.config.js (${rejection.setting.split('.')[0]}: { allowedHosts: ['${name}'] }), then restart the dev server.`;
    case 'webpack-dev-server':
      return `Add '${name}' to devServer.allowedHosts in webpack.config.js (allowedHosts: ['${name}']), then restart the dev server.`;
    case 'Django':
      return `Add '${name}' to ALLOWED_HOSTS in settings.py (ALLOWED_HOSTS = ['${name}', …]), then restart the server.`;
  }
}

/**
 * An HTTP server turns the request away because of its Host header: webpack-dev-server's "Invalid
 * Host header", Vite's "Blocked request. This host … is not allowed", Django's DisallowedHost —
 * or any 400/403/421 for one name while another name gets through. The server was asked with the
 * user's name and with the address literal (causes/host-check.ts), so the finding says which
 * works.
 */
export const hostRejected: Rule = {
  step: 'port-usage',
  codes: ['host-rejected'],
  evaluate(facts) {
    const check = facts.causes.hostCheck;
    if (check === null) return [];
    const probes = check.probes;
    const accepted = probes.find((p) => p.status !== null && p.status < 400 && classifyHostRejection(p.body ?? '') === null);
    const rejected = probes.filter((p) => {
      if (p.status === null) return false;
      if (classifyHostRejection(p.body ?? '') !== null) return true;
      return REJECTING.has(p.status) && accepted !== undefined;
    });
    const worst = rejected[0];
    if (worst === undefined) return [];
    const rejection = classifyHostRejection(worst.body ?? '');
    // The first name asked is the user's (the target's host, or localhost for a bare port).
    const usersName = probes[0]?.host === worst.host;
    const name = bare(worst.host);
    const said = (worst.body ?? '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
    const others = probes.filter((p) => p !== worst).map((p) => `with Host: ${p.host}:${check.port} it answers ${p.status ?? p.error}`);
    return [
      finding(
        'host-rejected',
        usersName ? 'error' : 'warning',
        `The server rejects the Host name ${worst.host} (${worst.status}${rejection === null ? '' : `: ${rejection.framework}'s ${rejection.setting}`})`,
        `Asked at ${numericAddress(check.address, check.port)} with Host: ${worst.host}:${check.port}, it answers ${worst.status}${worst.reason === null ? '' : ` ${worst.reason}`}${said === '' ? '' : ` "${said}"`}; ${others.join('; ') || 'no other name was tried'}. The server only serves the Host names on its allow-list${rejection === null ? '' : ` (${rejection.setting} in ${rejection.file})`}, so a browser or client that uses ${worst.host} is turned away while the connection itself works.`,
        fixFor(rejection, name, accepted),
        { address: check.address, port: check.port, rejected: rejected.map((p) => p.host), framework: rejection?.framework ?? null, setting: rejection?.setting ?? null, probes },
      ),
    ];
  },
};
