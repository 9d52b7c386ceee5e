import type { Declaration } from '../config/types.js';
import type { DoctorFacts } from './types.js';

/** What the configuration step saw: which directory, and the declarations that concern the port. */
export function configurationLines(facts: DoctorFacts): string[] {
  if (facts.config === null) return ['No project directory scanned (run from the project, or give --config DIR).'];
  const { dir, scan } = facts.config;
  const port = facts.target.port;
  const relevant = scan.declarations.filter((d) => d.port === port);
  const lines = [`Scanned ${scan.filesScanned} file${scan.filesScanned === 1 ? '' : 's'} in ${dir}${scan.truncated ? ' (stopped early: too many files)' : ''}: ${scan.declarations.length} port declaration${scan.declarations.length === 1 ? '' : 's'}, ${relevant.length} for port ${port}.`];
  for (const d of relevant.slice(0, 8)) lines.push(`${d.file}:${d.line} ${d.role} ${d.host ?? ''}${d.host ? ':' : ''}${d.port}${d.protocol === 'tcp' ? '' : `/${d.protocol}`}${whose(d)}${via(d)} — ${d.text.trim()}`);
  // Ports the files name through a variable set nowhere: shown, never compared with the target.
  const unknown = scan.unresolved;
  if (unknown.length > 0) {
    const first = unknown[0];
    lines.push(`${unknown.length} declaration${unknown.length === 1 ? ' has a port' : 's have ports'} the files do not state${first === undefined ? '' : ` (e.g. ${first.file}:${first.line} ${first.value}: ${first.reason})`}; not compared with port ${port}.`);
  }
  for (const w of scan.warnings.slice(0, 3)) lines.push(`warning: ${w.file}${w.line === null ? '' : `:${w.line}`} ${w.message}`);
  return lines;
}

/** ` (container web)` for an address inside a Compose service or a Dockerfile. */
function whose(d: Declaration): string {
  if (d.network !== 'container') return '';
  return d.service === null ? ' (inside the container)' : ` (container ${d.service})`;
}

/** ` (default of PORT, compose.yaml:3)`: which variable the port came through, and where its value is written. */
function via(d: Declaration): string {
  if (d.via === null) return '';
  const what = d.via.from === 'default' ? `default of ${d.via.variable}` : d.via.from === 'env-file' ? `${d.via.variable} from` : `${d.via.variable} set at`;
  return ` (${what} ${d.via.file}:${d.via.line})`;
}

/** What the logs step read, and from where. */
export function logLines(facts: DoctorFacts): string[] {
  const forwarder = facts.forwards?.chains.find((c) => c.holder !== null && !c.forward.killable);
  if (facts.logs === null && forwarder?.holder) {
    return [`${forwarder.holder.name} forwards the port; its own output is not the application's, and the logs of what it forwards to were not read (name them with --container or --log).`];
  }
  if (facts.logs === null) return ['No owner to read logs from (nothing holds the port; name one with --pid, --unit, --container or --log).'];
  const lines = facts.logs.sources.map((s) => `${s.source}: ${s.read ? s.reason : `not read (${s.reason})`}`);
  if (facts.logs.lines.length === 0) lines.push('No errors, stack traces or bind failures in what was read.');
  return lines;
}
