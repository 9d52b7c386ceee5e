import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusProjects, readExpected, runProject, type ProjectResult } from '../helpers/config-corpus.js';

/**
 * The configuration scan against real projects' files (test/fixtures/config-corpus/, see its
 * README.md): each project's expected.txt lists, by hand, every declaration a reader finds in
 * those files. Recall = expected declarations found / expected; precision = found declarations
 * that were expected / found. Ports that cannot be read count too, as `?`.
 */
const MIN_RECALL = 0.97;
const MIN_PRECISION = 0.99;
const MIN_PROJECTS = 30;

describe('configuration scan on the corpus of real projects', () => {
  const projects = corpusProjects();

  it(`has at least ${MIN_PROJECTS} projects, each with its source (repository and commit) and expectations`, () => {
    expect(projects.length).toBeGreaterThanOrEqual(MIN_PROJECTS);
    for (const project of projects) {
      const sources = join(CORPUS, project, 'SOURCES.md');
      expect(existsSync(sources), `${project}/SOURCES.md`).toBe(true);
      expect(readFileSync(sources, 'utf8'), `${project}/SOURCES.md`).toMatch(/Source: https:\/\/github\.com\/[\w.-]+\/[\w.-]+ at commit [0-9a-f]{40}/);
      expect(existsSync(join(CORPUS, project, 'files')), `${project}/files`).toBe(true);
      expect(readExpected(project).length, `${project}/expected.txt declares something`).toBeGreaterThan(0);
    }
  });

  it(`finds ≥ ${MIN_RECALL * 100}% of the declared ports and invents ≤ ${((1 - MIN_PRECISION) * 100).toFixed(0)}%`, async () => {
    const results: ProjectResult[] = [];
    for (const project of projects) results.push(await runProject(project));
    const expected = results.reduce((n, r) => n + r.expected, 0);
    const found = results.reduce((n, r) => n + r.found, 0);
    const matched = results.reduce((n, r) => n + r.matched, 0);
    const recall = matched / expected;
    const precision = matched / found;
    const lines = [`config corpus: ${results.length} projects, ${expected} expected declarations, ${found} found, ${matched} matched: recall ${(recall * 100).toFixed(2)}%, precision ${(precision * 100).toFixed(2)}%`];
    for (const r of results) {
      for (const key of r.missed) lines.push(`  missed   ${r.project}: ${key}`);
      for (const key of r.invented) lines.push(`  invented ${r.project}: ${key}`);
    }
    console.log(lines.join('\n'));
    expect(recall, lines.join('\n')).toBeGreaterThanOrEqual(MIN_RECALL);
    expect(precision, lines.join('\n')).toBeGreaterThanOrEqual(MIN_PRECISION);
  });

  it('never crashes on a project and every declaration is its file\'s line as written', async () => {
    for (const project of projects) {
      const { scan } = await runProject(project);
      expect(scan.warnings.filter((w) => w.message.startsWith('could not be read')), project).toEqual([]);
      for (const d of [...scan.declarations, ...scan.unresolved]) {
        const text = readFileSync(join(CORPUS, project, 'files', d.file), 'utf8').split('\n')[d.line - 1]?.replace(/\r$/, '');
        expect(d.text, `${project}/${d.file}:${d.line}`).toBe(text);
      }
    }
  });
});
