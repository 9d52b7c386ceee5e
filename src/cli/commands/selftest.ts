import { selftest, type SelftestCheck, type SelftestResult } from '../../actions/selftest.js';
import { parseCommandArgs, parseIntegerFlag } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';
import { refuseOnReplay } from '../live-only.js';

const help = `Usage: portdoctor selftest [--rounds N] [--json]

Proves the loopback paths work, in one process: starts a TCP echo and a UDP echo listener on
127.0.0.1 and on ::1 (ports chosen by the kernel), sends N small messages to each, one at a
time, and reports the round-trip latency (median, p95, min, max in ms). When ::1 cannot be used
(IPv6 disabled on lo) it says so.

Options:
  --rounds N   messages per check, 1-10000 (default 200)
  --json       {"ok", "rounds", "checks": [{"protocol", "family", "address", "status", "roundTrips", "latencyMs", "error"}]}

Exit codes: 0 every path works, 1 a family or protocol failed or is unavailable, 2 bad usage.`;

const command: CommandModule = {
  help,
  async run(argv, io) {
    refuseOnReplay('selftest', 'an echo round trip');
    const { values } = parseCommandArgs('selftest', argv, { rounds: { type: 'string' } });
    const rounds = values.rounds === undefined ? undefined : parseIntegerFlag(values.rounds, '--rounds', 1, 10_000);
    const result = await selftest(rounds === undefined ? {} : { rounds });
    if (values.json === true) writeJson(io, result);
    else printResult(io, result);
    return result.ok ? EXIT_OK : EXIT_NEGATIVE;
  },
};

function describe(check: SelftestCheck): string {
  const stats = check.latencyMs;
  if (check.status === 'ok' && stats !== null) {
    return `ok  median ${stats.median.toFixed(3)} ms  p95 ${stats.p95.toFixed(3)}  min ${stats.min.toFixed(3)}  max ${stats.max.toFixed(3)}`;
  }
  return `${check.status}: ${check.error ?? 'unknown'}`;
}

function printResult(io: CliIO, result: SelftestResult): void {
  writeLine(io.stdout, `portdoctor selftest: ${result.rounds} echo round trips per path, one process`);
  for (const check of result.checks) writeLine(io.stdout, `  ${check.protocol}  ${check.address.padEnd(9)}  ${describe(check)}`);
  const bad = result.checks.filter((check) => check.status !== 'ok');
  if (bad.length === 0) writeLine(io.stdout, 'Every loopback path works (TCP and UDP, IPv4 and IPv6).');
  else writeLine(io.stdout, `Not working: ${bad.map((check) => `${check.protocol} ${check.address} (${check.status})`).join(', ')}.`);
}

export default command;
