import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCompose } from '../../src/config/compose.js';
import { configFindings } from '../../src/config/findings.js';
import { parseJsConfig } from '../../src/config/js-config.js';
import { parseLaunchJson } from '../../src/config/launch-json.js';
import { parsePackageJson } from '../../src/config/package-json.js';
import { parsePython } from '../../src/config/python.js';
import { parseRails } from '../../src/config/rails.js';
import { scanConfig } from '../../src/config/scan.js';
import { parseScript } from '../../src/config/scripts.js';
import { parseSpring } from '../../src/config/spring.js';
import type { ConfigScan, Declaration, ParsedFile, ParserInput, UnresolvedDeclaration } from '../../src/config/types.js';

/**
 * One test per reproduction of issue 13 ("Configuration scan on real projects: find every
 * declared port, never invent one"), at the level where it was wrong: the parser for file
 * formats, the scan for file recognition, the findings for the doctor's errors.
 */
const none = new Map<string, string>();
const input = (file: string, text: string, vars: ReadonlyMap<string, string> = none): ParserInput => ({ file, text, vars });
type Row = [line: number, role: string, host: string | null, port: number];
const rows = (parsed: ParsedFile | ConfigScan): Row[] => parsed.declarations.map((d) => [d.line, d.role, d.host, d.port]);
const unknown = (parsed: ParsedFile | ConfigScan): [number, string, string | null, string][] => (parsed.unresolved ?? []).map((d: UnresolvedDeclaration) => [d.line, d.role, d.host, d.value]);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-config-repro-'));
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

describe('1. an unparsable URL port is "port unknown", never the scheme default', () => {
  const compose = [
    'services:',
    '  bot:',
    '    image: discordbot',
    '    ports:',
    '      - "3000:3000"',
    '    environment:',
    '      BASE_URL: ${DISCORDBOT_BASE_URL:-http://localhost:${EXPOSED_SERVER_PORT:-4000}}',
    '      CALLBACK_URL: http://localhost:${CALLBACK_PORT}',
    '',
  ].join('\n');

  it('a default containing a default gives the inner default (4000), and says which default', () => {
    const parsed = parseCompose(input('docker-compose.yml', compose));
    const baseUrl = parsed.declarations.find((d) => d.line === 7) as Declaration;
    expect([baseUrl.role, baseUrl.host, baseUrl.port, baseUrl.network, baseUrl.service]).toEqual(['client', 'localhost', 4000, 'container', 'bot']);
    expect(baseUrl.via).toEqual({ variable: 'EXPOSED_SERVER_PORT', from: 'default', file: 'docker-compose.yml', line: 7 });
    expect(parsed.declarations.some((d) => d.port === 80)).toBe(false);
  });

  it('a port variable set nowhere is unresolved, with the text that stands there', () => {
    const parsed = parseCompose(input('docker-compose.yml', compose));
    expect(unknown(parsed)).toEqual([[8, 'client', 'localhost', '${CALLBACK_PORT}']]);
    expect(parsed.unresolved?.[0]?.reason).toBe("${CALLBACK_PORT} is not set in the project's files and has no default");
  });

  it('the doctor asked about port 80 raises no config error (the file never states 80)', async () => {
    const scan = await scanConfig(await project('nested-default', { 'docker-compose.yml': compose }));
    expect(configFindings(scan, { targetPort: 80, listeners: [] })).toEqual([]);
  });

  it('wait-on http-get://127.0.0.1:$npm_package_config_x: package.json config when it has one, else unknown', () => {
    const withConfig = parsePackageJson(input('package.json', '{\n  "config": {"x": "7001"},\n  "scripts": {"wait": "wait-on http-get://127.0.0.1:$npm_package_config_x"}\n}\n'));
    expect(rows(withConfig)).toEqual([[3, 'client', '127.0.0.1', 7001]]);
    expect(withConfig.declarations[0]?.via).toEqual({ variable: 'npm_package_config_x', from: 'assignment', file: 'package.json', line: 2 });
    const without = parsePackageJson(input('package.json', '{"scripts": {"wait": "wait-on http-get://127.0.0.1:$npm_package_config_x"}}'));
    expect(rows(without)).toEqual([]);
    expect(unknown(without)).toEqual([[1, 'client', '127.0.0.1', '$npm_package_config_x']]);
  });

  it('garbage in the port is unknown, not 80', () => {
    const parsed = parseCompose(input('compose.yaml', 'services:\n  a:\n    environment:\n      API_URL: "http://localhost:8o80/"\n'));
    expect(rows(parsed)).toEqual([]);
    expect(unknown(parsed)).toEqual([[4, 'client', 'localhost', '8o80']]);
  });
});

