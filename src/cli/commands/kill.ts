import { createInterface } from 'node:readline';
import { killPort, type KillQuestion } from '../../actions/kill.js';
import { adviceFor } from '../../platform/advice.js';
import { parseSignalName } from '../../actions/kill-signal.js';
import { usageError } from '../../errors.js';
import { parsePort } from '../../port.js';
import { renderKillPlan, renderKillReport } from '../../render/kill.js';
import { outputWidth } from '../../render/table.js';
import type { Protocol } from '../../types.js';
import { parseCommandArgs, parseDuration } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_FAILURE, EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';
import { answerOrigin } from '../origin.js';

const OPTIONS = {
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean', short: 'n' },
  grace: { type: 'string' },
  signal: { type: 'string', short: 's' },
  'no-fail': { type: 'boolean' },
  'all-netns': { type: 'boolean' },
  tcp: { type: 'boolean' },
  udp: { type: 'boolean' },
} as const;

const help = `Usage: portdoctor kill PORT [PORT…] [options]

Stop the processes that listen on a port (a LISTEN TCP socket or a bound UDP socket on exactly
that port) — never clients merely connected to it, never pid 1, portdoctor or its parents.
Shows who will be stopped and asks on a terminal. Sends SIGTERM, waits the grace period, then
asks before SIGKILL for a process still holding the port. Each signal goes only to a pid that
still has the same start time and still holds the socket (pids are reused). Then waits until
the port is released and reports per process: stopped, already gone, permission denied, or
still holding. A process run by systemd or in a container is named, with the command that
stops it for good (a supervisor restarts what we kill), and a respawn is detected.

Without a terminal and without --yes, only the first signal is sent; SIGKILL needs --yes.

Options:
  -y, --yes          answer yes to every question (start, and SIGKILL after the grace period)
  -n, --dry-run      show what would be stopped; signal nothing
  --grace DURATION   wait this long after SIGTERM before SIGKILL (default 5s; 500ms, 2s, 1m)
  -s, --signal NAME  send this one signal only (TERM, INT, HUP, KILL, 9…), no escalation
  --no-fail          exit 0 when nothing holds the port
  --all-netns        also stop holders in other network namespaces (containers, ip netns);
                     by default they are listed with the command that stops them properly
  --tcp, --udp       only this protocol
  --json             print {"killed":[{"pid","name","signal","result"}…], "released":bool, …}

Exit codes: 0 port released, 1 nothing held the port, 2 could not release it or bad usage.

Examples:
  portdoctor kill 3000
  portdoctor kill 3000 5173 --yes --grace 2s
  portdoctor kill 8080 --dry-run
  sudo portdoctor kill 80 --signal HUP`;

function protocolsOf(tcp: boolean | undefined, udp: boolean | undefined): readonly Protocol[] | undefined {
  if (tcp === true && udp !== true) return ['tcp'];
  if (udp === true && tcp !== true) return ['udp'];
  return undefined;
}

/** Reads one line from the terminal. Only called when stdin is a TTY. */
function askYesNo(io: CliIO, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: io.stderr });
    let answered = false;
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true;
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
    // Ctrl-D / closed stdin counts as "no".
    rl.once('close', () => {
      if (!answered) resolve(false);
    });
  });
}

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('kill', argv, OPTIONS);
  if (positionals.length === 0) throw usageError('kill needs a PORT.', "E.g. 'portdoctor kill 3000'.");
  const ports = [...new Set(positionals.map(parsePort))];
  const graceMs = values.grace === undefined ? 5000 : parseDuration(values.grace, '--grace');
  const signal = values.signal === undefined ? undefined : parseSignalName(values.signal);
  const protocols = protocolsOf(values.tcp, values.udp);
  const json = values.json === true;
  const width = outputWidth(io.stdout);
  const firstSignal = signal ?? 'SIGTERM';
  // The plan goes to stderr when stdout carries JSON, so the document stays parseable.
  const human = json ? io.stderr : io.stdout;

  const confirm = async (question: KillQuestion): Promise<boolean> => {
    if (question.kind === 'start') {
      writeLine(human, renderKillPlan(question.plan, { color: io.color, width, signal: firstSignal, escalate: signal === undefined, graceMs, os: (await answerOrigin()).os }));
      if (values.yes === true || !io.interactive) return true;
      return askYesNo(io, 'Stop them?');
    }
    const pids = question.targets.map((t) => t.pid).join(', ');
    // SIGKILL, or the OS's forceful stop (Windows: taskkill /F).
    const force = adviceFor((await answerOrigin()).os).forceStop;
    if (values.yes === true) {
      writeLine(human, `Still holding after ${graceMs / 1000}s: pid ${pids}; sending ${force} (--yes).`);
      return true;
    }
    if (!io.interactive) {
      writeLine(human, `Still holding after ${graceMs / 1000}s: pid ${pids}. Not sending ${force} without a terminal; pass --yes to allow it.`);
      return false;
    }
    return askYesNo(io, `pid ${pids} still holds the port after ${graceMs / 1000}s. Send ${force}?`);
  };

  const report = await killPort(ports, {
    graceMs,
    confirm,
    dryRun: values['dry-run'] === true,
    allNetns: values['all-netns'] === true,
    ...(signal === undefined ? {} : { signal }),
    ...(protocols === undefined ? {} : { protocols }),
  });

  const code = !report.held ? (values['no-fail'] === true ? EXIT_OK : EXIT_NEGATIVE) : report.dryRun ? EXIT_OK : report.released ? EXIT_OK : EXIT_FAILURE;
  const origin = await answerOrigin();
  if (json) {
    writeJson(io, { ...report, ...origin.jsonFields });
    return code;
  }
  if (origin.note !== null) writeLine(io.stderr, origin.note);
  if (!report.held) {
    writeLine(io.stdout, `Nothing listens on port ${ports.join(', ')}${origin.os === 'linux' ? ' in this network namespace' : ''}; nothing to stop.`);
    for (const other of report.otherNetns) {
      writeLine(io.stdout, `Port ${other.port} is held in network namespace ${other.netns.name ?? other.netns.id} by ${other.names.join(', ') || 'a hidden process'}${other.pids.length > 0 ? ` (pid ${other.pids.join(', ')})` : ''}: left alone. To stop it: ${other.advice}`);
    }
    return code;
  }
  if (report.dryRun) {
    writeLine(io.stdout, renderKillPlan(report.plan, { color: io.color, width, signal: firstSignal, escalate: signal === undefined, graceMs, os: (await answerOrigin()).os }));
    writeLine(io.stdout, '(dry run: nothing was signalled)');
    return code;
  }
  if (report.plan.targets.length === 0) {
    writeLine(io.stdout, renderKillPlan(report.plan, { color: io.color, width, signal: firstSignal, escalate: signal === undefined, graceMs, os: (await answerOrigin()).os }));
    writeLine(io.stdout, `Nothing could be signalled; port ${report.plan.heldPorts.join(', ')} is still held.`);
    if (report.advice.length > 0) writeLine(io.stdout, `Try: ${report.advice.join('   or   ')}`);
    return code;
  }
  if (!report.confirmed) {
    writeLine(io.stdout, 'Nothing was signalled.');
    return code;
  }
  writeLine(io.stdout, renderKillReport(report, io.color));
  return code;
}

const command: CommandModule = { help, run };
export default command;
