import type { DoctorFacts, Rule } from '../doctor/types.js';
import type { SshForwardDeclaration } from '../forwarders/ssh-config-forwards.js';
import { numericAddress } from '../render/address.js';
import { finding, listeners } from './helpers.js';

/** Most certain first: a forward every connection sets up, then one a named host does, then one a Match may. */
const SCOPE_ORDER = { 'every-host': 0, 'named-hosts': 1, may: 2 } as const;

/** Where the forward leads, for a person. */
export function declaredTarget(d: SshForwardDeclaration): string {
  if (d.to === null) return 'a SOCKS proxy (each connection names its own destination)';
  return 'socketPath' in d.to ? `the Unix socket ${d.to.socketPath} on the SSH server` : `${numericAddress(d.to.host, d.to.port)} (as seen from the SSH server)`;
}

/** "in 'Host db' (line 10)", through Includes: "in 'Host work' (config line 3), then 'Host db' (work.conf line 1)". */
function blocksText(d: SshForwardDeclaration): string {
  if (d.blocks.length === 0) return 'at the top level, so for every connection';
  return `in ${d.blocks.map((b) => `'${b.text}' (${b.file === d.file ? '' : `${b.file} `}line ${b.line})`).join(', then ')}`;
}

/** The ssh command that brings the forward up again. */
function startCommand(d: SshForwardDeclaration, os: DoctorFacts['os']): string {
  // Win32-OpenSSH cannot fork into the background (-f): the tunnel lives in its own window.
  const background = os === 'win32' ? '-N' : '-fN';
  if (d.alias !== null) return `ssh ${background} ${d.alias}`;
  const listen = `${d.listen.address === null ? '' : `${d.listen.address.includes(':') ? `[${d.listen.address}]` : d.listen.address}:`}${d.listen.port}`;
  const option = d.to === null ? `-D ${listen}` : 'socketPath' in d.to ? `-L ${listen}:${d.to.socketPath}` : `-L ${listen}:${d.to.host.includes(':') ? `[${d.to.host}]` : d.to.host}:${d.to.port}`;
  return `ssh ${background} ${option} HOST`;
}

/**
 * Nothing listens on the port, and the user's ssh client configuration declares a tunnel on it
 * (LocalForward / DynamicForward): the tunnel is not running. "Start the server" would be the wrong
 * advice; the fix is to start ssh, which sets up the declared forward when it connects.
 */
export const tunnelNotRunning: Rule = {
  step: 'follow-forward',
  codes: ['tunnel-not-running'],
  evaluate(facts) {
    const declared = facts.forwards?.declared;
    if (declared === undefined || declared.declarations.length === 0 || !facts.views.includes('client')) return [];
    if (listeners(facts, { current: true }).length > 0) return [];
    // A running ssh that asks for the port and holds nothing says more (tunnel-forward-failed.ts gives it).
    if (facts.forwards?.requested?.ok === true && facts.forwards.requested.value.forwards.length > 0) return [];
    const all = [...declared.declarations].sort((a, b) => SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope]);
    const first = all[0]!;
    const { port } = facts.target;
    const tunnel = first.kind === 'local' ? `ssh tunnel` : `ssh SOCKS proxy`;
    const when =
      first.scope === 'every-host'
        ? 'whenever ssh connects to any host'
        : first.alias !== null
          ? `whenever ssh connects to ${first.alias}`
          : `whenever ssh connects to a host that ${first.patterns.map((p) => `'${p}'`).join(' and ')} applies to`;
    const may = first.scope === 'may' ? ` The block applies only when ${first.unevaluated.map((u) => `'${u}'`).join(' and ')} holds, which was not evaluated: this forward may apply.` : '';
    const others = all.length > 1 ? ` ${all.length - 1} more declaration${all.length > 2 ? 's' : ''} of port ${port}: ${all.slice(1).map((d) => `${d.file} line ${d.line}`).join(', ')}.` : '';
    const clears = declared.clears.length > 0 ? ` Note: 'ClearAllForwardings yes' (${declared.clears.map((c) => `${c.file} line ${c.line}`).join(', ')}) cancels the declared forwards where it applies.` : '';
    const errors = declared.errors.length > 0 ? ` ssh refuses this configuration as it is (${declared.errors.map((e) => `${e.file} line ${e.line}: ${e.error}`).join('; ')}), so no connection starts until that is mended.` : '';
    const command = startCommand(first, facts.os);
    const hostNote = first.alias === null ? ` (HOST: ${first.scope === 'every-host' ? 'the SSH server you tunnel through' : `a host ${first.patterns.map((p) => `'${p}'`).join(' and ')} applies to`})` : '';
    return [
      finding(
        'tunnel-not-running',
        'error',
        `Port ${port} belongs to an ${tunnel} declared in ${first.file}, and it is not running`,
        `${first.file} line ${first.line} declares '${first.text}' ${blocksText(first)}: ssh listens on ${first.listen.address === null ? 'loopback' : first.listen.address} port ${first.listen.port} and forwards each connection to ${declaredTarget(first)} ${when}. No process holds port ${port} now: that ssh was never started, or it exited (killed, the connection dropped, the machine slept).${may}${others}${clears}${errors}`,
        `Start the tunnel: '${command}'${hostNote}${first.alias === null ? '' : `, which sets up the forwards ${first.file} declares for ${first.alias}`}${facts.os === 'win32' ? ', and keep its window open' : ''}. Add '-o ExitOnForwardFailure=yes' to see at once if the port cannot be bound.`,
        {
          config: declared.main,
          file: first.file,
          line: first.line,
          declaration: first.text,
          blocks: first.blocks,
          scope: first.scope,
          alias: first.alias,
          listen: first.listen,
          to: first.to,
          command,
          declarations: all.map((d) => ({ file: d.file, line: d.line, text: d.text, scope: d.scope, alias: d.alias })),
          ...(declared.unread.length === 0 ? {} : { unread: declared.unread }),
        },
      ),
    ];
  },
};
