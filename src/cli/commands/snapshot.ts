import { writeFile } from 'node:fs/promises';
import { recordSnapshot } from '../../actions/snapshot.js';
import { adviceFor } from '../../platform/advice.js';
import { errnoCode, PortdoctorError, usageError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  redact: { type: 'boolean' },
} as const;

const help = `Usage: portdoctor snapshot [--out FILE] [--redact]

Record every raw source portdoctor reads on this machine — the socket tables and their owners,
port settings, the loopback interface, firewall rules, the hosts file — exactly as read, into
one JSON document (format "snapshot/1"). Attach it to a bug report: anyone can replay it with
'portdoctor COMMAND --replay FILE' on any machine and see what portdoctor saw here. Connect
probes, trial binds and signals are never faked on a replay; those steps say they were not run.

Run it as root (sudo) to include other users' processes and the firewall rules.

Options:
  -o, --out FILE   write the snapshot to FILE (default: standard output)
  --redact         replace user names, home directories and command-line arguments with
                   stable placeholders (ports, addresses, pids and program names stay)

Examples:
  sudo portdoctor snapshot --redact --out snapshot.json
  portdoctor who 3000 --replay snapshot.json
  portdoctor doctor 5000 --replay snapshot.json --json`;

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('snapshot', argv, OPTIONS);
  if (positionals.length > 0) throw usageError(`snapshot takes no arguments (got "${positionals[0]}").`, "Write it to a file with '--out FILE'.");
  const snapshot = await recordSnapshot({ redact: values.redact === true });
  if (values.out === undefined) {
    writeJson(io, snapshot);
    return EXIT_OK;
  }
  try {
    await writeFile(values.out, `${JSON.stringify(snapshot, null, 2)}\n`);
  } catch (error) {
    throw new PortdoctorError('bad-usage', `Cannot write ${values.out} (${errnoCode(error) ?? String(error)}).`, { hint: 'Give a path in a directory you can write to.' });
  }
  const count = Object.keys(snapshot.sources).length;
  writeLine(io.stderr, `Wrote ${values.out}: ${count} sources from ${snapshot.os} ${snapshot.release}${snapshot.redacted === true ? ', redacted' : ''}${snapshot.user.elevated ? '' : ` (not as ${adviceFor(snapshot.os).privilegedUser}: ${adviceFor(snapshot.os).unprivilegedGap} are missing)`}.`);
  return EXIT_OK;
}

const command: CommandModule = { help, run };
export default command;