describe("2. a container's own loopback is the container's", () => {
  const compose = [
    'services:',
    '  relay:',
    '    image: relay',
    '    environment:',
    '      RELAY_STATSD_ADDR: ${STATSD_ADDR:-127.0.0.1:8125}',
    '      UPSTREAM_URL: http://host.docker.internal:9000',
    '  web:',
    '    image: web',
    '    ports:',
    '      - "9000:9000"',
    '',
  ].join('\n');

  it('declares the address on the container network, with its service', () => {
    const relay = parseCompose(input('docker-compose.yml', compose)).declarations.find((d) => d.line === 5) as Declaration;
    expect([relay.role, relay.host, relay.port, relay.network, relay.service]).toEqual(['client', '127.0.0.1', 8125, 'container', 'relay']);
  });

  it('raises no config-docker-publish for it; host.docker.internal still reaches the host', async () => {
    const scan = await scanConfig(await project('container-loopback', { 'docker-compose.yml': compose }));
    expect(configFindings(scan, { targetPort: 8125, listeners: [] })).toEqual([]);
    expect(configFindings(scan, { targetPort: null, listeners: [] }).map((f) => f.code)).toEqual([]);
  });

  it('an env_file handed to a service is that container’s too', async () => {
    const scan = await scanConfig(await project('env-file', {
      'docker-compose.yml': 'services:\n  app:\n    image: app\n    env_file: ./app.env\n    ports: ["8080:80"]\n',
      'app.env': 'STATSD_ADDR=127.0.0.1:8125\n',
    }));
    expect(scan.declarations.find((d) => d.file === 'app.env')).toMatchObject({ network: 'container', service: 'app', port: 8125 });
    expect(configFindings(scan, { targetPort: 8125, listeners: [] })).toEqual([]);
  });
});

describe('3. files: build/ and dist/ are read, generated folders are not, config is recognised by content', () => {
  it('reads vue-cli build/webpack.dev.conf.js, a shipped dist/nginx.conf, webpack.dev.js, proxy.conf.js and a Compose file meant for -f', async () => {
    const root = await project('recognition', {
      'build/webpack.dev.conf.js': "module.exports = merge(base, {\n  devServer: { port: 8085 }\n})\n",
      'dist/nginx.conf': 'server {\n  listen 8086;\n}\n',
      'webpack.dev.js': "const { merge } = require('webpack-merge');\nmodule.exports = merge(common, { devServer: { port: 8087 } });\n",
      'proxy.conf.js': "module.exports = [{ context: ['/api'], target: 'http://localhost:8088' }];\n",
      'src/main/docker/app.yml': 'services:\n  app:\n    image: app\n    ports:\n      - 127.0.0.1:8089:8080\n',
      'node_modules/dep/vite.config.js': 'export default { server: { port: 1 } }\n',
      'venv/pyvenv.cfg': 'home = /usr/bin\n',
      'env/pyvenv.cfg': 'home = /usr/bin\n',
      'env/lib/python3/site/app.py': 'app.run(port=2)\n',
      'gradle-app/build.gradle': '',
      'gradle-app/build/resources/main/application.properties': 'server.port=3\n',
      'locales/en.yml': 'services:\n  ports: "not a compose file"\n',
    });
    const scan = await scanConfig(root);
    const found = scan.declarations.map((d) => `${d.file}:${d.port}`);
    expect(found).toEqual(expect.arrayContaining(['build/webpack.dev.conf.js:8085', 'dist/nginx.conf:8086', 'webpack.dev.js:8087', 'proxy.conf.js:8088', 'src/main/docker/app.yml:8089']));
    expect(scan.declarations.filter((d) => d.port < 10)).toEqual([]);
    expect(scan.declarations.find((d) => d.file === 'proxy.conf.js')?.kind).toBe('angular');
  });
});

