import type { Collected } from '../../../types.js';
import type { RawLogLine } from '../../../logs/types.js';
import { runTool } from '../run-tool.js';

export interface DockerLogOptions {
  readonly tail?: number;
  readonly timeoutMs?: number;
}

/**
 * Explains a failed `docker logs` from its stderr: no engine, no such container, no permission.
 *
 * @example
 * dockerFailureReason('Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?', 'web')
 * // 'the Docker engine is not running (docker logs could not connect to it)'
 */
export function dockerFailureReason(stderr: string, container: string): string {
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(stderr)) return 'the Docker engine is not running (docker logs could not connect to it)';
  if (/No such container/i.test(stderr)) return `there is no container named ${container}`;
  if (/permission denied/i.test(stderr)) return 'no permission to talk to the Docker engine';
  const first = stderr.trim().split('\n')[0] ?? '';
  return `docker logs failed${first ? `: ${first}` : ''}`;
}

/**
 * The last lines a container wrote (`docker logs --tail 500 NAME`). Docker returns the
 * container's stdout and stderr on our stdout and stderr; their interleaving is lost, so stdout
 * lines come first. Without the CLI or without a running engine this is a reason, not a throw.
 *
 * @example
 * const read = await readDockerLogs('web');
 */
export async function readDockerLogs(container: string, options: DockerLogOptions = {}): Promise<Collected<RawLogLine[]>> {
  const result = await runTool('docker', ['logs', '--tail', String(options.tail ?? 500), container], { timeoutMs: options.timeoutMs ?? 5000, maxBuffer: 16 * 1024 * 1024 });
  if (result.failure === 'missing') return { ok: false, reason: 'the docker CLI is not installed', hint: 'Install the Docker CLI, or pass the container\'s log file with --log FILE.' };
  if (result.failure === 'timeout') return { ok: false, reason: 'docker logs did not answer in time', hint: `Run: docker logs --tail 100 ${container}` };
  if (!result.ok) return { ok: false, reason: dockerFailureReason(result.stderr, container), hint: 'Start the Docker engine (systemctl start docker) or check the container name with docker ps -a.' };
  const split = (text: string): RawLogLine[] =>
    text === '' ? [] : text.replace(/\n$/, '').split('\n').map((t) => ({ text: t.replace(/\r$/, ''), source: container, line: null }));
  return { ok: true, value: [...split(result.stdout), ...split(result.stderr)] };
}
