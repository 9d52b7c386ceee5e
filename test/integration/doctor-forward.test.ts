/**
 * The built CLI follows published ports to the container behind them, with a real Docker engine in
 * a namespace of the test's own (issue 12's "done when"): the doctor names the app that listens on
 * the container's loopback, a healthy publish, a container on another port, a stopped container;
 * `who` and `ls` show the forward next to docker-proxy; `kill` refuses docker-proxy and prints the
 * `docker stop`; a missing engine and one that accepts and never answers are reported, bounded.
 * portdoctor runs inside the engine's namespace (nsenter --net), with DOCKER_HOST at its socket.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket as NetSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { alive, DockerEngine, dockerSkipReason } from '../helpers/docker-ns.js';
import { codes, findingOf, problems, type DoctorJson } from '../helpers/doctor-ns.js';
import { commOf, holdersOf } from '../helpers/proc-listeners.js';
import { NSENTER } from '../helpers/ns-tools.js';

const skip = dockerSkipReason();
if (skip !== null) console.warn(`[doctor-forward] skipped: ${skip}`);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
}

/** The built CLI inside the engine's namespace, without blocking this process (a test server here must keep accepting). */
function cli(engine: DockerEngine, args: readonly string[], dockerHost = `unix://${engine.socket}`): Promise<Run> {
  const started = performance.now();
  const env = { ...process.env, NO_COLOR: '1', DOCKER_HOST: dockerHost, COLUMNS: '200' };
  return new Promise((resolve) => {
    execFile(NSENTER, [`--net=${engine.netns.path}`, process.execPath, CLI, ...args], { encoding: 'utf8', timeout: 30_000, env }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr, wallMs: Math.round(performance.now() - started) });
    });
  });
}

interface ForwardJson {
  readonly forwarder: string;
  readonly to: { host: string; port: number | null; container?: { id: string; name: string } } | null;
  readonly rule?: string;
  readonly stop: string;
  readonly killable: boolean;
  readonly unread?: string;
}
type Report = DoctorJson & { facts: { forwards: { elapsedMs: number; engine: { read: { ok: boolean; reason?: string } } | null; chains: { forward: ForwardJson }[] }; logOwner: unknown; logs: { sources: { source: string }[] } | null } };

