import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingOf, isRoot, quietPort, Situation } from '../helpers/doctor-ns.js';

const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';

/** Writes a small project (files relative to a fresh directory) and returns its path. */
function project(s: Situation, files: Record<string, string>): string {
  const root = s.tempDir();
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

/**
 * The doctor's "configuration" and "logs" steps through the built CLI: a project directory
 * (--config) whose declarations disagree with what really listens, and a log file (--log).
 */
describe.skipIf(!isRoot)('doctor: project configuration and logs (needs root: ip netns add)', () => {
  it('a Vite proxy to a port where nothing listens while the API listens elsewhere: config-mismatch', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const api = quietPort();
    const wrong = api + 1;
    await s.server('http', '127.0.0.1', api);
    const dir = project(s, {
      'package.json': `{\n  "scripts": {\n    "api": "PORT=${api} node server.js",\n    "dev": "vite"\n  }\n}\n`,
      'vite.config.ts': `export default {\n  server: {\n    proxy: {\n      '/api': 'http://localhost:${wrong}',\n    },\n  },\n};\n`,
    });
    const run = s.doctor([`localhost:${wrong}`, '--config', dir]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'config-mismatch', 'error');
    expect(f.title).toBe(`vite.config.ts:4 points at port ${wrong}, where nothing of the project listens`);
    // Both halves (issue 11): the doctor also reads the project's other declared ports, so the
    // API's live listener is named with its process, and the fix is the edit to make.
    expect(f.detail).toContain(`The project serves ${api} (server, package.json:3, listening).`);
    expect(f.detail).toMatch(new RegExp(`It listens now on 127\\.0\\.0\\.1:${api} \\(\\S+, pid \\d+\\), as package\\.json:3 configures it`));
    expect(f.fix).toBe(`In vite.config.ts line 4, change \`'/api': 'http://localhost:${wrong}',\` to \`'/api': 'http://localhost:${api}',\` (the port the server uses), or configure the server to listen on ${wrong}.`);
    expect(run.report.steps.find((x) => x.id === 'configuration')?.status).toBe('problem');
  });

  it('.env says localhost, the server is on ::1 only: config-localhost warning', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    await s.server('http', '::1', port);
    const dir = project(s, { '.env': `API_URL=http://localhost:${port}/\n` });
    const run = s.doctor([`localhost:${port}`, '--config', dir]);
    const f = findingOf(run.report, 'config-localhost', 'warning');
    expect(f.evidence).toMatchObject({ family: 'ipv6', client: { file: '.env', line: 1 } });
    expect(f.fix).toContain('[::1]');
  });

  it('a client of a port Compose does not publish: config-docker-publish', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const published = quietPort();
    const unpublished = published + 1;
    const dir = project(s, {
      'compose.yaml': `services:\n  api:\n    image: example/api\n    ports:\n      - "${published}:3000"\n`,
      '.env': `API_URL=http://127.0.0.1:${unpublished}\n`,
    });
    const run = s.doctor([`127.0.0.1:${unpublished}`, '--config', dir]);
    expect(run.code).toBe(1);
    const f = findingOf(run.report, 'config-docker-publish', 'error');
    expect(f.title).toBe(`.env:1 targets port ${unpublished}, which compose.yaml does not publish`);
    expect(f.fix).toContain(String(published));
  });

  it("no config error the files do not support: a nested default and a container's own loopback (issue 13)", async () => {
    await using s = new Situation({ hosts: HOSTS });
    const published = quietPort();
    const statsd = published + 1;
    const dir = project(s, {
      'docker-compose.yml': [
        'services:',
        '  bot:',
        '    image: example/bot',
        '    ports:',
        `      - "${published}:4000"`,
        '    environment:',
        '      BASE_URL: ${DISCORDBOT_BASE_URL:-http://localhost:${EXPOSED_SERVER_PORT:-4000}}',
        `      RELAY_STATSD_ADDR: \${STATSD_ADDR:-127.0.0.1:${statsd}}`,
        '',
      ].join('\n'),
    });
    // Port 80 is nowhere in the files (the nested default used to become http's 80).
    const at80 = s.doctor(['127.0.0.1:80', '--config', dir]);
    expect(at80.report.findings.filter((f) => f.code.startsWith('config-'))).toEqual([]);
    // The statsd address is the relay container's own loopback, not a port of this machine.
    const atStatsd = s.doctor([`127.0.0.1:${statsd}`, '--config', dir]);
    expect(atStatsd.report.findings.filter((f) => f.code.startsWith('config-'))).toEqual([]);
    expect(atStatsd.report.steps.find((x) => x.id === 'configuration')?.lines.join('\n')).toContain(`${statsd} (container bot)`);
  });

  it('a log file with a bind failure: log-errors names the file and the failure', async () => {
    await using s = new Situation({ hosts: HOSTS });
    const port = quietPort();
    const log = join(s.tempDir(), 'server.log');
    writeFileSync(
      log,
      `starting server\nnode:events:497\n      throw er; // Unhandled 'error' event\n      ^\n\nError: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n    at Server.setupListenHandle [as _listen2] (node:net:1872:16)\n    at listenInCluster (node:net:1920:12)\n`,
    );
    const run = s.doctor([`127.0.0.1:${port}`, '--log', log]);
    const f = findingOf(run.report, 'log-errors', 'warning');
    expect(f.title).toContain('the server failed to bind');
    expect(`${f.title} ${f.detail}`).toContain('server.log');
    expect(run.report.steps.find((x) => x.id === 'logs')?.status).toBe('warning');
  });
});
