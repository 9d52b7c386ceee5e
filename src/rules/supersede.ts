import { isIP } from 'node:net';
import type { Finding } from '../types.js';

const EMFILE = /\bEMFILE\b|too many open files/i;

/**
 * When a specific cause is found, the generic finding it explains is no longer *the* cause: it
 * stays in the report (it is still true) as context, at info, with `evidence.explainedBy`, so the
 * fix list leads with the one action that helps. Each row: the cause, the generic codes it
 * explains, and (where it matters) which of their findings.
 */
interface Supersession {
  readonly cause: string;
  readonly explains: readonly string[];
  /** Narrows which generic findings the cause explains; all of those codes when absent. */
  readonly when?: (generic: Finding, cause: Finding) => boolean;
}

/** Is `pid` one of the programs a port-shared finding names? */
const sharedWith = (g: Finding, pid: unknown): boolean =>
  Array.isArray(g.evidence.programs) && g.evidence.programs.some((group: unknown) => Array.isArray(group) && group.some((socket: { pids?: unknown }) => Array.isArray(socket.pids) && socket.pids.includes(pid)));

const SUPERSESSIONS: readonly Supersession[] = [
  // A server at its descriptor limit accepts nothing: the queue fills, probes hang or are reset.
  { cause: 'fd-limit', explains: ['not-accepting', 'app-error', 'no-answer'] },
  // Log lines that only say EMFILE are fd-limit's evidence (it quotes them), not a second thing to do.
  { cause: 'fd-limit', explains: ['log-errors'], when: (g) => Array.isArray(g.evidence.lines) && g.evidence.lines.every((l: { text?: unknown }) => typeof l.text === 'string' && EMFILE.test(l.text)) },
  // What the server said to the client was a refusal of the client, not an application failure.
  { cause: 'client-rejected', explains: ['app-error'], when: (g, c) => g.evidence.address === c.evidence.address },
  // 0.0.0.0 / :: compared literally with the listeners' addresses looks like a mismatch; it is the target that is wrong.
  { cause: 'wildcard-target', explains: ['listening-other-address', 'family-mismatch'] },
  // 'portdoctor kill' on pid 1 is the wrong fix: the socket unit must be stopped.
  { cause: 'socket-activation', explains: ['port-in-use'] },
  // "not an address of this machine" and "::1 is missing" are what IPv6 switched off looks like.
  { cause: 'ipv6-disabled', explains: ['address-not-available', 'loopback-down'], when: (g) => (g.code === 'address-not-available' ? isIP(String(g.evidence.address)) === 6 : g.evidence.up === true && g.evidence.has127001 === true && g.evidence.hasIpv6Loopback === false) },
  // The project's client points at a port its server does not use: the fix is that edit, not "start a server here".
  { cause: 'config-mismatch', explains: ['nothing-listening'] },
  // The port is an ssh tunnel's that is not running: the fix is to start ssh, not "start the server".
  { cause: 'tunnel-not-running', explains: ['nothing-listening'] },
  // The port's holder is not the tunnel the client meant: whatever that program answers (or fails to) is not the cause.
  { cause: 'tunnel-port-taken', explains: ['known-holder', 'app-error', 'protocol-mismatch', 'wrong-protocol', 'no-answer', 'not-accepting', 'log-errors'] },
  // ssh bound ::1 only, the other program 127.0.0.1: "two programs share the port" is that failed bind seen from the side.
  { cause: 'tunnel-port-taken', explains: ['port-shared'], when: (g, c) => sharedWith(g, (c.evidence.ssh as { pid?: unknown } | undefined)?.pid) },
  // A connect that failed with EADDRNOTAVAIL because the ports ran out is not a family or address problem.
  { cause: 'ephemeral-exhausted', explains: ['family-mismatch', 'listening-other-address', 'nothing-listening'], when: (_g, c) => c.evidence.connectFailed === true },
];

/**
 * Demotes the generic findings a specific cause explains (see SUPERSESSIONS). Pure; keeps order.
 *
 * @example
 * supersede([fdLimitError, notAcceptingError]).map((f) => f.severity); // ['error', 'info']
 */
export function supersede(findings: readonly Finding[]): Finding[] {
  const causes = findings.filter((f) => f.severity !== 'info');
  return findings.map((generic) => {
    if (generic.severity === 'info') return generic;
    for (const row of SUPERSESSIONS) {
      if (!row.explains.includes(generic.code)) continue;
      const cause = causes.find((c) => c.code === row.cause && (row.when === undefined || row.when(generic, c)));
      if (cause === undefined) continue;
      return { ...generic, severity: 'info', detail: `${generic.detail} (Explained by ${cause.code}: ${cause.title}.)`, evidence: { ...generic.evidence, explainedBy: cause.code, severityBefore: generic.severity } };
    }
    return generic;
  });
}
