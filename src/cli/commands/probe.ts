import { probe } from '../../collectors/probe.js';
import { isAccepted } from '../../collectors/probe-status.js';
import { usageError } from '../../errors.js';
import { renderProbe } from '../../render/probe.js';
import { outputWidth } from '../../render/table.js';
import { parseTarget } from '../../target.js';
import { parseCommandArgs, parseDuration } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';
import { refuseOnReplay } from '../live-only.js';

const OPTIONS = {
  timeout: { type: 'string' },
  udp: { type: 'boolean' },
} as const;

const help = `Usage: portdoctor probe TARGET [--timeout 1s] [--udp] [--json]

Connect to TARGET the way a client would — every address the name resolves to, in the
client's order — and say what happened at each: open, refused, timeout, unreachable, reset or
silent, with the connect time and what answers, on any port: HTTP (status, Server, WebSocket),
HTTP/2 and gRPC, TLS (version, ALPN, certificate), SSH, SMTP, FTP, Redis, memcached, PostgreSQL,
MySQL/MariaDB, MongoDB, AMQP — with product and version when the server gives them. Read-only:
it never sends anything that changes state, and never logs in. A bare PORT probes 127.0.0.1,
::1 and localhost.

TARGET: PORT (62893), HOST:PORT (localhost:3000, [::1]:8080) or URL (https://localhost:8443/health,
udp://127.0.0.1:53). A URL's scheme says what to try first: https:// against a plain HTTP server
is reported.

Options:
  --timeout DUR  per attempt, for connecting and again for the answer (default 1s; 500ms, 2s)
  --udp          send an empty UDP datagram instead ("silent" is ambiguous for UDP: bound, or dropped)
  --json         print {"status","latencyMs","protocol","attempts":[…], …}

Exit codes: 0 a connection was accepted (open, silent), 1 refused/timeout/unreachable/reset or
the name does not resolve, 2 bad usage.

Examples:
  portdoctor probe 3000
  portdoctor probe localhost:5432 --json
  portdoctor probe https://localhost:8443/health --timeout 2s
  portdoctor probe 53 --udp`;

async function run(argv: readonly string[], io: CliIO): Promise<number> {
  refuseOnReplay('probe', 'connect probes');
  const { values, positionals } = parseCommandArgs('probe', argv, OPTIONS);
  const [input, ...extra] = positionals;
  if (input === undefined) throw usageError('probe needs a TARGET.', "E.g. 'portdoctor probe 3000' or 'portdoctor probe localhost:5432'.");
  if (extra.length > 0) throw usageError(`probe takes one TARGET, got ${positionals.length}.`, "See 'portdoctor probe --help'.");
  const timeoutMs = values.timeout === undefined ? 1000 : parseDuration(values.timeout, '--timeout');
  if (timeoutMs < 1 || timeoutMs > 600_000) throw usageError(`--timeout "${values.timeout ?? ''}" must be between 1ms and 10m.`);
  const target = parseTarget(input, values.udp === true ? { udp: true } : {});
  const result = await probe(target, { timeoutMs });
  const code = isAccepted(result.status) ? EXIT_OK : EXIT_NEGATIVE;
  if (values.json === true) {
    writeJson(io, result);
    return code;
  }
  for (const line of renderProbe(result, { color: io.color, width: outputWidth(io.stdout), timeoutMs })) writeLine(io.stdout, line);
  return code;
}

const command: CommandModule = { help, run };
export default command;
