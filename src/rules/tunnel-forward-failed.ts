import type { DoctorFacts, Rule } from '../doctor/types.js';
import { bindsOverlap, type SshUnboundForward } from '../forwarders/ssh-live-forwards.js';
import { numericAddress } from '../render/address.js';
import type { Finding, Socket } from '../types.js';
import { finding, holderText, listeners, socketEvidence } from './helpers.js';

/** `-L 8080:db:5432` → where it leads, for a person. */
function targetText(f: SshUnboundForward): string {
  if (f.to === null) return 'a SOCKS proxy (each connection names its own destination)';
  return 'socketPath' in f.to ? `the Unix socket ${f.to.socketPath} on the SSH server` : `${numericAddress(f.to.host, f.to.port)} (as seen from the SSH server)`;
}

const bracket = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** The spec again, listening on `port` (the bind address as it was written, when there was one). */
function specOn(f: SshUnboundForward, port: number | string): string {
  const bind = f.listen.address === null ? '' : `${f.listen.address === '*' ? '*' : bracket(f.listen.address)}:`;
  if (f.to === null) return `${bind}${port}`;
  return 'socketPath' in f.to ? `${bind}${port}:${f.to.socketPath}` : `${bind}${port}:${bracket(f.to.host)}:${f.to.port}`;
}

