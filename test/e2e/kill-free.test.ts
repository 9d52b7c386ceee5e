import { spawnSync } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/built-dist.js';
import { CLI, jsonOf, runCli } from '../helpers/cli.js';
import { startListener, type ListenerProcess } from '../helpers/processes.js';

const listeners: ListenerProcess[] = [];
afterEach(async () => {
  for (const listener of listeners.splice(0)) await listener[Symbol.asyncDispose]();
});

async function listen(specs: string[], flags: string[] = []): Promise<ListenerProcess> {
  const listener = await startListener(specs, { flags });
  listeners.push(listener);
  return listener;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  await ensureBuilt(['cli/commands/kill.ts', 'cli/commands/free.ts', 'actions/kill.ts', 'actions/free-port.ts']);
}, 180_000);

describe('portdoctor kill (built CLI)', () => {
  it('--json prints {"killed":[{pid,name,signal,result}], "released"} and exits 0 when released', async () => {
    const target = await listen(['tcp:127.0.0.1:0']);
    const result = runCli(['kill', String(target.sockets[0]!.port), '--json', '--grace', '2s']);
    expect(result.code).toBe(0);
    const report = jsonOf(result) as { killed: Record<string, unknown>[]; released: boolean };
    expect(report.released).toBe(true);
    expect(report.killed).toHaveLength(1);
    expect(report.killed[0]).toMatchObject({ pid: target.pid, name: 'node', signal: 'SIGTERM', result: 'stopped' });
  });

  it('without a terminal and without --yes, a SIGTERM-ignoring process is still-holding (exit 2); --yes escalates (exit 0)', async () => {
    const stubborn = await listen(['tcp:127.0.0.1:0'], ['--ignore-term']);
    const port = String(stubborn.sockets[0]!.port);
    const declined = runCli(['kill', port, '--json', '--grace', '300ms']);
    expect(declined.code).toBe(2);
    expect((jsonOf(declined) as { killed: unknown[] }).killed).toMatchObject([{ pid: stubborn.pid, signal: 'SIGTERM', result: 'still-holding' }]);
    expect(declined.stderr).toMatch(/pass --yes/);
    expect(isAlive(stubborn.pid)).toBe(true);

    const forced = runCli(['kill', port, '--yes', '--grace', '300ms']);
    expect(forced.code, forced.stdout + forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`✓ pid ${stubborn.pid} node: stopped \\(SIGKILL\\)`));
    expect(forced.stdout).toMatch(/is free now/);
  });

  it('--dry-run shows the plan, kills nothing, exits 0', async () => {
    const target = await listen(['tcp:127.0.0.1:0']);
    const result = runCli(['kill', String(target.sockets[0]!.port), '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(String(target.pid));
    expect(result.stdout).toMatch(/dry run: nothing was signalled/);
    expect(isAlive(target.pid)).toBe(true);
  });

  it('nothing on the port: exit 1, or 0 with --no-fail', async () => {
    // kill looks into every network namespace, free only into ours: pick one nobody listens on anywhere.
    const listening = jsonOf(runCli(['ls', '--all-netns', '--json'])) as { sockets: { port: number }[] };
    const anywhere = new Set(listening.sockets.map((s) => s.port));
    let port = '';
    for (let attempt = 0; attempt < 200 && port === ''; attempt++) {
      const candidate = 1024 + Math.floor(Math.random() * 64512); // busy benches may fill whole ranges in other namespaces
      if (!anywhere.has(candidate)) port = String(candidate);
    }
    const plain = runCli(['kill', port]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/Nothing listens on port/);
    expect(runCli(['kill', port, '--no-fail']).code).toBe(0);
  });

  it('on a terminal it asks: "n" signals nothing (exit 2), "y" stops it (exit 0)', async () => {
    const target = await listen(['tcp:127.0.0.1:0']);
    const onTty = (answer: string) =>
      // script(1) gives the CLI a real pseudo-terminal; the answer is typed into it.
      spawnSync('script', ['-qec', `${process.execPath} ${CLI} kill ${target.sockets[0]!.port} --no-color`, '/dev/null'], { input: answer, encoding: 'utf8', timeout: 20_000, env: { ...process.env, NO_COLOR: '1' } });
    const no = onTty('n\n');
    expect(no.stdout).toMatch(/Stop them\? \[y\/N\]/);
    expect(no.stdout).toMatch(/Nothing was signalled/);
    expect(no.status).toBe(2);
    expect(isAlive(target.pid)).toBe(true);
    const yes = onTty('y\n');
    expect(yes.stdout).toMatch(new RegExp(`pid ${target.pid} node: stopped \\(SIGTERM\\)`));
    expect(yes.status).toBe(0);
  });

  it.each([
    [['kill']],
    [['kill', 'abc']],
    [['kill', '0']],
    [['kill', '70000']],
    [['kill', '3000', '--grace', 'soon']],
    [['kill', '3000', '--signal', 'FOO']],
    [['kill', '3000', '--bogus']],
  ])('bad input %j: exit 2 with one line on stderr', (args) => {
    const result = runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^portdoctor: /);
  });
});

describe('portdoctor free (built CLI)', () => {
  it('prints one port; --json prints {"ports":[…]} with --count distinct ports', () => {
    const plain = runCli(['free']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^\d+\n$/);
    const result = runCli(['free', '--count', '3', '--range', '20000-29999', '--json']);
    expect(result.code).toBe(0);
    const body = jsonOf(result) as { ports: number[] };
    expect(Object.keys(body)).toEqual(['ports']);
    expect(new Set(body.ports).size).toBe(3);
    for (const port of body.ports) expect(port >= 20000 && port <= 29999).toBe(true);
  });

  it('--prefer takes the first free one; an exhausted --range exits 1', async () => {
    const held = await listen(['tcp:127.0.0.2:0']);
    const port = held.sockets[0]!.port;
    const other = (jsonOf(runCli(['free', '--range', '20000-29999', '--json'])) as { ports: number[] }).ports[0]!;
    const preferred = runCli(['free', '--prefer', `${port},${other}`, '--range', '20000-29999']);
    expect(preferred.stdout.trim()).toBe(String(other));
    const exhausted = runCli(['free', '--range', `${port}-${port}`, '--json']);
    expect(exhausted.code).toBe(1);
    expect(jsonOf(exhausted)).toEqual({ ports: [] });
    expect(exhausted.stderr.trimEnd().split('\n')).toHaveLength(1);
    // UDP is a separate table: the TCP listener leaves the UDP port free.
    expect(runCli(['free', '--udp', '--range', `${port}-${port}`]).stdout.trim()).toBe(String(port));
  });

  it.each([
    [['free', '--range', '5-2']],
    [['free', '--range', 'abc']],
    [['free', '--count', '0']],
    [['free', '--prefer', '3000,x']],
    [['free', 'extra']],
    [['free', '--tcp', '--udp']],
  ])('bad input %j: exit 2 with one line on stderr', (args) => {
    const result = runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
