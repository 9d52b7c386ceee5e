import { findFreePort, type FreePortOptions } from '../../actions/free-port.js';
import { usageError } from '../../errors.js';
import { parsePort, parsePortRange } from '../../port.js';
import { parseCommandArgs, parseIntegerFlag } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';
import { answerOrigin } from '../origin.js';

const OPTIONS = {
  count: { type: 'string', short: 'c' },
  range: { type: 'string', short: 'r' },
  host: { type: 'string' },
  prefer: { type: 'string', short: 'p' },
  tcp: { type: 'boolean' },
  udp: { type: 'boolean' },
} as const;

const help = `Usage: portdoctor free [options]

Print a free port: one that no socket in this network namespace uses (on any address, IPv4 or
IPv6, wildcards included — and not even a connection or TIME-WAIT leftover, which would stop a
server that binds without SO_REUSEADDR), confirmed by a real bind on 127.0.0.1, 0.0.0.0, ::1
and ::. With --host, only that address must be free. By default it avoids the kernel's
ephemeral range (where outgoing connections take ports), ports browsers refuse to open
(ERR_UNSAFE_PORT) and ports reserved with net.ipv4.ip_local_reserved_ports.

Options:
  -c, --count N       print N distinct ports (default 1)
  -r, --range A-B     look only here, upwards from A (default 1024-65535, random start,
                      ephemeral range skipped; an explicit range is taken as written)
  --host ADDRESS      only this address must be free (e.g. 127.0.0.1, ::1, 0.0.0.0)
  -p, --prefer LIST   try these first, in order (e.g. 3000,3001), then the range
  --tcp, --udp        which protocol must be free (default TCP)
  --json              print {"ports":[N…]}

Exit codes: 0 found, 1 no (or not enough) free ports in the range, 2 bad usage.

A port printed here can be taken by another program before yours binds it. Library users
who need it held: reserveFreePort() returns the port with its bound server.

Examples:
  portdoctor free
  PORT=$(portdoctor free --prefer 3000,3001 --range 3002-3999) npm run dev
  portdoctor free --count 3 --range 9000-9100 --json`;

function parsePreferList(text: string): number[] {
  const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) throw usageError('--prefer needs a list of ports, e.g. 3000,3001.');
  return items.map((item) => parsePort(item));
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('free', argv, OPTIONS);
  if (positionals.length > 0) throw usageError(`free takes no arguments (got "${positionals[0]}").`, "For a range, use 'portdoctor free --range 3000-3999'.");
  if (values.tcp === true && values.udp === true) throw usageError('Choose one of --tcp and --udp.', 'Run free once per protocol.');
  const count = values.count === undefined ? 1 : parseIntegerFlag(values.count, '--count', 1, 1000);
  const range = values.range === undefined ? undefined : parsePortRange(values.range);
  const prefer = values.prefer === undefined ? undefined : parsePreferList(values.prefer);
  const options: FreePortOptions = {
    count,
    protocol: values.udp === true ? 'udp' : 'tcp',
    ...(range === undefined ? {} : { range }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(prefer === undefined ? {} : { prefer }),
  };
  const ports = await findFreePort(options);
  const enough = ports.length === count;
  const origin = await answerOrigin();
  if (values.json === true) writeJson(io, { ports, ...(origin.note === null ? {} : { confirmed: false, ...origin.jsonFields }) });
  else for (const port of ports) writeLine(io.stdout, String(port));
  // A replay cannot bind: the ports are free in the snapshot's socket table and settings, no more.
  if (origin.note !== null && values.json !== true) writeLine(io.stderr, `${origin.note} Free in the snapshot's socket table, outside its excluded and ephemeral ranges; not confirmed by a bind.`);
  if (!enough) {
    const where = range === undefined ? 'the default range' : `${range.from}-${range.to}`;
    const what = ports.length === 0 ? 'No free port' : `Only ${ports.length} of ${count} free ports`;
    writeLine(io.stderr, `portdoctor: ${what} in ${where}${values.host === undefined ? '' : ` on ${values.host}`}. Widen --range, or see what holds them with 'portdoctor ls -p ${range === undefined ? '1024-65535' : `${range.from}-${range.to}`}'.`);
  }
  return enough ? EXIT_OK : EXIT_NEGATIVE;
}

const command: CommandModule = { help, run };
export default command;
