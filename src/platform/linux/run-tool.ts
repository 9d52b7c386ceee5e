import { execFile } from 'node:child_process';

export interface ToolResult {
  /** True when the tool ran and exited 0. */
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** Exit code, or null when the tool could not be started or was killed. */
  readonly exitCode: number | null;
  /** 'missing' when the executable is not installed, 'timeout' when it was killed for taking too long. */
  readonly failure: 'missing' | 'timeout' | 'exit' | 'denied' | null;
}

export interface RunToolOptions {
  readonly timeoutMs?: number;
  /**
   * Run inside the named network namespace (`ip netns exec NAME …`). Lets tests point a collector
   * at a namespace they built, and lets the doctor look inside a named namespace.
   */
  readonly netns?: string;
  readonly maxBuffer?: number;
}

/**
 * Runs an OS tool without a shell (argument array), with `LC_ALL=C` so its output is parseable,
 * and a timeout. Never throws: a missing tool or a failure is described in the result.
 *
 * @example
 * const r = await runTool('nft', ['-j', 'list', 'ruleset']);
 * if (r.ok) parse(r.stdout);
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions = {}): Promise<ToolResult> {
  const [file, argv] = options.netns === undefined ? [command, [...args]] : ['ip', ['netns', 'exec', options.netns, command, ...args]];
  return new Promise((resolve) => {
    execFile(
      file,
      argv,
      {
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
        timeout: options.timeoutMs ?? 5000,
        maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error === null) {
          resolve({ ok: true, stdout, stderr, exitCode: 0, failure: null });
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        const killed = (error as { killed?: boolean }).killed === true;
        const failure = code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'denied' : killed ? 'timeout' : 'exit';
        const exitCode = typeof code === 'number' ? code : null;
        resolve({ ok: false, stdout: stdout ?? '', stderr: stderr ?? '', exitCode, failure });
      },
    );
  });
}
