import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, open, readFile, readlink, rm, writeFile, unlink } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectLogs } from '../../src/collectors/logs.js';
import { logErrorsFinding } from '../../src/logs/finding.js';
import { readDockerLogs } from '../../src/platform/linux/logs/docker.js';
import { readFileTail } from '../../src/platform/common/file-tail.js';
import { readJournal } from '../../src/platform/linux/logs/journal.js';
import { listening } from '../helpers/servers.js';
import { waitUntil } from '../helpers/wait-until.js';

/** A child whose stdout and stderr go to `logPath`; killed by pid when disposed. */
async function spawnLogging(script: string, logPath: string): Promise<ChildProcess & AsyncDisposable> {
  const file = await open(logPath, 'a');
  // sh runs the program, then `exec sleep` keeps the same pid and the same fds 1 and 2 alive:
  // a supervisor-like parent whose output file holds the real crash.
  const child = spawn('sh', ['-c', `"${process.execPath}" -e "$0"; exec sleep 60`, script], { stdio: ['ignore', file.fd, file.fd] });
  const spawned = once(child, 'spawn');
  await file.close();
  await spawned;
  return Object.assign(child, {
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    },
  });
}

async function waitForText(path: string, needle: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await readFile(path, 'utf8').catch(() => '')).includes(needle)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${needle} did not appear in ${path}`);
}

describe('collectLogs', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pd-logs-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads a real process's stdout/stderr file (via its pid) holding its EADDRINUSE crash, and links it to port-in-use", async () => {
    await using held = await listening(net.createServer(), '127.0.0.1');
    const logPath = join(dir, 'app.log');
    await writeFile(logPath, 'booting\nGET /health 200\n');
    await using child = await spawnLogging(`require('http').createServer().listen(${held.port}, '127.0.0.1')`, logPath);
    await waitForText(logPath, 'Node.js v'); // Node's last line: the crash is written in full
    const report = await collectLogs({ pid: child.pid ?? 0 });
    expect(report.sources).toEqual([{ source: logPath, read: true, reason: expect.stringMatching(/^\d+ lines read$/) }]);
    const head = report.lines.find((l) => l.text.startsWith('Error: listen EADDRINUSE'));
    expect(head).toEqual({ text: `Error: listen EADDRINUSE: address already in use 127.0.0.1:${held.port}`, source: logPath, line: 7, finding: 'port-in-use' });
    expect(report.lines.some((l) => l.text.includes('GET /health'))).toBe(false);
    const finding = logErrorsFinding(report);
    expect(finding?.code).toBe('log-errors');
    expect(finding?.severity).toBe('warning');
    expect(finding?.detail).toContain(`${logPath}:7: Error: listen EADDRINUSE`);
    expect((finding?.evidence['lines'] as unknown[]).length).toBe(report.lines.length);
  });

  it('reads a --log file once even when it is also the process output; counts line numbers across a cut tail', async () => {
    const logPath = join(dir, 'big.log');
    const filler = Array.from({ length: 20_000 }, (_, i) => `INFO request ${i} ok`).join('\n');
    await writeFile(logPath, `${filler}\n`);
    await using held = await listening(net.createServer(), '127.0.0.1');
    // An app that logs the error and keeps running (retrying), as many do.
    await using child = await spawnLogging(`const s=require('net').createServer(); s.on('error', (e) => { console.error(e); console.log('retrying later'); }); s.listen(${held.port}, '127.0.0.1')`, logPath);
    await waitForText(logPath, 'retrying later');
    const report = await collectLogs({ pid: child.pid ?? 0, logFile: logPath }, { maxBytes: 64 * 1024 });
    expect(report.sources).toHaveLength(1);
    const bind = report.lines.filter((l) => l.finding !== null);
    expect(bind.map((l) => [l.line, l.finding])).toEqual([[20_001, 'port-in-use'], [20_006, 'port-in-use']]);
    expect(bind[0]?.text).toBe(`Error: listen EADDRINUSE: address already in use 127.0.0.1:${held.port}`);
    // Line numbers are real: compare with the file.
    const all = (await readFile(logPath, 'utf8')).split('\n');
    for (const l of report.lines) expect(all[(l.line ?? 0) - 1]).toBe(l.text);
  });

  it('a process whose output is not a file (Node\'s "pipe" stdio is a socketpair) is a clean "not a file" source', async () => {
    const child = spawn('sleep', ['30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await once(child, 'spawn');
      const report = await collectLogs({ pid: child.pid ?? 0 });
      expect(report.lines).toEqual([]);
      expect(report.sources.map((s) => s.read)).toEqual([false, false]);
      expect(report.sources[0]?.reason).toBe(`stdout of pid ${child.pid} is a socket, not a file`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a deleted output file is still read through /proc/<pid>/fd', async () => {
    const logPath = join(dir, 'deleted.log');
    await writeFile(logPath, 'FATAL: config missing\n');
    await using child = await spawnLogging('0', logPath);
    // Ready when the child's stdout is the file (then deleting it leaves the fd pointing at it).
    await waitUntil(async () => (await readlink(`/proc/${child.pid ?? 0}/fd/1`).catch(() => '')) === logPath, 'the child writes to the log file');
    await unlink(logPath);
    const report = await collectLogs({ pid: child.pid ?? 0 });
    expect(report.lines).toEqual([{ text: 'FATAL: config missing', source: logPath, line: 1, finding: null }]);
  });

  it('an exited pid and a missing log file are reasons, not throws', async () => {
    const report = await collectLogs({ pid: 2 ** 22 + 7, logFile: join(dir, 'nope.log') });
    expect(report.lines).toEqual([]);
    expect(report.sources.every((s) => !s.read)).toBe(true);
    expect(report.sources.map((s) => s.reason)).toContain(`${join(dir, 'nope.log')} does not exist`);
  });

  it('readFileTail refuses what is not a regular file', async () => {
    const read = await readFileTail('/dev/null');
    expect(read).toEqual({ ok: false, reason: '/dev/null is not a regular file', hint: expect.any(String) });
  });
});

describe('journal and docker sources on this machine', () => {
  it('journalctl: no systemd → a clean unavailable reason; with systemd, an empty or readable journal', async () => {
    const read = await readJournal('pd-logs-no-such-unit.service', { timeoutMs: 5000 });
    if (read.ok) {
      expect(read.value).toEqual([]);
    } else {
      expect(read.reason).toMatch(/^(systemd is not running on this machine, so there is no journal|journalctl is not installed|journalctl failed)/);
    }
    const report = await collectLogs({ unit: 'pd-logs-no-such-unit.service' });
    expect(report.sources).toHaveLength(1);
    expect(report.sources[0]?.source).toBe('pd-logs-no-such-unit.service');
    expect(report.lines).toEqual([]);
  });

  it('docker logs without a running engine (or without the CLI) is a clean unavailable source', async () => {
    const read = await readDockerLogs('pd-logs-no-such-container', { timeoutMs: 8000 });
    expect(read.ok).toBe(false);
    if (!read.ok) {
      expect(read.reason).toMatch(/^(the Docker engine is not running \(docker logs could not connect to it\)|the docker CLI is not installed|there is no container named pd-logs-no-such-container)$/);
    }
    const report = await collectLogs({ container: 'pd-logs-no-such-container' });
    expect(report.sources).toEqual([{ source: 'pd-logs-no-such-container', read: false, reason: expect.any(String) }]);
  });
});
