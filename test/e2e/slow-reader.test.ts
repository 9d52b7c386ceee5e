import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startListener } from '../helpers/processes.js';

describe('large output through a slow pipe (built CLI)', () => {
  it('prints the whole JSON document even when the reader starts late', async () => {
    // 400 listeners make `ls --json` several times larger than a 64 KiB pipe buffer.
    await using listener = await startListener(Array.from({ length: 400 }, () => 'tcp:127.0.0.1:0'));
    const child = spawn(process.execPath, [CLI, 'ls', '--json', '--pid', String(listener.pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    await delay(400); // the CLI has long finished its work and is blocked on the full pipe
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    // 'close' comes after the process exited and its stdout ended: everything has been read.
    const [code] = (await once(child, 'close')) as [number];
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.length).toBeGreaterThan(128 * 1024);
    const document = JSON.parse(text) as { sockets: unknown[] };
    expect(document.sockets).toHaveLength(400);
    expect(code).toBe(0);
  });

  it('stops quietly, exit 0, when the reader closes the pipe early (| head)', async () => {
    await using listener = await startListener(Array.from({ length: 400 }, () => 'tcp:127.0.0.1:0'));
    const child = spawn(process.execPath, [CLI, 'ls', '--json', '--pid', String(listener.pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Read one chunk, then close our end, as `head -c` does: the CLI's next write meets EPIPE.
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'close')) as [number];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
