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
  ls: { summary: 'list listening TCP and bound UDP sockets with their processes', load: () => import('./commands/ls.js') },
  who: { summary: 'show what holds a port (all addresses, both families, TCP and UDP)', load: () => import('./commands/who.js') },
};
