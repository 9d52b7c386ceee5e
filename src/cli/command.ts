import type { CliIO } from './io.js';

/**
 * A CLI command module (src/cli/commands/<name>.ts) default-exports one of these. The module is
 * imported only when its command runs, which keeps start-up lean; its one-line summary lives in
 * the registry (src/cli/registry.ts) so top-level help needs no imports.
 */
export interface CommandModule {
  /** Full help text: usage line, description, options, examples. Printed by --help. */
  readonly help: string;
  /** Runs the command; returns the exit code. Throws PortdoctorError for bad usage (exit 2). */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}
