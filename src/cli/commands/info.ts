import { portInfo } from '../../actions/port-info.js';
import { usageError } from '../../errors.js';
import { parsePort } from '../../port.js';
import { renderPortInfo } from '../../render/port-info.js';
import { parseCommandArgs } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';

const help = `Usage: portdoctor info PORT [options]

What a port number means: its IANA range, whether this machine's kernel hands it out as an
ephemeral port (net.ipv4.ip_local_port_range), reserves it (ip_local_reserved_ports) or
treats it as privileged (ip_unprivileged_port_start); which services commonly use it
(a curated list and /etc/services); whether browsers refuse it; known squatters and their fix.

Options:
  --json   print {"port", "range", "ephemeral", "reserved", "privileged", "services", …}

Exit codes: 0 answered, 2 bad usage.

Examples:
  portdoctor info 62893
  portdoctor info 5173 --json`;

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('info', argv, {});
  if (positionals.length !== 1) throw usageError('info needs exactly one PORT.', "E.g. 'portdoctor info 5173'.");
  const info = await portInfo(parsePort(positionals[0] ?? ''));
  if (values.json === true) writeJson(io, info);
  else writeLine(io.stdout, renderPortInfo(info, { color: io.color }));
  return EXIT_OK;
}

const command: CommandModule = { help, run };
export default command;
