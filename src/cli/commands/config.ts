import { statSync } from 'node:fs';
import { scanConfig } from '../../config/scan.js';
import type { ConfigScan, Declaration } from '../../config/types.js';
import { PortdoctorError } from '../../errors.js';
import { parseCommandArgs } from '../args.js';
import type { CommandModule } from '../command.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { writeJson, writeLine, type CliIO } from '../io.js';

const help = `Usage: portdoctor config [DIR] [--json]

Find where a project declares ports and hosts: .env files, package.json scripts, Docker Compose,
Vite / Next.js / webpack / Angular dev servers, nginx, Procfile, Spring, Puma, Python servers,
VS Code launch.json. Nothing is executed; node_modules, .git and build output are skipped.

Each declaration has a role: server (a port the project binds), client (a port it connects to),
publish (a Compose host port), unknown (a bare PORT= in a .env file); a protocol (tcp, udp);
a network (container: written inside a Compose service or Dockerfile, so its 127.0.0.1 is the
container's own); and, when the port came through a variable, via (the default or file that set
it). Ports behind variables set nowhere are listed apart as unresolved, never guessed.

Arguments:
  DIR          the project directory (default: the current directory)

Options:
  --json       print {"declarations":[{file,line,kind,role,host,port,text,protocol,network,service,via}…],
               "warnings":[…],"truncated":bool,"filesScanned":n,"unresolved":[{…,port:null,value,reason}…]}

Examples:
  portdoctor config
  portdoctor config ./web --json

Exit codes: 0 declarations found, 1 none found, 2 DIR does not exist or is not a directory.`;

const command: CommandModule = {
  help,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs('config', argv, {});
    if (positionals.length > 1) {
      throw new PortdoctorError('bad-usage', 'config takes one directory.', { hint: "See 'portdoctor config --help'." });
    }
    const dir = positionals[0] ?? '.';
    // Synchronous, like the scan's own reads: node:fs/promises would be loaded for this one call (2-4 ms).
    let isDirectory = false;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch {
      // missing or unreadable: said below
    }
    if (!isDirectory) {
      throw new PortdoctorError('bad-usage', `${dir} is not a directory.`, { hint: 'Give the project directory to scan.' });
    }
    const scan = await scanConfig(dir);
    if (values.json === true) {
      writeJson(io, { declarations: scan.declarations, warnings: scan.warnings, truncated: scan.truncated, filesScanned: scan.filesScanned, unresolved: scan.unresolved });
    } else {
      printScan(io, dir, scan);
    }
    return scan.declarations.length > 0 ? EXIT_OK : EXIT_NEGATIVE;
  },
};

export default command;

function printScan(io: CliIO, dir: string, scan: ConfigScan): void {
  if (scan.declarations.length === 0) {
    writeLine(io.stdout, `No port or host declarations found in ${dir} (${scan.filesScanned} configuration files read).`);
  }
  const byFile = new Map<string, Declaration[]>();
  for (const d of scan.declarations) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  for (const [file, decls] of byFile) {
    writeLine(io.stdout, `${file} (${decls[0]?.kind ?? 'other'})`);
    const lineWidth = Math.max(...decls.map((d) => String(d.line).length));
    for (const d of decls) {
      const address = d.host === null ? String(d.port) : `${d.host.includes(':') ? `[${d.host}]` : d.host}:${d.port}`;
      writeLine(io.stdout, `  ${String(d.line).padStart(lineWidth)}  ${d.role.padEnd(7)}  ${address.padEnd(21)}  ${d.text.trim()}`);
    }
    writeLine(io.stdout);
  }
  for (const u of scan.unresolved) {
    writeLine(io.stdout, `port unknown: ${u.file}:${u.line} (${u.role}${u.host === null ? '' : `, host ${u.host}`}) ${u.reason} — ${u.text.trim()}`);
  }
  for (const w of scan.warnings) {
    writeLine(io.stdout, `warning: ${w.file}${w.line === null ? '' : `:${w.line}`}: ${w.message}`);
  }
  if (scan.truncated) {
    writeLine(io.stdout, 'note: the scan stopped at its file budget; some files were not read. Scan a subdirectory to see more.');
  }
}