const quote = (word: string): string => (/^[\w@%+=:,./[\]*-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/**
 * The command that starts the tunnel again, in the background, with `newSpec` in place of the
 * failed one: the ssh's own command line when the spec is found in it as a word (its other options —
 * key, port, config — matter), else a plain `ssh -fN -L SPEC DESTINATION`.
 */
function restartCommand(f: SshUnboundForward, newSpec: string, os: DoctorFacts['os']): string {
  const background = os === 'win32' ? '-N' : '-fN';
  const option = f.option;
  let replaced = false;
  const words = f.argv.slice(1).map((word, i, all) => {
    if (word === f.spec && all[i - 1] === option) {
      replaced = true;
      return newSpec;
    }
    if (word === `${option}${f.spec}`) {
      replaced = true;
      return `${option}${newSpec}`;
    }
    // The restart should fail loudly next time: `-o` values are first-wins, so an explicit "no" is turned, not outvoted.
    return /^ExitOnForwardFailure[= ]no$/i.test(word) ? 'ExitOnForwardFailure=yes' : word;
  });
  if (!replaced || !f.argvExact) return `ssh ${background} ${option} ${newSpec} ${f.via}`;
  const withBackground = words.includes('-f') || words.includes('-fN') || os === 'win32' ? words : ['-f', ...words];
  return ['ssh', ...withBackground].map(quote).join(' ');
}

/** The advice to fail loudly next time, unless the restart command already does (its own `-o ExitOnForwardFailure`, turned to yes). */
const addExitOnFailure = (f: SshUnboundForward): string => (f.argvExact && f.argv.some((w) => /^ExitOnForwardFailure[= ]/i.test(w)) ? '' : " Add '-o ExitOnForwardFailure=yes' so ssh exits when it cannot bind.");

function evidenceOf(f: SshUnboundForward): Record<string, unknown> {
  return { pid: f.pid, option: f.option, spec: f.spec, listen: f.listen, holds: f.holds, to: f.to, via: f.via, argv: f.argv, argvExact: f.argvExact };
}

function othersText(all: readonly SshUnboundForward[], first: SshUnboundForward): string {
  const others = all.filter((f) => f !== first);
  return others.length === 0 ? '' : ` Also asking for the port without holding it: ${others.map((f) => `ssh pid ${f.pid} (${f.option} ${f.spec})`).join(', ')}.`;
}

function portTaken(facts: DoctorFacts, f: SshUnboundForward, holder: Socket, all: readonly SshUnboundForward[]): Finding {
  const { port } = facts.target;
  const name = holder.processes[0]?.name ?? 'another program';
  const holderPid = holder.processes[0]?.pid;
  const at = numericAddress(holder.address, holder.port);
  const elsewhere = restartCommand(f, specOn(f, 'FREE_PORT'), facts.os);
  const bindLine = `'bind [${holder.address === '0.0.0.0' || holder.address === '::' ? (f.listen.address ?? '127.0.0.1') : holder.address}]:${port}: Address already in use'`;
  // A bind that got some of its addresses (the default's ::1) is a success to ssh: only the failed address is reported.
  const said = f.holds.length > 0 ? bindLine : `${bindLine}, 'channel_setup_fwd_listener_tcpip: cannot listen to port: ${port}', 'Could not request local forwarding.'`;
  return finding(
    'tunnel-port-taken',
    'error',
    `Port ${port} is held by ${name}${holderPid === undefined ? '' : ` (pid ${holderPid})`}, not by the ssh tunnel that asks for it (ssh pid ${f.pid}, ${f.option} ${f.spec})`,
    `ssh (pid ${f.pid}) runs with '${f.option} ${f.spec}'${f.via === '' ? '' : ` to ${f.via}`}: it should listen on port ${port} and forward each connection to ${targetText(f)}. It ${f.holds.length === 0 ? `holds no listener on port ${port}` : `does not hold ${at}`}: ${holderText(holder)} listens on ${at}, so ssh's bind failed when it set up the forward (ssh reports it once, on its standard error: ${said}) and stayed connected without it (ExitOnForwardFailure is off by default). A client of ${at} talks to ${name}, not to the tunnel.${f.holds.length === 0 ? '' : ` ssh holds only ${f.holds.map((a) => numericAddress(a, port)).join(' and ')}: a client that tries that address first reaches the tunnel, one that tries ${at} does not.`}${othersText(all, f)}`,
    `If port ${port} should be the tunnel's, stop ${name}${holderPid === undefined ? '' : ` (pid ${holderPid})`} and restart the tunnel ('kill ${f.pid}', then '${restartCommand(f, f.spec, facts.os)}'); otherwise restart the tunnel on a free local port and point the client there: 'kill ${f.pid}', then '${elsewhere}' (FREE_PORT: one 'portdoctor free' names).${addExitOnFailure(f)}`,
    { ssh: evidenceOf(f), holder: socketEvidence(holder), others: all.filter((o) => o !== f).map(evidenceOf) },
  );
}

function notBound(facts: DoctorFacts, f: SshUnboundForward, all: readonly SshUnboundForward[]): Finding {
  const { port } = facts.target;
  const specific = f.listen.address !== null && f.listen.address !== '*' ? f.listen.address : null;
  const where = f.listen.address === null ? 'loopback' : f.listen.address === '*' ? 'every interface' : f.listen.address;
  const command = restartCommand(f, f.spec, facts.os);
  const reasons = [
    ...(specific === null ? [] : [`${specific} is not an address of this machine (ssh: 'bind [${specific}]:${port}: Cannot assign requested address')`]),
    'another program held the port when ssh set up the forward and has exited since',
    `the forward was cancelled ('~C' then '-KL${port}')`,
    'ssh is still logging in (it binds its forwards after)',
  ];
  return finding(
    'tunnel-not-running',
    'error',
    `Port ${port} belongs to an ssh tunnel that is not listening: ssh (pid ${f.pid}) runs with ${f.option} ${f.spec} but holds no socket on the port`,
    `ssh (pid ${f.pid}) runs with '${f.option} ${f.spec}'${f.via === '' ? '' : ` to ${f.via}`}: it should listen on ${where} port ${port} and forward each connection to ${targetText(f)}. Neither it nor any other program listens on port ${port}: the forward was never set up or was taken down. Either ${reasons.join('; or ')}. ssh stays connected without a forward it could not bind (ExitOnForwardFailure is off by default), and says why once, on its standard error.${othersText(all, f)}`,
    `Restart the tunnel: 'kill ${f.pid}', then '${command}'${specific === null ? '' : ` (if ${specific} is not an address of this machine, give one it has, or none for loopback)`}.${addExitOnFailure(f)}`,
    { ssh: evidenceOf(f), command, others: all.filter((o) => o !== f).map(evidenceOf) },
  );
}

/**
 * An ssh client that is alive and asks for the port on its command line, but holds no listener
 * there. When another program holds the address ssh wanted, `tunnel-port-taken`: the client talks
 * to that program, not to the tunnel. When nothing does, `tunnel-not-running` with the ssh's pid
 * and spec as evidence (the config-declared form of that code comes from tunnel-not-running.ts).
 */
export const tunnelForwardFailed: Rule = {
  step: 'follow-forward',
  codes: ['tunnel-port-taken', 'tunnel-not-running'],
  evaluate(facts) {
    const requested = facts.forwards?.requested;
    if (requested === undefined || !requested.ok || requested.value.forwards.length === 0 || !facts.views.includes('client') || facts.target.protocol !== 'tcp') return [];
    const all = requested.value.forwards;
    const held = listeners(facts, { current: true });
    for (const f of all) {
      const holder = held.find((s) => !s.processes.some((p) => p.pid === f.pid) && bindsOverlap(f.listen.address, s.address) && !f.holds.includes(s.address));
      if (holder !== undefined) return [portTaken(facts, f, holder, all)];
    }
    const first = all.find((f) => f.holds.length === 0);
    if (first === undefined) return [];
    // A listener elsewhere on the port (another address): the address rules speak to it; this ssh's forward is not the cause.
    return held.length > 0 ? [] : [notBound(facts, first, all)];
  },
};
