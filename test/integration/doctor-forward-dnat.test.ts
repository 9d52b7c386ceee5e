/**
 * The built CLI on ports that Docker publishes as DNAT rules (dockerd --userland-proxy=false): dockerd
 * itself holds each host port and never accepts on it, the nat table sends the connections to the
 * container. `who`/`ls` name the container through the rule, the doctor follows it, `kill` refuses
 * to signal dockerd; and what is really left when the engine dies — its rules, with the container
 * gone behind them — is named as a leftover, with the rule to delete.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { alive, DockerEngine, dockerSkipReason } from '../helpers/docker-ns.js';
import { codes, findingOf, problems, type DoctorJson } from '../helpers/doctor-ns.js';
import { NSENTER } from '../helpers/ns-tools.js';
import { commOf, holdersOf } from '../helpers/proc-listeners.js';

const skip = dockerSkipReason();
if (skip !== null) console.warn(`[doctor-forward-dnat] skipped: ${skip}`);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(engine: DockerEngine, args: readonly string[]): Promise<Run> {
  const env = { ...process.env, NO_COLOR: '1', DOCKER_HOST: `unix://${engine.socket}` };
  return new Promise((resolve) => {
    execFile(NSENTER, [`--net=${engine.netns.path}`, process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 30_000, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

async function doctor(engine: DockerEngine, target: string): Promise<DoctorJson> {
  const run = await cli(engine, [target, '--json', '--no-config']);
  try {
    return JSON.parse(run.stdout) as DoctorJson;
  } catch {
    throw new Error(`doctor ${target}: not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

interface ForwardJson {
  readonly forwarder: string;
  readonly source: string[];
  readonly to: { host: string; port: number | null; container?: { id: string; name: string } } | null;
  readonly rule?: string;
  readonly stop: string;
}

describe.skipIf(skip !== null)(`ports published as DNAT rules (--userland-proxy=false)${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let engine: DockerEngine;
  let webAddress = '';

  beforeAll(async () => {
    engine = await DockerEngine.start({ userlandProxy: false });
    engine.run('web', { publish: ['127.0.0.1:8080:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    webAddress = engine.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'web']).stdout.trim();
  }, 90_000);

  afterAll(() => engine?.stop(), 60_000);

  it('who 8080 names the container behind dockerd through the DNAT rule', async () => {
    expect(holdersOf(engine.netns.inode, 8080).map((h) => commOf(h.pid))).toEqual(['dockerd']);
    const json = JSON.parse((await cli(engine, ['who', '8080', '--json'])).stdout) as { sockets: { forward?: ForwardJson }[] };
    expect(json.sockets[0]?.forward).toEqual({
      forwarder: 'dockerd',
      description: 'the Docker engine, holding a published port while DNAT rules forward it (userland-proxy: false)',
      source: ['nat-rules', 'docker-api'],
      to: { host: webAddress, port: 80, container: { id: expect.stringMatching(/^[0-9a-f]{64}$/), name: 'web' } },
      rule: `-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination ${webAddress}:80`,
      stop: 'docker stop web',
      killable: false,
    });
    const table = await cli(engine, ['who', '8080']);
    expect(table.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:8080 \\(dockerd, pid \\d+\\) → web \\([0-9a-f]{12}\\) ${webAddress.replaceAll('.', '\\.')}:80 \\(DNAT rule\\); to stop it: docker stop web$`, 'm'));
  });

  it('ls shows the same forward', async () => {
    const sockets = (JSON.parse((await cli(engine, ['ls', '--tcp', '--json'])).stdout) as { sockets: { port: number; forward?: ForwardJson }[] }).sockets;
    expect(sockets.filter((s) => s.forward !== undefined).map((s) => [s.port, s.forward?.forwarder, s.forward?.to?.container?.name])).toEqual([[8080, 'dockerd', 'web']]);
  });

  it('the doctor follows the rule to the container and finds it healthy', async () => {
    const report = await doctor(engine, '127.0.0.1:8080');
    expect(problems(report).filter((p) => p.endsWith('/error'))).toEqual([]);
    expect(report.steps.find((s) => s.id === 'follow-forward')?.lines[0]).toMatch(new RegExp(`^127\\.0\\.0\\.1:8080 → dockerd \\(pid \\d+\\) → container web \\([0-9a-f]{12}\\) → ${webAddress.replaceAll('.', '\\.')}:80$`));
  });

  it('kill 8080 never signals dockerd, and names the container to stop', async () => {
    const dockerd = holdersOf(engine.netns.inode, 8080)[0]?.pid ?? 0;
    const json = JSON.parse((await cli(engine, ['kill', '8080', '--yes', '--json'])).stdout) as { skipped: { pid: number; reason: string; stop?: string }[]; killed: unknown[]; advice: string[] };
    expect(json.killed).toEqual([]);
    expect(json.skipped).toEqual([expect.objectContaining({ pid: dockerd, reason: 'forwarder', stop: 'docker stop web' })]);
    expect(json.advice).toEqual(['docker stop web']);
    expect(alive(dockerd)).toBe(true);
  });

  it("the engine dies and the container with it: the rule it left is named, with the command that deletes it", async () => {
    engine.run('gone', { publish: ['127.0.0.1:8087:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    const goneAddress = engine.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'gone']).stdout.trim();
    const containerPid = engine.containerPid('gone');
    process.kill(engine.pid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(engine.pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    process.kill(containerPid, 'SIGKILL');
    for (let i = 0; i < 100 && alive(containerPid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    // What is real: dockerd's reservation went with it, its DNAT rule did not.
    expect(holdersOf(engine.netns.inode, 8087)).toEqual([]);
    const report = await doctor(engine, '127.0.0.1:8087');
    const f = findingOf(report, 'dnat-target-down', 'error');
    const rule = `-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport 8087 -j DNAT --to-destination ${goneAddress}:80`;
    expect(f.title).toBe(`A DNAT rule sends 127.0.0.1:8087 to ${goneAddress}:80, where nothing answers`);
    expect(f.detail).toContain(`The rule '${rule}'`);
    expect(f.detail).toContain('the connect there was refused');
    expect(f.detail).toContain('the container engine does not answer');
    expect(f.fix).toContain(`'iptables -t nat ${rule.replace('-A ', '-D ')}'`);
    expect(report.findings[0]?.code).toBe('dnat-target-down');
    expect(codes(report)).not.toContain('app-error');
  });
});
