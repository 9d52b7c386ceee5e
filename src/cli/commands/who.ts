import { annotateForwards } from '../../collectors/forwards.js';
import { whoHolds } from '../../inventory.js';
import { parsePort } from '../../port.js';
import { forwardText } from '../../forwarders/socket-forward.js';
import { displayAddress } from '../../render/address.js';
import { styler } from '../../render/color.js';
import { renderScanNote, socketTableLines } from '../../render/sockets.js';
import { outputWidth } from '../../render/table.js';
import type { Protocol, Socket } from '../../types.js';
import { usageError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJsonList, writeLine, writeLines, type CliIO } from '../io.js';
import { answerOrigin } from '../origin.js';

const OPTIONS = {
  tcp: { type: 'boolean' },
  udp: { type: 'boolean' },
  all: { type: 'boolean', short: 'a' },
} as const;

const help = `Usage: portdoctor who PORT [PORT…] [options]

Show everything bound to a port: every address, both IPv4 and IPv6, TCP and UDP, in this
network namespace and (as root) in every other one, such as containers. Listeners first.

Options:
  --tcp, --udp   only this protocol
  -a, --all      also connections to and from the port (clients, TIME-WAIT)
  --json         print {"sockets": [...]}, also when nothing holds the port

Exit codes: 0 something holds the port, 1 nothing does, 2 bad usage.

Examples:
  portdoctor who 3000
  portdoctor who 5432 6379 --json
  sudo portdoctor who 8080        also shows the owner's pid when it is another user's`;

function otherNetnsNote(sockets: readonly Socket[], color: boolean): string[] {
  const style = styler(color);
  return sockets
    .filter((s) => s.netns !== undefined && !s.netns.current && (s.state === 'LISTEN' || s.state === 'UNCONN'))
    .map((s) => {
      const netns = s.netns!;
      const where = netns.name === null ? `network namespace ${netns.id}` : `network namespace "${netns.name}"`;
      const owner = s.processes[0] === undefined ? '' : ` (${s.processes[0].name}, pid ${s.processes[0].pid})`;
      return style.yellow(`! ${displayAddress(s.address, s.port)}${owner} listens in ${where}, not in yours: a client here cannot reach it through loopback.`);
    });
}

/** One whole line per forwarded socket: the table's last column is cut to the width, this is not. */
function forwardNotes(sockets: readonly Socket[], color: boolean): string[] {
  const style = styler(color);
  return sockets.flatMap((s) => {
    if (s.forward === undefined) return [];
    const holder = s.processes[0] === undefined ? '' : ` (${s.processes[0].name}, pid ${s.processes[0].pid})`;
    const unread = s.forward.unread === undefined || s.forward.to === null ? '' : ` [${s.forward.unread}]`;
    return [style.cyan(`${displayAddress(s.address, s.port)}${holder} ${forwardText(s.forward)}${unread}; to stop it: ${s.forward.stop}`)];
  });
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('who', argv, OPTIONS);
  if (positionals.length === 0) throw usageError('who needs a PORT.', "E.g. 'portdoctor who 3000'.");
  const ports = [...new Set(positionals.map(parsePort))];
  const protocols: readonly Protocol[] | undefined = values.tcp === true && values.udp !== true ? ['tcp'] : values.udp === true && values.tcp !== true ? ['udp'] : undefined;
  // The human table does not show the listen backlog: skip the `ss` child process that finds it.
  const held = await whoHolds(ports, { all: values.all === true, withBacklog: values.json === true, ...(protocols === undefined ? {} : { protocols }) });
  // Where a forwarder (docker-proxy, ssh -L, socat, …) sends the connections: its `forward` field.
  const inventory = { ...held, sockets: (await annotateForwards(held.sockets)).sockets };
  const found = inventory.sockets.length > 0;
  const origin = await answerOrigin();
  if (values.json === true) {
    await writeJsonList(io, 'sockets', inventory.sockets, { stats: inventory.stats, ...origin.jsonFields });
    return found ? EXIT_OK : EXIT_NEGATIVE;
  }
  if (origin.note !== null) writeLine(io.stderr, origin.note);
  if (!found) {
    const list = ports.join(', ');
    writeLine(io.stdout, `Nothing holds port${ports.length > 1 ? 's' : ''} ${list}${values.all === true ? '' : ' (no listener; --all shows connections too)'}.`);
    if (!inventory.stats.privileged && origin.os === 'linux') writeLine(io.stdout, 'Listeners in other network namespaces (containers) are visible only to root.');
    const note = renderScanNote(inventory.stats, inventory.sockets, origin.os);
    if (note !== null) writeLine(io.stderr, note);
    return EXIT_NEGATIVE;
  }
  await writeLines(io, socketTableLines(inventory.sockets, { color: io.color, width: outputWidth(io.stdout), showRemote: values.all === true, os: origin.os }));
  for (const line of forwardNotes(inventory.sockets, io.color)) writeLine(io.stdout, line);
  for (const line of otherNetnsNote(inventory.sockets, io.color)) writeLine(io.stdout, line);
  const note = renderScanNote(inventory.stats, inventory.sockets, origin.os);
  if (note !== null) writeLine(io.stderr, note);
  return EXIT_OK;
}

const command: CommandModule = { help, run };
export default command;
