import { mkdtemp, readFile, rm, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanConfig } from '../../src/config/scan.js';
import type { ConfigScan, Declaration } from '../../src/config/types.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');

type Row = [file: string, line: number, kind: Declaration['kind'], role: Declaration['role'], host: string | null, port: number];

const rows = (scan: ConfigScan): Row[] => scan.declarations.map((d) => [d.file, d.line, d.kind, d.role, d.host, d.port]);

/** Every declaration's text must be its file's line, exactly as written. */
async function expectTextIsTheLine(dir: string, scan: ConfigScan): Promise<void> {
  for (const d of scan.declarations) {
    const lines = (await readFile(join(dir, d.file), 'utf8')).split('\n');
    expect(d.text, `${d.file}:${d.line}`).toBe(lines[d.line - 1]);
  }
}

async function scanFixture(name: string): Promise<ConfigScan> {
  const scan = await scanConfig(join(FIXTURES, name));
  await expectTextIsTheLine(join(FIXTURES, name), scan);
  return scan;
}

describe('scanConfig on fixture projects', () => {
  it('vite-app: package.json scripts, Vite proxy to the wrong port, .env + .env.local, launch.json with comments; node_modules skipped', async () => {
    const scan = await scanFixture('vite-app');
    expect(rows(scan)).toEqual<Row[]>([
      ['.env', 2, 'env', 'unknown', 'localhost', 3000],
      ['.env', 4, 'env', 'client', 'localhost', 3001], // ${PORT} expands to .env.local's value, as Vite's dotenv-expand does
      ['.env.local', 1, 'env', 'unknown', 'localhost', 3001],
      ['.vscode/launch.json', 10, 'launch-json', 'server', null, 4001],
      ['.vscode/launch.json', 11, 'launch-json', 'server', null, 9230],
      ['.vscode/launch.json', 17, 'launch-json', 'client', null, 9229],
      ['.vscode/launch.json', 23, 'launch-json', 'client', 'localhost', 5174],
      ['package.json', 5, 'package-json', 'server', null, 5174],
      ['package.json', 6, 'package-json', 'server', null, 4000],
      ['package.json', 7, 'package-json', 'server', null, 4001],
      ['package.json', 8, 'package-json', 'server', '0.0.0.0', 5175],
      ['package.json', 8, 'package-json', 'client', null, 4001],
      ['package.json', 11, 'package-json', 'client', 'localhost', 4001],
      ['vite.config.ts', 8, 'vite', 'server', '127.0.0.1', 5174],
      ['vite.config.ts', 11, 'vite', 'client', 'localhost', 4002],
      ['vite.config.ts', 13, 'vite', 'client', '127.0.0.1', 4003],
      ['vite.config.ts', 20, 'vite', 'server', null, 4173],
    ]);
    expect(scan.declarations.some((d) => d.file.includes('node_modules'))).toBe(false);
    expect(scan.declarations[7]?.text).toBe('    "dev": "vite --port 5174",');
    expect(scan.warnings).toEqual([]);
    expect(scan.truncated).toBe(false);
    expect(scan.filesScanned).toBe(5);
  });

  it('compose-app: short, host-ip and long syntax, ${VAR:-default} from .env, expose, environment, command, network_mode: host', async () => {
    const scan = await scanFixture('compose-app');
    expect(rows(scan)).toEqual<Row[]>([
      ['.env', 1, 'env', 'unknown', null, 8081],
      ['docker-compose.yml', 5, 'compose', 'publish', null, 8080],
      ['docker-compose.yml', 5, 'compose', 'server', null, 3000],
      ['docker-compose.yml', 6, 'compose', 'publish', null, 8081],
      ['docker-compose.yml', 6, 'compose', 'server', null, 3001],
      ['docker-compose.yml', 7, 'compose', 'publish', null, 7000],
      ['docker-compose.yml', 7, 'compose', 'server', null, 7000],
      ['docker-compose.yml', 9, 'compose', 'server', '127.0.0.1', 3000],
      ['docker-compose.yml', 11, 'compose', 'client', 'api', 4000],
      ['docker-compose.yml', 15, 'compose', 'publish', '127.0.0.1', 5432],
      ['docker-compose.yml', 15, 'compose', 'server', null, 5432],
      ['docker-compose.yml', 19, 'compose', 'server', null, 4000],
      ['docker-compose.yml', 20, 'compose', 'publish', '0.0.0.0', 14000],
      ['docker-compose.yml', 24, 'compose', 'server', null, 9100],
      ['docker-compose.yml', 25, 'compose', 'server', '0.0.0.0', 4000],
      ['docker-compose.yml', 30, 'compose', 'server', null, 9090],
    ]);
    expect(scan.warnings).toEqual([
      { file: 'docker-compose.yml', line: 28, message: "service monitor uses network_mode: host, so Docker ignores its ports: mappings; it binds the host's ports directly" },
    ]);
  });

  it('spring-app: application.properties (placeholders, continuation, ! comments) and multi-document application.yml', async () => {
    const scan = await scanFixture('spring-app');
    const p = 'src/main/resources/application.properties';
    const y = 'src/main/resources/application.yml';
    expect(rows(scan)).toEqual<Row[]>([
      [p, 2, 'spring', 'server', '127.0.0.1', 8081],
      [p, 4, 'spring', 'client', 'localhost', 5432],
      [p, 7, 'spring', 'client', 'localhost', 6380],
      [p, 8, 'spring', 'server', null, 9001],
      [y, 2, 'spring', 'server', null, 8082],
      [y, 5, 'spring', 'client', 'db.internal', 3306],
      [y, 12, 'spring', 'server', null, 80],
    ]);
  });

  it('nginx-site: listen forms, proxy_pass to a URL and to an upstream, fastcgi_pass, comments', async () => {
    const scan = await scanFixture('nginx-site');
    const f = 'nginx/nginx.conf';
    expect(rows(scan)).toEqual<Row[]>([
      [f, 3, 'nginx', 'client', '127.0.0.1', 3000],
      [f, 4, 'nginx', 'client', '127.0.0.1', 3001],
      [f, 8, 'nginx', 'server', null, 80],
      [f, 9, 'nginx', 'server', '::', 80],
      [f, 16, 'nginx', 'client', 'localhost', 8080],
      [f, 19, 'nginx', 'client', '127.0.0.1', 9000],
      [f, 24, 'nginx', 'server', '127.0.0.1', 8443],
      [f, 25, 'nginx', 'client', '::1', 5000],
    ]);
  });

  it('python-app: Procfile, runserver in a shell script, gunicorn.conf.py, uvicorn.run, Dockerfile EXPOSE and exec-form CMD', async () => {
    const scan = await scanFixture('python-app');
    expect(rows(scan)).toEqual<Row[]>([
      ['Dockerfile', 2, 'other', 'server', null, 8000],
      ['Dockerfile', 3, 'python', 'server', '0.0.0.0', 8000],
      ['Procfile', 1, 'procfile', 'server', '0.0.0.0', 8000],
      ['Procfile', 3, 'procfile', 'server', '127.0.0.1', 8001],
      ['gunicorn.conf.py', 2, 'python', 'server', '127.0.0.1', 8003],
      ['main.py', 9, 'python', 'server', '0.0.0.0', 8004],
      ['start.sh', 3, 'python', 'server', '0.0.0.0', 8002],
    ]);
  });

  it('rails-app: Puma port with ENV.fetch default and tcp:// bind; unix binds and comments ignored', async () => {
    const scan = await scanFixture('rails-app');
    expect(rows(scan)).toEqual<Row[]>([
      ['config/puma.rb', 6, 'rails', 'server', null, 3000],
      ['config/puma.rb', 7, 'rails', 'server', '127.0.0.1', 3010],
    ]);
  });

  it('angular-app: serve options and configurations, proxy.conf.json targets', async () => {
    const scan = await scanFixture('angular-app');
    expect(rows(scan)).toEqual<Row[]>([
      ['angular.json', 7, 'angular', 'server', '0.0.0.0', 4201],
      ['angular.json', 8, 'angular', 'server', null, 4202],
      ['proxy.conf.json', 3, 'angular', 'client', 'localhost', 3333],
    ]);
  });

  it('webpack-app: devServer port with a ?? fallback, host, array-form proxy with a template-literal target', async () => {
    const scan = await scanFixture('webpack-app');
    expect(rows(scan)).toEqual<Row[]>([
      ['webpack.config.js', 4, 'webpack', 'server', 'localhost', 8088],
      ['webpack.config.js', 7, 'webpack', 'client', 'localhost', 3009],
    ]);
  });

  it('malformed: broken YAML, JSON, .env line, unclosed nginx block and a binary file are warnings with file and line, not crashes', async () => {
    const scan = await scanFixture('malformed');
    expect(rows(scan)).toEqual<Row[]>([
      ['.env', 1, 'env', 'unknown', null, 3100],
      ['nginx.conf', 2, 'nginx', 'server', null, 8090],
      ['package.json', 3, 'package-json', 'server', null, 5180],
    ]);
    const byFile = Object.fromEntries(scan.warnings.map((w) => [w.file, w]));
    expect(byFile['.env']).toMatchObject({ line: 2 });
    expect(byFile['docker-compose.yml']?.message).toMatch(/^YAML syntax error/);
    expect(byFile['docker-compose.yml']?.line).toBeGreaterThanOrEqual(5);
    expect(scan.warnings.filter((w) => w.file === 'package.json')).toEqual([
      { file: 'package.json', line: 4, message: 'JSON syntax error: CommaExpected' },
      { file: 'package.json', line: 6, message: 'JSON syntax error: CloseBraceExpected' },
    ]);
    expect(byFile['nginx.conf']).toMatchObject({ line: 1, message: 'nginx: block "server" is not closed' });
    expect(byFile['Procfile']).toEqual({ file: 'Procfile', line: null, message: 'skipped: binary file' });
  });
});

