import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFindings } from '../../src/config/findings.js';
import { scanConfig } from '../../src/config/scan.js';
import { listSockets } from '../../src/index.js';
import type { Socket } from '../../src/types.js';
import { freePort, listening } from '../helpers/servers.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');

async function tcpListeners(): Promise<readonly Socket[]> {
  return (await listSockets({ protocols: ['tcp'] })).sockets;
}

describe('configFindings with real listening sockets', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pd-config-findings-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function project(name: string, files: Record<string, string>): Promise<string> {
    const root = join(dir, name);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(join(root, file, '..'), { recursive: true });
      await writeFile(join(root, file), text);
    }
    return root;
  }

  it('config-mismatch: the Vite proxy targets a port where nothing listens while the API listens elsewhere', async () => {
    await using api = await listening(net.createServer(), '127.0.0.1');
    const wrong = await freePort();
    const root = await project('vite-mismatch', {
      'package.json': `{\n  "scripts": {\n    "api": "PORT=${api.port} node server.js",\n    "dev": "vite"\n  }\n}\n`,
      'vite.config.ts': `export default {\n  server: {\n    proxy: {\n      '/api': 'http://localhost:${wrong}',\n    },\n  },\n};\n`,
    });
    const scan = await scanConfig(root);
    const findings = configFindings(scan, { targetPort: wrong, listeners: await tcpListeners() });
    expect(findings.map((f) => f.code)).toEqual(['config-mismatch']);
    const [finding] = findings;
    expect(finding?.severity).toBe('error');
    expect(finding?.title).toBe(`vite.config.ts:4 points at port ${wrong}, where nothing of the project listens`);
    expect(finding?.detail).toContain(`${api.port} (server, package.json:3, listening)`);
    // Both halves (issue 11): the live listener with its process, and the declaration behind it …
    expect(finding?.detail).toContain(`It listens now on 127.0.0.1:${api.port} (node, pid ${process.pid}), as package.json:3 configures it (\"api\": \"PORT=${api.port} node server.js\",).`);
    // … and the fix as the edit to make.
    expect(finding?.fix).toBe(`In vite.config.ts line 4, change \`'/api': 'http://localhost:${wrong}',\` to \`'/api': 'http://localhost:${api.port}',\` (the port the server uses), or configure the server to listen on ${wrong}.`);
    expect(finding?.evidence).toMatchObject({
      client: { file: 'vite.config.ts', line: 4, kind: 'vite', role: 'client', host: 'localhost', port: wrong, text: `      '/api': 'http://localhost:${wrong}',` },
      listening: false,
      served: [{ file: 'package.json', line: 3, kind: 'package-json', role: 'server', host: null, port: api.port, text: `    "api": "PORT=${api.port} node server.js",`, listening: true }],
      listener: { address: '127.0.0.1', port: api.port, pid: process.pid, process: 'node', declaration: { file: 'package.json', line: 3 } },
      edit: { file: 'vite.config.ts', line: 4, before: `'/api': 'http://localhost:${wrong}',`, after: `'/api': 'http://localhost:${api.port}',` },
    });
    // Asking about the API's own port: its client side is not in question.
    expect(configFindings(scan, { targetPort: api.port, listeners: await tcpListeners() }).map((f) => f.code)).toEqual([]);
  });

  it('once the proxy points at the listener there is no mismatch, but localhost vs an IPv4-only listener is a config-localhost warning', async () => {
    await using api = await listening(net.createServer(), '127.0.0.1');
    const root = await project('vite-fixed', {
      'package.json': `{"scripts": {"api": "PORT=${api.port} node server.js"}}\n`,
      'vite.config.ts': `export default { server: { proxy: { '/api': 'http://localhost:${api.port}' } } };\n`,
    });
    const findings = configFindings(await scanConfig(root), { targetPort: null, listeners: await tcpListeners() });
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['config-localhost', 'warning']]);
    expect(findings[0]?.evidence).toMatchObject({ family: 'ipv4', listeners: [{ address: '127.0.0.1', port: api.port, family: 'ipv4' }] });
    expect(findings[0]?.fix).toContain('127.0.0.1');
  });

  it('config-localhost: the server listens on ::1 only and the client says localhost', async () => {
    await using api = await listening(net.createServer(), '::1');
    const root = await project('v6-only', { '.env': `API_URL=http://localhost:${api.port}/\n` });
    const findings = configFindings(await scanConfig(root), { targetPort: api.port, listeners: await tcpListeners() });
    expect(findings.map((f) => f.code)).toEqual(['config-localhost']);
    expect(findings[0]?.evidence).toMatchObject({ family: 'ipv6', client: { file: '.env', line: 1 } });
  });

  it('no localhost warning when the listener is dual-stack (::)', async () => {
    await using api = await listening(net.createServer(), '::');
    const root = await project('dual', { '.env': `API_URL=http://localhost:${api.port}/\n` });
    expect(configFindings(await scanConfig(root), { targetPort: api.port, listeners: await tcpListeners() })).toEqual([]);
  });

  it('config-docker-publish: the client targets a port Compose does not publish while it publishes another', async () => {
    const published = await freePort();
    const unpublished = await freePort();
    const root = await project('compose-unpublished', {
      'compose.yaml': `services:\n  api:\n    image: example/api\n    ports:\n      - "${published}:3000"\n`,
      '.env': `API_URL=http://127.0.0.1:${unpublished}\n`,
    });
    const findings = configFindings(await scanConfig(root), { targetPort: unpublished, listeners: await tcpListeners() });
    expect(findings.map((f) => f.code)).toEqual(['config-docker-publish']);
    expect(findings[0]?.title).toBe(`.env:1 targets port ${unpublished}, which compose.yaml does not publish`);
    expect(findings[0]?.evidence).toMatchObject({ composeFiles: ['compose.yaml'], published: [{ file: 'compose.yaml', line: 5, port: published, role: 'publish' }] });
    // The published port itself is declared as served: no finding for a client pointing there.
    const root2 = await project('compose-published', {
      'compose.yaml': `services:\n  api:\n    ports:\n      - "${published}:3000"\n`,
      '.env': `API_URL=http://127.0.0.1:${published}\n`,
    });
    expect(configFindings(await scanConfig(root2), { targetPort: published, listeners: await tcpListeners() })).toEqual([]);
  });

  it('config-docker-publish: the service binds 127.0.0.1 inside the container (compose-app fixture)', async () => {
    const findings = configFindings(await scanConfig(join(FIXTURES, 'compose-app')), { targetPort: null, listeners: await tcpListeners() });
    const bind = findings.filter((f) => f.code === 'config-docker-publish');
    expect(bind).toHaveLength(1);
    expect(bind[0]?.title).toBe('docker-compose.yml:9 binds 127.0.0.1:3000, which the Compose mapping at docker-compose.yml:5 cannot reach');
    expect(bind[0]?.evidence).toMatchObject({ bind: { line: 9, port: 3000, host: '127.0.0.1' }, mapping: { line: 5, port: 8080, role: 'publish' }, composeFiles: ['docker-compose.yml'] });
  });

  it("a container's own loopback in a Compose environment is not judged against this machine's ports (issue 13)", async () => {
    const published = await freePort();
    const statsd = await freePort();
    const hostSide = await freePort();
    const root = await project('container-loopback', {
      'docker-compose.yml': [
        'services:',
        '  relay:',
        '    image: getsentry/relay',
        '    environment:',
        `      RELAY_STATSD_ADDR: \${STATSD_ADDR:-127.0.0.1:${statsd}}`,
        `      UPSTREAM: http://host.docker.internal:${hostSide}`,
        '  web:',
        '    image: example/web',
        '    ports:',
        `      - "${published}:9000"`,
        '',
      ].join('\n'),
    });
    const scan = await scanConfig(root);
    expect(scan.declarations.find((d) => d.port === statsd)).toMatchObject({ role: 'client', host: '127.0.0.1', network: 'container', service: 'relay' });
    expect(configFindings(scan, { targetPort: statsd, listeners: await tcpListeners() })).toEqual([]);
    // host.docker.internal is this machine seen from the container: an unpublished, unheard port there is still an error.
    const findings = configFindings(scan, { targetPort: hostSide, listeners: await tcpListeners() });
    expect(findings.map((f) => f.code)).toEqual(['config-docker-publish']);
    // Once something listens on this machine's port, the container reaches it: no error.
    await using upstream = await listening(net.createServer(), '0.0.0.0');
    const served = await scanConfig(await project('container-upstream', {
      'docker-compose.yml': `services:\n  relay:\n    image: relay\n    environment:\n      UPSTREAM: http://host.docker.internal:${upstream.port}\n  web:\n    image: web\n    ports: ["${published}:9000"]\n`,
    }));
    expect(configFindings(served, { targetPort: upstream.port, listeners: await tcpListeners() })).toEqual([]);
  });

  it('a nested default is read whole: no error about the scheme port 80 the file never states (issue 13)', async () => {
    const root = await project('nested-default', {
      'docker-compose.yml': 'services:\n  bot:\n    image: bot\n    ports: ["14000:4000"]\n    environment:\n      BASE_URL: ${DISCORDBOT_BASE_URL:-http://localhost:${EXPOSED_SERVER_PORT:-4000}}\n',
    });
    const scan = await scanConfig(root);
    expect(scan.declarations.some((d) => d.port === 80)).toBe(false);
    expect(configFindings(scan, { targetPort: 80, listeners: await tcpListeners() })).toEqual([]);
  });

  it('a client to a remote host is not judged (its listeners are not ours to see)', async () => {
    const root = await project('remote', { 'package.json': '{"scripts":{"dev":"vite --port 5173"}}\n', '.env': 'API_URL=https://api.example.test:8443\n' });
    expect(configFindings(await scanConfig(root), { targetPort: null, listeners: await tcpListeners() })).toEqual([]);
  });
});
