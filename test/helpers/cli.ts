import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { publicCli, runsAsAnotherUser } from './built-dist.js';

export const CLI = fileURLToPath(new URL('../../dist/cli/portdoctor.cjs', import.meta.url));
export const ROOT_DIR = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI (npm test builds it first). `prefix` runs it under another command, e.g.
 * setpriv to run it as an unprivileged user, or `ip netns exec NS` inside a namespace.
 */
export function runCli(args: readonly string[], options: { prefix?: readonly string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): CliResult {
  const prefix = options.prefix ?? [];
  // Another user may not be able to read the checkout: run a world-readable copy of dist/ then.
  const cli = runsAsAnotherUser(prefix) ? publicCli() : CLI;
  const argv = [...prefix, process.execPath, cli, ...args];
  const result = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    timeout: options.timeoutMs ?? 20_000,
    // spawnSync kills the child at 1 MiB of output by default; `ls --json` of a busy namespace is more.
    maxBuffer: 256 * 1024 * 1024,
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Parses stdout as JSON, failing the test with the output when it is not. */
export function jsonOf(result: CliResult): unknown {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

/**
 * Like runCli, without blocking this process: for tests whose own in-process servers must keep
 * answering while the CLI probes them (spawnSync would freeze them).
 */
export function runCliAsync(args: readonly string[], prefix: readonly string[] = []): Promise<CliResult> {
  const argv = [...prefix, process.execPath, runsAsAnotherUser(prefix) ? publicCli() : CLI, ...args];
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}
