import { annotateForwards } from '../../collectors/forwards.js';
import { listSockets, type SocketQuery } from '../../inventory.js';
import { parsePortRange } from '../../port.js';
import { renderScanNote, socketTableLines } from '../../render/sockets.js';
import { outputWidth } from '../../render/table.js';
import type { Protocol, Socket } from '../../types.js';
import { parseCommandArgs, parseIntegerFlag } from '../args.js';
import type { CommandModule } from '../command.js';
import { usageError } from '../../errors.js';
import { EXIT_OK } from '../exit-codes.js';
import { writeJsonList, writeLine, writeLines, type CliIO } from '../io.js';
import { answerOrigin } from '../origin.js';

const OPTIONS = {
  tcp: { type: 'boolean' },
  udp: { type: 'boolean' },
  port: { type: 'string', short: 'p' },
  pid: { type: 'string' },
  user: { type: 'string', short: 'u' },
  all: { type: 'boolean', short: 'a' },
  'all-netns': { type: 'boolean' },
} as const;

const help = `Usage: portdoctor ls [options]

List every listening TCP socket and bound UDP socket with the processes that hold it,
read directly from /proc (no ss or lsof needed).

Options:
  --tcp, --udp          only this protocol
  -p, --port P|A-B      only these local ports (3000, or 3000-3999)
  --pid PID             only sockets held by this process
  -u, --user NAME|UID   only sockets of this user (socket owner or process user)
  -a, --all             also connected sockets (ESTAB, TIME-WAIT, …)
  --all-netns           every network namespace (containers, ip netns); needs root
  --json                print {"sockets": [...]} (numeric addresses, one entry per socket)

Examples:
  portdoctor ls                   listeners on this machine
  portdoctor ls --tcp -p 3000-3999
  sudo portdoctor ls --all-netns  include listeners inside containers
  portdoctor ls --json | jq '.sockets[] | select(.port == 5432)'`;

function protocolsOf(tcp: boolean | undefined, udp: boolean | undefined): readonly Protocol[] | undefined {
  if (tcp === true && udp !== true) return ['tcp'];
  if (udp === true && tcp !== true) return ['udp'];
  return undefined;
}

function matchesUser(socket: Socket, user: string): boolean {
  const asUid = /^\d+$/.test(user) ? Number(user) : null;
  if (asUid !== null) return socket.uid === asUid || socket.processes.some((p) => p.uid === asUid);
  return socket.user === user || socket.processes.some((p) => p.user === user);
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('ls', argv, OPTIONS);
  if (positionals.length > 0) throw usageError(`ls takes no arguments (got "${positionals[0]}").`, "To look at one port, use 'portdoctor who PORT' or 'ls --port PORT'.");
  const pid = values.pid === undefined ? undefined : parseIntegerFlag(values.pid, '--pid', 1, 4_194_304);
  const protocols = protocolsOf(values.tcp, values.udp);
  const query: SocketQuery = {
    states: values.all === true ? 'all' : 'listening',
    allNetns: values['all-netns'] === true,
    withBacklog: values.json === true, // the human table does not show it; finding it costs an `ss` child process
    processDetails: values.json === true ? 'full' : 'brief', // the table shows neither unit nor container
    ...(protocols === undefined ? {} : { protocols }),
    ...(values.port === undefined ? {} : { ports: parsePortRange(values.port) }),
  };
  const inventory = await listSockets(query);
  let sockets = inventory.sockets;
  if (pid !== undefined) sockets = sockets.filter((s) => s.processes.some((p) => p.pid === pid));
  if (values.user !== undefined) {
    const user = values.user;
    sockets = sockets.filter((s) => matchesUser(s, user));
  }

  // Where forwarders (docker-proxy, ssh -L, socat, …) send the connections; only they cost a look.
  sockets = (await annotateForwards(sockets)).sockets;
  const origin = await answerOrigin();
  if (values.json === true) {
    await writeJsonList(io, 'sockets', sockets, { stats: inventory.stats, ...origin.jsonFields });
    return EXIT_OK;
  }
  if (origin.note !== null) writeLine(io.stderr, origin.note);
  if (sockets.length === 0) {
    writeLine(io.stdout, 'No sockets match.');
    return EXIT_OK;
  }
  await writeLines(io, socketTableLines(sockets, { color: io.color, width: outputWidth(io.stdout), showRemote: values.all === true, os: origin.os }));
  const note = renderScanNote(inventory.stats, sockets, origin.os);
  if (note !== null) writeLine(io.stderr, note);
  return EXIT_OK;
}

const command: CommandModule = { help, run };
export default command;
