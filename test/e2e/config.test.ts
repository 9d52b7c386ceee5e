import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, jsonOf, runCli } from '../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/config');

interface JsonDeclaration {
  file: string;
  line: number;
  kind: string;
  role: string;
  host: string | null;
  port: number;
  text: string;
}

describe('portdoctor config (built CLI)', () => {
  let empty = '';
  beforeAll(async () => {
    empty = await mkdtemp(join(tmpdir(), 'pd-config-e2e-'));
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('--json prints the declarations contract and exits 0', async () => {
    const dir = join(FIXTURES, 'compose-app');
    const result = runCli(['config', dir, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const out = jsonOf(result) as { declarations: JsonDeclaration[]; warnings: unknown[]; truncated: boolean };
    expect(out.truncated).toBe(false);
    for (const d of out.declarations) {
      // The contract's fields, in order, then the fields added since (never renamed or removed).
      expect(Object.keys(d)).toEqual(['file', 'line', 'kind', 'role', 'host', 'port', 'text', 'protocol', 'network', 'service', 'via']);
      const lines = (await readFile(join(dir, d.file), 'utf8')).split('\n');
      expect(d.text).toBe(lines[d.line - 1]);
    }
    expect(out.declarations[1]).toEqual({ file: 'docker-compose.yml', line: 5, kind: 'compose', role: 'publish', host: null, port: 8080, text: '      - "8080:3000"', protocol: 'tcp', network: 'host', service: 'web', via: null });
    expect(out.warnings).toHaveLength(1);
  });

  it('human output groups declarations by file', () => {
    const result = runCli(['config', join(FIXTURES, 'nginx-site')]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('nginx/nginx.conf (nginx)');
    expect(lines).toContain('   3  client   127.0.0.1:3000         server 127.0.0.1:3000;');
    expect(lines).toContain('   9  server   [::]:80                listen [::]:80;');
    expect(lines).toContain('  25  client   [::1]:5000             location / { proxy_pass "http://[::1]:5000"; }');
  });

  it('defaults to the current directory', () => {
    const run = spawnSync(process.execPath, [CLI, 'config', '--json'], { cwd: join(FIXTURES, 'rails-app'), encoding: 'utf8', timeout: 20_000 });
    const result = { code: run.status, stdout: run.stdout, stderr: run.stderr };
    expect(result.code).toBe(0);
    expect((jsonOf(result) as { declarations: JsonDeclaration[] }).declarations.map((d) => d.port)).toEqual([3000, 3010]);
  });

  it('exits 1 when nothing is declared', () => {
    const result = runCli(['config', empty, '--json']);
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toEqual({ declarations: [], warnings: [], truncated: false, filesScanned: 0, unresolved: [] });
    const human = runCli(['config', empty]);
    expect(human.code).toBe(1);
    expect(human.stdout).toBe(`No port or host declarations found in ${empty} (0 configuration files read).\n`);
  });

  it('exits 2 with one stderr line for a directory that does not exist', () => {
    const missing = join(empty, 'no-such-dir');
    const result = runCli(['config', missing]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([`portdoctor: ${missing} is not a directory. Give the project directory to scan.`]);
  });
});