describe('4. values that pass through a variable are followed to their literal default', () => {
  it('Vite: const devPort = parseInt(env.VITE_DEV_PORT || "3000", 10) … server: { port: devPort }', () => {
    const text = "import { defineConfig, loadEnv } from 'vite'\nexport default defineConfig(({ mode }) => {\n  const env = loadEnv(mode, process.cwd(), '')\n  const devPort = parseInt(env.VITE_DEV_PORT || '3000', 10)\n  return { server: { port: devPort } }\n})\n";
    const parsed = parseJsConfig(input('vite.config.ts', text), 'vite');
    expect(rows(parsed)).toEqual([[5, 'server', null, 3000]]);
    expect(parsed.declarations[0]?.via).toEqual({ variable: 'VITE_DEV_PORT', from: 'default', file: 'vite.config.ts', line: 4 });
    // With the project's .env setting the variable, its value wins, and the .env line is named.
    const withEnv = parseJsConfig({ ...input('vite.config.ts', text, new Map([['VITE_DEV_PORT', '3100']])), origins: new Map([['VITE_DEV_PORT', { file: '.env', line: 2 }]]) }, 'vite');
    expect(rows(withEnv)).toEqual([[5, 'server', null, 3100]]);
    expect(withEnv.declarations[0]?.via).toEqual({ variable: 'VITE_DEV_PORT', from: 'env-file', file: '.env', line: 2 });
  });

  it('const PORT = 3000 … devServer: { port: PORT }', () => {
    const parsed = parseJsConfig(input('webpack.config.js', 'const PORT = 3000;\nmodule.exports = { devServer: { port: PORT } };\n'), 'webpack');
    expect(rows(parsed)).toEqual([[2, 'server', null, 3000]]);
    expect(parsed.declarations[0]?.via).toEqual({ variable: 'PORT', from: 'assignment', file: 'webpack.config.js', line: 1 });
  });

  it("Python: port = int(os.environ.get('PORT', 5000)) … app.run(port=port)", () => {
    const parsed = parsePython(input('app.py', "import os\nport = int(os.environ.get('PORT', 5000))\napp.run(host='0.0.0.0', port=port)\n"));
    expect(rows(parsed)).toEqual([[3, 'server', '0.0.0.0', 5000]]);
    expect(parsed.declarations[0]?.via).toEqual({ variable: 'PORT', from: 'default', file: 'app.py', line: 2 });
  });

  it('shell: PORT=${PORT:-5000} … --bind 0.0.0.0:$PORT', () => {
    const parsed = parseScript(input('start.sh', '#!/bin/sh\nPORT=${PORT:-5000}\nexec gunicorn --bind 0.0.0.0:$PORT app:app\n'));
    expect(rows(parsed)).toEqual([[2, 'unknown', null, 5000], [3, 'server', '0.0.0.0', 5000]]);
    expect(parsed.declarations[1]?.via).toEqual({ variable: 'PORT', from: 'default', file: 'start.sh', line: 2 });
  });

  it("Puma: bind \"tcp://#{ENV.fetch('BIND','127.0.0.1')}:#{ENV.fetch('PORT',3000)}\"", () => {
    const parsed = parseRails(input('config/puma.rb', "bind \"tcp://#{ENV.fetch('BIND','127.0.0.1')}:#{ENV.fetch('PORT',3000)}\"\n"));
    expect(rows(parsed)).toEqual([[1, 'server', '127.0.0.1', 3000]]);
    expect(parsed.declarations[0]?.via).toMatchObject({ variable: 'PORT', from: 'default' });
  });

  it("a variable with no default anywhere is an unknown port, not nothing", () => {
    expect(unknown(parseJsConfig(input('vite.config.ts', 'export default { server: { port: Number(process.env.PORT) } }\n'), 'vite'))).toEqual([[1, 'server', null, 'process.env.PORT']]);
  });
});

describe('5. forms people use', () => {
  it('export PORT=3000 and export API_URL=http://localhost:4000 in a shell script', () => {
    expect(rows(parseScript(input('dev.sh', '#!/bin/sh\nexport PORT=3000\nexport API_URL=http://localhost:4000\n')))).toEqual([[2, 'unknown', null, 3000], [3, 'client', 'localhost', 4000]]);
  });

  it('Spring Cloud spring.config.import: optional:configserver:http://localhost:8888/', () => {
    expect(rows(parseSpring(input('application.yml', 'spring:\n  config:\n    import: optional:configserver:http://localhost:8888/\n')))).toEqual([[3, 'client', 'localhost', 8888]]);
    expect(rows(parseSpring(input('application.properties', 'spring.config.import=optional:configserver:${CONFIG_SERVER_URL:http://localhost:8888/}\n')))).toEqual([[1, 'client', 'localhost', 8888]]);
  });

  it('launch.json debugpy attach connect: {host, port}', () => {
    const text = '{\n  "configurations": [\n    {\n      "type": "debugpy",\n      "request": "attach",\n      "connect": { "host": "localhost", "port": 5678 }\n    }\n  ]\n}\n';
    expect(rows(parseLaunchJson(input('.vscode/launch.json', text)))).toEqual([[6, 'client', 'localhost', 5678]]);
  });

  it('debugpy.listen(("0.0.0.0", 3300)) and debugpy.listen(5678)', () => {
    expect(rows(parsePython(input('manage.py', 'import debugpy\ndebugpy.listen(("0.0.0.0", 3300))\n')))).toEqual([[2, 'server', '0.0.0.0', 3300]]);
    expect(rows(parsePython(input('app.py', 'import debugpy\ndebugpy.listen(5678)\n')))).toEqual([[2, 'server', '127.0.0.1', 5678]]);
  });

  it('Node --inspect=9229 behind nodemon, in NODE_OPTIONS, and a bare --inspect', () => {
    expect(rows(parsePackageJson(input('package.json', '{"scripts": {\n"a": "nodemon --inspect=9229 server.js",\n"b": "NODE_OPTIONS=--inspect=0.0.0.0:9230 node s.js",\n"c": "node --inspect index.js"}}')))).toEqual([
      [2, 'server', null, 9229],
      [3, 'server', '0.0.0.0', 9230],
      [4, 'server', null, 9229],
    ]);
  });
});

