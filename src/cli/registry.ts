import type { CommandModule } from './command.js';

interface CommandEntry {
  readonly summary: string;
  readonly load: () => Promise<{ default: CommandModule }>;
}

/**
 * Every command, its one-line summary, and how to load it. Modules load lazily: `portdoctor who`
 * never pays for the doctor's firewall parser or the config scanner.
 */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  doctor: { summary: 'diagnose a port, host:port or URL: why a client cannot reach it, why a server cannot bind it', load: () => import('./commands/doctor.js') },
  ls: { summary: 'list listening TCP and bound UDP sockets with their processes', load: () => import('./commands/ls.js') },
  who: { summary: 'show what holds a port (all addresses, both families, TCP and UDP)', load: () => import('./commands/who.js') },
  kill: { summary: 'stop what listens on a port, verified: never clients, never pid 1; SIGTERM, then asks before SIGKILL', load: () => import('./commands/kill.js') },
  free: { summary: 'print a free port: unused on every address of both families, confirmed by a real bind', load: () => import('./commands/free.js') },
  info: { summary: 'what a port number means here: IANA range, ephemeral, reserved, privileged, common services', load: () => import('./commands/info.js') },
  wait: { summary: 'wait until ports or URLs accept (or --closed, --free); every address, ms-fast', load: () => import('./commands/wait.js') },
  probe: { summary: 'connect like a client: open/refused/timeout/reset/silent per address, and what answers', load: () => import('./commands/probe.js') },
  config: { summary: 'find where a project declares ports and hosts (.env, package.json, Compose, nginx, …)', load: () => import('./commands/config.js') },
  serve: { summary: 'start a test listener (TCP echo, --http page, --udp echo) and show each connection', load: () => import('./commands/serve.js') },
  snapshot: { summary: "record this machine's raw sources into one JSON file, for a bug report that replays anywhere", load: () => import('./commands/snapshot.js') },
  selftest: { summary: 'prove loopback works: TCP and UDP echo round trips over 127.0.0.1 and ::1, with latency', load: () => import('./commands/selftest.js') },
};