async function doctor(engine: DockerEngine, target: string, dockerHost?: string): Promise<{ run: Run; report: Report }> {
  const run = await cli(engine, [target, '--json', '--no-config'], dockerHost);
  try {
    return { run, report: JSON.parse(run.stdout) as Report };
  } catch {
    throw new Error(`doctor ${target}: not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

const stepLines = (report: Report, id: string): string => report.steps.find((s) => s.id === id)?.lines.join('\n') ?? '';

describe.skipIf(skip !== null)(`the doctor follows published ports to the container (docker-proxy)${skip === null ? '' : ` (skipped: ${skip})`}`, () => {
  let engine: DockerEngine;
  let webId = '';
  let stale: ChildProcess | undefined;

  beforeAll(async () => {
    engine = await DockerEngine.start();
    webId = engine.run('web', { publish: ['127.0.0.1:8080:80'], command: ['/bin/sh', '-c', 'echo "server error: cannot open /www/missing.conf" >&2; exec httpd -f -p 127.0.0.1:80 -h /www'] });
    engine.run('ok', { publish: ['8081:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    engine.run('elsewhere', { publish: ['8083:80'], command: ['/bin/httpd', '-f', '-p', '8080', '-h', '/www'] });
    engine.run('stopped', { publish: ['8082:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'] });
    engine.docker(['stop', '-t', '1', 'stopped']);
    engine.run('quiet', { publish: ['127.0.0.1:8084:80'], command: ['/bin/sleep', '600'] });
    // A docker-proxy that no container publishes through: what a proxy left behind looks like (started
    // here by hand as dockerd starts it, with the pipe on fd 3 it reports readiness on, or it stops at once).
    stale = spawn(NSENTER, [`--net=${engine.netns.path}`, '/usr/sbin/docker-proxy', '-proto', 'tcp', '-host-ip', '127.0.0.1', '-host-port', '8086', '-container-ip', '172.17.0.250', '-container-port', '80'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    for (let i = 0; i < 100 && holdersOf(engine.netns.inode, 8086).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  }, 90_000);

  afterAll(() => {
    if (stale?.pid !== undefined && stale.exitCode === null) stale.kill('SIGKILL');
    engine?.stop();
  }, 60_000);

  it('an app on 127.0.0.1 inside its container: container-loopback-only names the container, its listener and the fix, and no app-error', async () => {
    const { run, report } = await doctor(engine, '127.0.0.1:8080');
    expect(run.code).toBe(1);
    expect(codes(report)).not.toContain('app-error');
    const f = findingOf(report, 'container-loopback-only', 'error');
    expect(f.title).toBe('The app in container web listens on 127.0.0.1:80 inside the container, where the published port cannot reach it');
    expect(f.detail).toMatch(/^docker-proxy \(pid \d+\) forwards 127\.0\.0\.1:8080 to 172\.17\.0\.\d+:80, the container's own address\. Inside, 127\.0\.0\.1:80 \(httpd, pid \d+\) listens on the container's loopback only/);
    expect(f.fix).toContain("Make httpd in container web listen on 0.0.0.0");
    expect(f.fix).toContain("'--host 0.0.0.0'");
    expect(f.evidence).toMatchObject({ container: { id: webId, name: 'web' }, listeners: [{ protocol: 'tcp', address: '127.0.0.1', port: 80 }] });
    // The chain, in the step a person reads.
    expect(stepLines(report, 'follow-forward')).toMatch(new RegExp(`^127\\.0\\.0\\.1:8080 → docker-proxy \\(pid \\d+\\) → container web \\(${webId.slice(0, 12)}\\) → 172\\.17\\.0\\.\\d+:80$`, 'm'));
    expect(report.steps.find((s) => s.id === 'follow-forward')?.status).toBe('problem');
    // The container's logs, not docker-proxy's /dev/null, are "the logs".
    expect(report.facts.logOwner).toEqual({ container: 'web' });
    expect(report.facts.logs?.sources.map((s) => s.source)).toEqual(['container web']);
    expect(codes(report)).toContain('log-errors');
    expect(findingOf(report, 'log-errors').detail).toContain('container web: server error: cannot open /www/missing.conf');
    // The JSON socket carries the forward.
    const socket = report.sockets.find((s) => s.port === 8080 && s.state === 'LISTEN') as unknown as { forward: ForwardJson };
    expect(socket.forward).toMatchObject({ forwarder: 'docker-proxy', to: { port: 80, container: { name: 'web', id: webId } }, stop: 'docker stop web', killable: false });
  });

  it("the doctor's added work on the forwarded port stays under 150 ms when the engine answers", async () => {
    // Added work = the doctor with the engine answering (list, inspect, the container's socket table,
    // its logs) against the same doctor whose engine is missing (following stops at the command line).
    // Interleaved runs, compared by their best: the machine is shared (load 6-8 on 2 cores while this
    // was written), and single runs vary by hundreds of ms; the least disturbed run shows the work.
    const withEngine: number[] = [];
    const without: number[] = [];
    const steps: number[] = [];
    for (let i = 0; i < 7; i++) {
      const followed = await doctor(engine, '127.0.0.1:8080');
      expect(followed.report.facts.forwards.engine?.read.ok).toBe(true);
      withEngine.push(followed.report.elapsedMs);
      steps.push(followed.report.facts.forwards.elapsedMs);
      without.push((await doctor(engine, '127.0.0.1:8080', 'unix:///nonexistent/docker.sock')).report.elapsedMs);
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const added = Math.min(...withEngine) - Math.min(...without);
    console.info(`[doctor-forward] doctor 127.0.0.1:8080: best ${Math.min(...withEngine)} / median ${median(withEngine)} ms with the engine, best ${Math.min(...without)} / median ${median(without)} ms without (added ${added.toFixed(1)} ms at best, ${(median(withEngine) - median(without)).toFixed(1)} ms by medians); follow step (wall, concurrent with the probe) ${steps.join(', ')} ms`);
    expect(added).toBeLessThan(150);
  });

  it('a healthy publish (-p 8081:80) reports no error, over both families', async () => {
    const { run, report } = await doctor(engine, '8081');
    expect(problems(report).filter((p) => p.endsWith('/error'))).toEqual([]);
    expect(run.code).toBe(0);
    const lines = stepLines(report, 'follow-forward');
    expect(lines).toMatch(/^0\.0\.0\.0:8081 → docker-proxy \(pid \d+\) → container ok \([0-9a-f]{12}\) → 172\.17\.0\.\d+:80$/m);
    expect(lines).toMatch(/^\[::\]:8081 → docker-proxy \(pid \d+\) → container ok/m);
    expect(lines).toContain('container ok: running; listening inside: TCP [::]:80 (httpd pid');
  });

  it('an app on another port than the published one: container-wrong-port', async () => {
    const { report } = await doctor(engine, '127.0.0.1:8083');
    const f = findingOf(report, 'container-wrong-port', 'error');
    expect(f.title).toBe('The app in container elsewhere listens on port 8080, not on 80 where port 8083 is forwarded');
    expect(f.fix).toContain("'-p 8083:8080'");
    expect(codes(report)).not.toContain('app-error');
  });

  it("a stopped container's port: container-not-running names it, its exit and `docker start`", async () => {
    expect(holdersOf(engine.netns.inode, 8082)).toEqual([]);
    const { report } = await doctor(engine, '127.0.0.1:8082');
    const f = findingOf(report, 'container-not-running', 'error');
    expect(f.title).toBe('Container stopped, behind port 8082, is exited');
    expect(f.detail).toContain('It publishes port 8082 when it runs');
    expect(f.detail).toContain('exit code 137');
    expect(f.fix).toBe("Read why it stopped ('docker logs --tail 50 stopped'), then start it: 'docker start stopped'.");
    // Named first: the fix list starts with it, before "nothing listens".
    expect(report.findings[0]?.code).toBe('container-not-running');
  });

  it('a container whose app does not listen at all: container-not-listening', async () => {
    const { report } = await doctor(engine, '127.0.0.1:8084');
    const f = findingOf(report, 'container-not-listening', 'error');
    expect(f.title).toBe('Nothing listens on port 80 inside container quiet');
    expect(f.fix).toContain("'docker logs --tail 50 quiet'");
    expect(codes(report)).not.toContain('app-error');
  });

  it('a container that fails its health check: container-unhealthy, with what the check said', async () => {
    // Made here and removed after: a health check every second would load the engine for the other tests.
    engine.run('sick', { publish: ['127.0.0.1:8085:80'], command: ['/bin/httpd', '-f', '-p', '80', '-h', '/www'], extra: ['--health-cmd', 'echo "health check: /healthz answered 503" && false', '--health-interval', '1s', '--health-retries', '1'] });
    for (let i = 0; i < 150 && !engine.docker(['inspect', '-f', '{{.State.Health.Status}}', 'sick']).stdout.includes('unhealthy'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const { report } = await doctor(engine, '127.0.0.1:8085');
    engine.docker(['rm', '-f', 'sick']);
    for (let i = 0; i < 100 && holdersOf(engine.netns.inode, 8085).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    const f = findingOf(report, 'container-unhealthy', 'warning');
    expect(f.title).toBe('Container sick, behind port 8085, fails its health check');
    expect(f.detail).toContain('the last run said: health check: /healthz answered 503');
    expect(problems(report).filter((p) => p.endsWith('/error'))).toEqual([]);
  });

  it('a docker-proxy that no running container publishes through: stale-forward', async () => {
    const { report } = await doctor(engine, '127.0.0.1:8086');
    const f = findingOf(report, 'stale-forward', 'error');
    expect(f.title).toBe('docker-proxy holds 127.0.0.1:8086, but no running container publishes port 8086');
    expect(f.detail).toContain('it forwards to 172.17.0.250:80');
    expect(f.fix).toContain(`'kill ${stale?.pid}'`);
    expect(codes(report)).not.toContain('app-error');
  });

  it('who 8080 shows the forward next to docker-proxy, in the table and in the JSON', async () => {
    const table = await cli(engine, ['who', '8080']);
    expect(table.code).toBe(0);
    // Not a terminal: 80 columns cut the table's last column; the forward is also said on a line of its own.
    expect(table.stdout).toMatch(/^tcp +127\.0\.0\.1:8080 +LISTEN +\d+ +root +docker-proxy → web \(/m);
    expect(table.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1:8080 \\(docker-proxy, pid \\d+\\) → web \\(${webId.slice(0, 12)}\\) 172\\.17\\.0\\.\\d+:80; to stop it: docker stop web$`, 'm'));
    const json = JSON.parse((await cli(engine, ['who', '8080', '--json'])).stdout) as { sockets: { forward?: ForwardJson }[] };
    expect(json.sockets[0]?.forward).toMatchObject({ forwarder: 'docker-proxy', to: { port: 80, container: { name: 'web' } }, stop: 'docker stop web' });
  });

  it('ls shows every forward (and nothing for other holders)', async () => {
    const run = await cli(engine, ['ls', '--tcp', '--json']);
    const sockets = (JSON.parse(run.stdout) as { sockets: { port: number; address: string; processes: { name: string }[]; forward?: ForwardJson }[] }).sockets;
    const rows = sockets.filter((s) => s.forward !== undefined).map((s) => `${s.address}:${s.port} ${s.forward?.to?.container?.name ?? '?'}:${s.forward?.to?.port ?? '?'}`).sort();
    expect(rows).toEqual(['0.0.0.0:8081 ok:80', '0.0.0.0:8083 elsewhere:80', '127.0.0.1:8080 web:80', '127.0.0.1:8084 quiet:80', '127.0.0.1:8086 ?:80', ':::8081 ok:80', ':::8083 elsewhere:80']);
    expect(sockets.filter((s) => s.forward === undefined).every((s) => s.processes.every((p) => p.name !== 'docker-proxy'))).toBe(true);
    const table = await cli(engine, ['ls', '--tcp']);
    // 80 columns: the cut falls a character earlier or later with the width of the pids.
    expect(table.stdout).toMatch(/^tcp +\*:8081 +LISTEN +\d+ +root +docker-proxy → ok \([0-9a-f]{12}\) 1/m);
  });

  it('kill 8080 refuses to signal docker-proxy and prints `docker stop web`; --dry-run shows the plan', async () => {
    const [proxy] = holdersOf(engine.netns.inode, 8080);
    expect(commOf(proxy?.pid ?? 0)).toBe('docker-proxy');
    const dry = await cli(engine, ['kill', '8080', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`- pid ${proxy?.pid} \\(docker-proxy\\) on port 8080 is left alone: docker-proxy forwards the port to container web; killing it breaks the mapping and leaves the container running \\(docker stop web\\)\\.`));
    expect(dry.stdout).toContain('(dry run: nothing was signalled)');
    const run = await cli(engine, ['kill', '8080', '--yes']);
    expect(run.stdout).toContain('Nothing could be signalled; port 8080 is still held.');
    expect(run.stdout).toContain('Try: docker stop web');
    expect(alive(proxy?.pid ?? 0)).toBe(true);
    const json = JSON.parse((await cli(engine, ['kill', '8080', '--yes', '--json'])).stdout) as { skipped: { reason: string; stop?: string }[]; advice: string[]; killed: unknown[] };
    expect(json.skipped).toEqual([expect.objectContaining({ reason: 'docker-proxy', stop: 'docker stop web' })]);
    // The second piece of advice is for container elsewhere's own app, which listens on 8080 in its namespace.
    expect(json.advice[0]).toBe('docker stop web');
    expect(json.killed).toEqual([]);
  });

  it('a missing engine: reported as unreadable, at once', async () => {
    const { run, report } = await doctor(engine, '127.0.0.1:8080', 'unix:///nonexistent/docker.sock');
    // The connection is dropped behind docker-proxy and the engine cannot say why: an error, never app-error.
    const f = findingOf(report, 'forward-unreadable', 'error');
    expect(f.detail).toContain('no Docker engine socket at /nonexistent/docker.sock');
    expect(codes(report)).not.toContain('app-error');
    expect(report.facts.forwards.elapsedMs).toBeLessThan(150);
    expect(run.wallMs).toBeLessThan(10_000);
  });

  describe('an engine that accepts and never answers', () => {
    let dir: string;
    let server: Server;
    const held: NetSocket[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pd-slow-api-'));
      server = createServer((socket) => void held.push(socket));
      await new Promise<void>((resolve) => server.listen(join(dir, 'docker.sock'), resolve));
    });

    afterAll(() => {
      for (const socket of held) socket.destroy();
      server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('never hangs the doctor: the step waits at most its deadline, and says why', async () => {
      const { report, run } = await doctor(engine, '127.0.0.1:8080', `unix://${join(dir, 'docker.sock')}`);
      expect(held.length).toBeGreaterThan(0);
      const f = findingOf(report, 'forward-unreadable', 'error');
      expect(f.detail).toContain('did not answer within');
      expect(report.facts.forwards.elapsedMs).toBeLessThan(1500);
      expect(run.wallMs).toBeLessThan(10_000);
      console.info(`[doctor-forward] silent engine: follow step ${report.facts.forwards.elapsedMs} ms, whole doctor ${run.wallMs} ms`);
      // who stays bounded too, and still shows where docker-proxy forwards (from its command line).
      const who = await cli(engine, ['who', '8080', '--json'], `unix://${join(dir, 'docker.sock')}`);
      const forward = (JSON.parse(who.stdout) as { sockets: { forward?: ForwardJson }[] }).sockets[0]?.forward;
      expect(forward).toMatchObject({ forwarder: 'docker-proxy', to: { host: expect.stringMatching(/^172\.17\.0\.\d+$/), port: 80 }, stop: 'docker stop $(docker ps -q --filter publish=8080/tcp)' });
      expect(forward?.unread).toMatch(/^the container engine was not read: the Docker engine at unix:\/\/.* did not answer within 1000 ms$/);
      expect(who.wallMs).toBeLessThan(5000);
      console.info(`[doctor-forward] silent engine: who ${who.wallMs} ms`);
    });
  });
});