describe('6. smaller ones', () => {
  it('a folded command: > declares each port on its own line', () => {
    const text = 'services:\n  app:\n    image: app\n    command: >\n      gunicorn app:app\n      --workers 2\n      --bind 0.0.0.0:8000\n';
    expect(rows(parseCompose(input('compose.yaml', text)))).toEqual([[7, 'server', '0.0.0.0', 8000]]);
  });

  it("gunicorn bind = '0:8000' is 0.0.0.0", () => {
    expect(rows(parsePython(input('gunicorn.conf.py', "bind = '0:8000'\n")))).toEqual([[1, 'server', '0.0.0.0', 8000]]);
  });

  it('53:53/tcp and 53:53/udp carry their protocol', () => {
    const parsed = parseCompose(input('compose.yaml', 'services:\n  dns:\n    ports:\n      - "53:53/tcp"\n      - "53:53/udp"\n'));
    expect(parsed.declarations.map((d) => [d.line, d.role, d.port, d.protocol])).toEqual([[4, 'publish', 53, 'tcp'], [4, 'server', 53, 'tcp'], [5, 'publish', 53, 'udp'], [5, 'server', 53, 'udp']]);
  });

  it('package.json with a comment or a trailing comma gets a warning (npm would reject it)', () => {
    expect(parsePackageJson(input('package.json', '{\n  // dev\n  "scripts": {"dev": "vite --port 5174"}\n}\n')).warnings).toEqual([
      { file: 'package.json', line: 2, message: 'a comment: npm reads package.json as strict JSON and will reject it' },
    ]);
    expect(parsePackageJson(input('package.json', '{\n  "scripts": {"dev": "vite --port 5174"},\n}\n')).warnings).toEqual([
      { file: 'package.json', line: 3, message: 'a trailing comma: npm reads package.json as strict JSON and will reject it' },
    ]);
    expect(parsePackageJson(input('package.json', '{"scripts": {"dev": "vite --port 5174"}}')).warnings).toEqual([]);
  });

  it('symbolic links: followed inside the project, a warning when they leave it', async () => {
    const root = await project('links', { 'deploy/compose.yml': 'services:\n  a:\n    ports: ["8090:80"]\n', 'node_modules/shared/.env': 'PORT=4321\n' });
    await symlink(join(root, 'node_modules/shared/.env'), join(root, '.env'));
    await symlink(join(root, 'deploy/compose.yml'), join(root, 'docker-compose.yml'));
    const outside = await project('outside', { 'Procfile': 'web: node s.js --port 5005\n' });
    await symlink(join(outside, 'Procfile'), join(root, 'Procfile'));
    const scan = await scanConfig(root);
    // .env leads into a skipped folder: read under its own name. docker-compose.yml leads to a
    // file the walk reads anyway: read once. Procfile leaves the project: a warning.
    expect(scan.declarations.map((d) => `${d.file}:${d.port}`)).toEqual(['.env:4321', 'deploy/compose.yml:8090', 'deploy/compose.yml:80']);
    expect(scan.warnings).toEqual([{ file: 'Procfile', line: null, message: `symbolic link to ${join(outside, 'Procfile')}, outside the scanned directory: not followed (scan that directory to read it)` }]);
  });

  it('hitting the file budget adds a warning', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 6; i++) files[`svc${i}/Procfile`] = `web: node s.js --port ${5000 + i}\n`;
    const scan = await scanConfig(await project('budget', files), { maxFiles: 3 });
    expect(scan.truncated).toBe(true);
    expect(scan.warnings).toEqual([{ file: '.', line: null, message: 'read the first 3 configuration files only (the file budget); the others were not read' }]);
    const walked = await scanConfig(join(dir, 'budget'), { maxEntries: 4 });
    expect(walked.warnings[0]?.message).toMatch(/^stopped walking after 4 entries/);
  });
});