describe('scanConfig bounds', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pd-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('skips files over the size limit with a warning', async () => {
    const project = join(dir, 'big');
    await mkdir(project);
    await writeFile(join(project, '.env'), `PORT=3000\n${'#'.repeat(1024 * 1024 + 10)}\n`);
    await writeFile(join(project, 'Procfile'), 'web: PORT=5000 node server.js\n');
    const scan = await scanConfig(project);
    expect(scan.declarations.map((d) => [d.file, d.port])).toEqual([['Procfile', 5000]]);
    expect(scan.warnings).toEqual([{ file: '.env', line: null, message: expect.stringMatching(/over the 1048576-byte limit/) }]);
  });

  it('stops at the file budget and says so (truncated)', async () => {
    const project = join(dir, 'many');
    for (let i = 0; i < 12; i++) {
      await mkdir(join(project, `svc${String(i).padStart(2, '0')}`), { recursive: true });
      await writeFile(join(project, `svc${String(i).padStart(2, '0')}`, 'Procfile'), `web: PORT=${5000 + i} node s.js\n`);
    }
    const limited = await scanConfig(project, { maxFiles: 5 });
    expect(limited.truncated).toBe(true);
    expect(limited.filesScanned).toBe(5);
    expect(limited.declarations.map((d) => d.port)).toEqual([5000, 5001, 5002, 5003, 5004]);
    const walkLimited = await scanConfig(project, { maxEntries: 6 });
    expect(walkLimited.truncated).toBe(true);
    const full = await scanConfig(project);
    expect(full.truncated).toBe(false);
    expect(full.declarations).toHaveLength(12);
  });

  it('does not follow symbolic links out of the project', async () => {
    const project = join(dir, 'links');
    await mkdir(project);
    await cp(join(FIXTURES, 'rails-app'), join(dir, 'outside'), { recursive: true });
    const { symlink } = await import('node:fs/promises');
    await symlink(join(dir, 'outside'), join(project, 'linked'));
    const scan = await scanConfig(project);
    expect(scan.declarations).toEqual([]);
  });
});
