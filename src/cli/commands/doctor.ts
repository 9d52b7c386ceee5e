import { doctor } from '../../doctor/index.js';
import { renderDoctor } from '../../render/doctor.js';
import { outputWidth } from '../../render/table.js';
import { parseTarget } from '../../target.js';
import { usageError } from '../../errors.js';
import { parseCommandArgs, parseDuration, parseIntegerFlag } from '../args.js';
import type { LogOwner } from '../../logs/types.js';
import { statSync } from 'node:fs';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';

const OPTIONS = {
  bind: { type: 'boolean', short: 'b' },
  udp: { type: 'boolean', short: 'u' },
  timeout: { type: 'string', short: 't' },
  config: { type: 'string', short: 'c' },
  'no-config': { type: 'boolean' },
  pid: { type: 'string' },
  unit: { type: 'string' },
  container: { type: 'string' },
  log: { type: 'string' },
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
  -c, --config DIR scan this project for port declarations (default: the current directory
                   when it looks like a project); --no-config skips the scan
  --pid PID, --unit UNIT, --container NAME, --log FILE
                   whose logs to read (default: the process holding the port, its unit or
                   container); a --pid that does not hold the port is taken as the client:
                   its environment's proxy settings are checked instead of this shell's
  --json           print the report as JSON: {target, ok, findings, probes, sockets, steps, facts}
  -v, --verbose    show each finding's evidence

Exit codes: 0 healthy (warnings allowed), 1 a problem was found, 2 bad usage or could not run.

Examples:
  portdoctor 62893
  portdoctor localhost:3000
  portdoctor http://localhost:5173/
  portdoctor doctor --bind 0.0.0.0:80
  portdoctor 5353 --udp --json
  portdoctor localhost:5173 --config ./web   also compare with the project's configuration`;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('doctor', argv, OPTIONS);
  const args = positionals[0] === 'doctor' ? positionals.slice(1) : positionals;
  if (args.length === 0) throw usageError('doctor needs a TARGET.', "E.g. 'portdoctor 3000' or 'portdoctor localhost:3000'.");
  if (args.length > 1) throw usageError(`doctor takes one TARGET (got ${args.length}: ${args.join(' ')}).`, 'Run it once per target.');
  const target = parseTarget(args[0]!, values.udp === true ? { udp: true } : {});
  const timeoutMs = values.timeout === undefined ? 1000 : parseDuration(values.timeout, '--timeout');
  if (values.config !== undefined && values['no-config'] === true) throw usageError('--config and --no-config contradict each other.', 'Give one of them.');
  if (values.config !== undefined && !isDirectory(values.config)) throw usageError(`--config "${values.config}" is not a directory.`, 'Give the project directory to scan.');
  const logOwner: LogOwner = {
    ...(values.pid === undefined ? {} : { pid: parseIntegerFlag(values.pid, '--pid', 1, 4_194_304) }),
    ...(values.unit === undefined ? {} : { unit: values.unit }),
    ...(values.container === undefined ? {} : { container: values.container }),
    ...(values.log === undefined ? {} : { logFile: values.log }),
  };
  const report = await doctor(target, {
    timeoutMs,
    ...(values.bind === true ? { bind: true } : {}),
    ...(values['no-config'] === true ? { configDir: null } : values.config === undefined ? {} : { configDir: values.config }),
    ...(Object.keys(logOwner).length === 0 ? {} : { logOwner }),
    ...(logOwner.pid === undefined ? {} : { clientPid: logOwner.pid }),
  });
  if (values.json === true) writeJson(io, report);
  else writeLine(io.stdout, renderDoctor(report, { color: io.color, width: outputWidth(io.stdout), verbose: io.verbose }));
  return report.ok ? EXIT_OK : EXIT_NEGATIVE;
}

const command: CommandModule = { help, run };
export default command;
