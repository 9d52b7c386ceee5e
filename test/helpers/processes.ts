import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { publicHelper, runsAsAnotherUser } from './built-dist.js';

export const LISTENER_SCRIPT = fileURLToPath(new URL('./listener.mjs', import.meta.url));
export const isRoot = process.getuid?.() === 0;
export const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

export interface BoundSocket {
  readonly protocol: 'tcp' | 'udp';
  readonly host: string;
  readonly port: number;
}

export interface ListenerProcess extends AsyncDisposable {
  readonly pid: number;
  readonly sockets: readonly BoundSocket[];
  /** Pids of forked workers sharing the listening sockets (with the --share flag). */
  readonly children: readonly number[];
  readonly child: ChildProcess;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts test/helpers/listener.mjs with the given socket specs (e.g. 'tcp:127.0.0.1:0') and
 * waits until it reports its bound ports. `prefix` runs it under another command, e.g.
 * ['setpriv', ...NOBODY] for an unprivileged owner or ['ip', 'netns', 'exec', NS] for a namespace.
 * Disposing kills it by pid (SIGKILL), so nothing outlives a failed test.
 */
export async function startListener(specs: readonly string[], options: { prefix?: readonly string[]; flags?: readonly string[] } = {}): Promise<ListenerProcess> {
  const prefix = options.prefix ?? [];
  // Another user may not be able to enter the checkout: run a world-readable copy of the script then.
  const script = runsAsAnotherUser(prefix) ? publicHelper('listener.mjs') : LISTENER_SCRIPT;
  const argv = [...prefix, process.execPath, script, ...(options.flags ?? []), ...specs];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(() => {
    throw new Error(`listener exited before it was ready: ${argv.join(' ')}`);
  });
  const [line] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  const report = JSON.parse(line) as { pid: number; sockets: BoundSocket[]; children: number[] };
  const kill = (signal: NodeJS.Signals = 'SIGKILL'): void => {
    for (const pid of [report.pid, ...report.children]) {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
    if (child.pid !== undefined && child.pid !== report.pid) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // already gone
      }
    }
  };
  return {
    pid: report.pid,
    sockets: report.sockets,
    children: report.children,
    child,
    kill,
    async [Symbol.asyncDispose]() {
      kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit').catch(() => undefined);
    },
  };
}
