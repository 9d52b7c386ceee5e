import { doctor } from '../../doctor/index.js';
import { renderDoctor } from '../../render/doctor.js';
import { outputWidth } from '../../render/table.js';
import { parseTarget } from '../../target.js';
import { usageError } from '../../errors.js';
import { parseCommandArgs, parseDuration } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';

const OPTIONS = {
  bind: { type: 'boolean', short: 'b' },
  udp: { type: 'boolean', short: 'u' },
  timeout: { type: 'string', short: 't' },
} as const;

const help = `Usage: portdoctor [doctor] TARGET [options]

Walks the troubleshooting steps for a port: identify the application on it, check port usage
and conflicts (connect like a client to every address, and trial-bind like a server), review
firewall rules, examine the loopback interface and localhost resolution, then say what to do.

TARGET is a PORT (62893: every loopback spelling, both the client's and the server's view),
HOST:PORT (localhost:3000, 127.0.0.1:62893, [::1]:8080) or a URL (http://localhost:3000/health,
https://…, redis://…, postgres://…: the scheme says which protocol to expect).

Options:
  -b, --bind       the server's view only: will a server be able to listen on [HOST:]PORT?
  -u, --udp        the target is UDP
  -t, --timeout T  per-attempt connect timeout (default 1s; e.g. 500ms, 2s)
  --json           print the report as JSON: {target, ok, findings, probes, sockets, steps, facts}
  -v, --verbose    show each finding's evidence

Exit codes: 0 healthy (warnings allowed), 1 a problem was found, 2 bad usage or could not run.

Examples:
  portdoctor 62893
  portdoctor localhost:3000
  portdoctor http://localhost:5173/
  portdoctor doctor --bind 0.0.0.0:80
  portdoctor 5353 --udp --json`;

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('doctor', argv, OPTIONS);
  const args = positionals[0] === 'doctor' ? positionals.slice(1) : positionals;
  if (args.length === 0) throw usageError('doctor needs a TARGET.', "E.g. 'portdoctor 3000' or 'portdoctor localhost:3000'.");
  if (args.length > 1) throw usageError(`doctor takes one TARGET (got ${args.length}: ${args.join(' ')}).`, 'Run it once per target.');
  const target = parseTarget(args[0]!, values.udp === true ? { udp: true } : {});
  const timeoutMs = values.timeout === undefined ? 1000 : parseDuration(values.timeout, '--timeout');
  const report = await doctor(target, { timeoutMs, ...(values.bind === true ? { bind: true } : {}) });
  if (values.json === true) writeJson(io, report);
  else writeLine(io.stdout, renderDoctor(report, { color: io.color, width: outputWidth(io.stdout), verbose: io.verbose }));
  return report.ok ? EXIT_OK : EXIT_NEGATIVE;
}

const command: CommandModule = { help, run };
export default command;
