import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentMayTell, formatByName, nameMayMatter } from '../../src/config/recognize.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');

/** Every file under `dir`, relative to it, `/`-separated. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

/**
 * The scan asks `nameMayMatter` first and skips a file it declines, so it must never decline a
 * name that a matcher accepts: a declined configuration file would silently be lost.
 */
function expectGateKeeps(path: string): void {
  if (nameMayMatter(path)) return;
  expect(formatByName(path)?.name, path).toBeUndefined();
  expect(contentMayTell(path), path).toBe(false);
}

describe('nameMayMatter, the cheap test in front of the name matchers', () => {
  it('declines sources, images and documents', () => {
    for (const path of ['src/components/Button.tsx', 'src/main/java/App.java', 'public/logo.png', 'README.md', 'src/App.vue', 'db/schema.sql']) {
      expect(nameMayMatter(path), path).toBe(false);
    }
  });

  it('keeps the names whose extension says little: each accepted by a matcher, each kept', () => {
    const names = ['config/database.yml.dist', 'env.example', 'nginx/conf.d/default.conf.template', 'docker/api.Dockerfile', 'deploy/unit.JSON', 'Procfile.dev', 'Dockerfile.prod', 'Dockerfile-dev', '.env.production.local', 'sites-enabled/app.site', 'nginx/site', 'conf', '.envrc', 'Makefile', 'Containerfile', 'Vagrantfile', 'config/app.env'];
    for (const path of names) {
      expect(formatByName(path) !== undefined || contentMayTell(path), path).toBe(true);
      expect(nameMayMatter(path), path).toBe(true);
    }
  });

  it('keeps every configuration file of the corpus and the fixtures (names as the projects wrote them)', () => {
    const paths = filesUnder(join(FIXTURES, 'config-corpus')).map((p) => p.replace(/^[^/]+\/files\//, ''));
    const fixtures = filesUnder(join(FIXTURES, 'config')).map((p) => p.replace(/^[^/]+\//, ''));
    const accepted = [...paths, ...fixtures].filter((p) => formatByName(p) !== undefined || contentMayTell(p));
    expect(accepted.length).toBeGreaterThan(300);
    for (const path of accepted) expect(nameMayMatter(path), path).toBe(true);
  });

  it('never declines a name a matcher accepts (generated from the names and folders the matchers know)', () => {
    const dir = fc.constantFrom('nginx', 'conf.d', 'templates', 'sites-available', 'sites-enabled', 'config', 'src', 'webpack', 'build', '.vscode', '.devcontainer', 'uwsgi', 'apache2', 'httpd', 'locales', 'test', 'docker', 'deploy', 'a-b');
    const stem = fc.constantFrom(
      '', '.', 'env', '.env', '.envrc', 'Procfile', 'Dockerfile', 'Containerfile', 'Makefile', 'Vagrantfile', 'nginx', 'docker-compose', 'compose', 'application', 'bootstrap',
      'vite', 'vitest', 'next', 'nuxt', 'astro', 'webpack', 'vue', 'setupProxy', 'proxy', 'playwright', 'karma', 'server', 'index', 'app', 'main', 'www', 'gunicorn', 'puma', 'unicorn',
      'database', 'unit', 'my-unit', 'launch', 'devcontainer', 'angular', 'package', 'uwsgi', 'httpd', 'apache2', 'conf', 'default', 'site', 'manage', 'asgi', 'x', 'Button',
    );
    const part = fc.constantFrom(
      'yml', 'yaml', 'json', 'JSON', 'js', 'mjs', 'cjs', 'ts', 'mts', 'cts', 'tsx', 'jsx', 'vue', 'conf', 'config', 'template', 'properties', 'rb', 'py', 'ini', 'sh', 'bash', 'nginx',
      'env', 'example', 'sample', 'dist', 'Dockerfile', 'dockerfile', 'local', 'dev', 'prod', 'development', 'png', 'md', 'txt', 'java', 'lock', 'd', 'proxy', 'webpack', 'unit', '',
    );
    const separator = fc.constantFrom('.', '-', '_');
    const base = fc.tuple(stem, fc.array(fc.tuple(separator, part), { maxLength: 3 })).map(([s, parts]) => s + parts.map(([sep, p]) => sep + p).join(''));
    const path = fc.tuple(fc.array(dir, { maxLength: 3 }), base).map(([dirs, b]) => [...dirs, b].join('/'));
    fc.assert(fc.property(path, (p) => expectGateKeeps(p)), { numRuns: 20_000 });
  });
});
