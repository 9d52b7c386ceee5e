import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyLogLine } from '../../src/logs/classify.js';
import { logErrorsFinding } from '../../src/logs/finding.js';
import { selectLogLines } from '../../src/logs/select.js';
import type { RawLogLine } from '../../src/logs/types.js';
import { dockerFailureReason } from '../../src/platform/linux/logs/docker.js';
import { parseJournalJson } from '../../src/platform/linux/logs/journal.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/logs');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const asLines = (text: string, source: string): RawLogLine[] => text.replace(/\n$/, '').split('\n').map((t, i) => ({ text: t, source, line: i + 1 }));

describe('classifyLogLine links bind failures to findings', () => {
  it.each([
    ['node-eaddrinuse.log', 5, 'port-in-use'],
    ['node-eacces.log', 5, 'privileged-port'],
    ['node-eaddrnotavail.log', 5, 'listening-other-address'],
    ['python-eaddrinuse.log', 3, 'port-in-use'],
    ['nginx-error.log', 1, 'port-in-use'],
  ])('%s line %i → %s', (file, line, code) => {
    const text = fixture(file).split('\n')[line - 1] ?? '';
    expect(classifyLogLine(text)).toMatchObject({ bindFailure: true, finding: code });
  });
  it('a permission denied that is not about binding is kept as a bind-failure candidate but linked to nothing', () => {
    expect(classifyLogLine("open('/etc/app.conf'): Permission denied")).toMatchObject({ bindFailure: true, finding: null });
  });
  it('frames and plain lines', () => {
    expect(classifyLogLine('    at listenInCluster (node:net:1965:12)').frame).toBe(true);
    expect(classifyLogLine('  File "<string>", line 2, in <module>').frame).toBe(true);
    expect(classifyLogLine('GET / 200 3ms')).toEqual({ bindFailure: false, finding: null, error: false, frame: false });
  });
});

describe('selectLogLines on captured output', () => {
  it("Node's uncaught EADDRINUSE: the exception's first line, its frames, and the code line; not the noise", () => {
    const lines = selectLogLines(asLines(fixture('node-eaddrinuse.log'), '/var/log/app.log'));
    expect(lines.map((l) => [l.line, l.finding])).toEqual([
      [2, null], // throw er; // Unhandled 'error' event
      [5, 'port-in-use'],
      [6, null],
      [7, null],
      [8, null],
      [9, null],
      [10, null], // Emitted 'error' event on Server instance at:
      [11, null],
      [12, null],
      [13, 'port-in-use'], // code: 'EADDRINUSE'
    ]);
    expect(lines[1]).toEqual({ text: 'Error: listen EADDRINUSE: address already in use 127.0.0.1:41234', source: '/var/log/app.log', line: 5, finding: 'port-in-use' });
  });
  it('Python traceback: header, frame, and the exception line', () => {
    const lines = selectLogLines(asLines(fixture('python-eaddrinuse.log'), 'app'));
    expect(lines.map((l) => [l.line, l.finding])).toEqual([[1, null], [2, null], [3, 'port-in-use']]);
  });
  it('keeps every bind failure and the latest exception head whole when the budget cuts older lines', () => {
    const long = `ERROR ${'x'.repeat(2000)}`;
    const raw: RawLogLine[] = [
      { text: `bind() to 0.0.0.0:80 failed (98: Address already in use) ${'y'.repeat(1500)}`, source: 'f', line: 1 },
      ...Array.from({ length: 100 }, (_, i) => ({ text: `ERROR request ${i} failed`, source: 'f', line: i + 2 })),
      { text: long, source: 'f', line: 102 },
      { text: `TypeError: ${'z'.repeat(1200)}`, source: 'f', line: 103 },
      { text: '    at handler (/srv/app.js:10:5)', source: 'f', line: 104 },
    ];
    const lines = selectLogLines(raw, { maxLines: 10 });
    expect(lines).toHaveLength(10);
    expect(lines[0]?.line).toBe(1);
    expect(lines[0]?.text).toBe(raw[0]?.text); // untruncated bind failure, although oldest
    expect(lines.find((l) => l.line === 103)?.text).toBe(raw[102]?.text); // untruncated latest exception head
    expect(lines.find((l) => l.line === 102)?.text).toHaveLength(501); // others are cut, with an ellipsis
    expect(lines.map((l) => l.line).slice(1)).toEqual([96, 97, 98, 99, 100, 101, 102, 103, 104]);
  });
  it('never exceeds the budget unless must-keep lines do, keeps order, never invents text (property)', () => {
    const line = fc.constantFrom('ok', 'ERROR boom', 'Error: listen EADDRINUSE :::1', '    at f (x.js:1:1)', 'WARN slow', 'Traceback (most recent call last):', '  File "a.py", line 1', 'ValueError: no');
    fc.assert(fc.property(fc.array(line, { maxLength: 80 }), fc.integer({ min: 1, max: 30 }), (texts, maxLines) => {
      const raw = texts.map((text, i) => ({ text, source: 's', line: i + 1 }));
      const selected = selectLogLines(raw, { maxLines });
      const bindCount = texts.filter((t) => t.includes('EADDRINUSE')).length;
      expect(selected.length).toBeLessThanOrEqual(Math.max(maxLines, bindCount + 1));
      expect(selected.filter((l) => l.finding === 'port-in-use')).toHaveLength(bindCount);
      const order = selected.map((l) => l.line ?? 0);
      expect(order).toEqual([...order].sort((a, b) => a - b));
      for (const l of selected) expect(l.text).toBe(texts[(l.line ?? 0) - 1]);
    }));
  });
});

describe('journal and docker parsing', () => {
  it('parseJournalJson decodes string and byte-array MESSAGEs, splits multi-line messages, skips null ones', () => {
    const lines = parseJournalJson(fixture('journal-sample.jsonl'), 'web.service');
    expect(lines).toEqual([
      { text: 'Starting web on port 41234', source: 'web.service', line: null },
      { text: 'Error: listen EADDRINUSE: address already in use 127.0.0.1:41234', source: 'web.service', line: null },
      { text: '    at Server.setupListenHandle [as _listen2] (node:net:1908:16)', source: 'web.service', line: null },
      { text: 'bind failed: permission denied \u001b[31m', source: 'web.service', line: null },
    ]);
  });
  it('parseJournalJson ignores garbage and partial lines', () => {
    expect(parseJournalJson('-- No entries --\n{"MESSAGE": 1}\n{broken\n', 'u')).toEqual([]);
  });
  it('dockerFailureReason explains the captured no-engine error', () => {
    expect(dockerFailureReason(fixture('docker-no-engine.stderr'), 'web')).toBe('the Docker engine is not running (docker logs could not connect to it)');
    expect(dockerFailureReason('Error response from daemon: No such container: web', 'web')).toBe('there is no container named web');
  });
});

describe('logErrorsFinding', () => {
  it('is null without relevant lines', () => {
    expect(logErrorsFinding({ lines: [], sources: [{ source: 'a.log', read: true, reason: '3 lines read' }] })).toBeNull();
  });
  it('lists the lines exactly as {text, source, line, finding} and links the fix to the bind failure', () => {
    const lines = selectLogLines(asLines(fixture('nginx-error.log'), '/var/log/nginx/error.log'));
    const finding = logErrorsFinding({ lines, sources: [{ source: '/var/log/nginx/error.log', read: true, reason: '6 lines read' }] });
    expect(finding?.code).toBe('log-errors');
    expect(finding?.severity).toBe('warning');
    expect(finding?.title).toBe('6 relevant log lines in /var/log/nginx/error.log: the server failed to bind');
    expect(finding?.fix).toMatch(/already in use/);
    const evidenceLines = finding?.evidence['lines'] as unknown[];
    expect(evidenceLines).toHaveLength(6);
    for (const l of evidenceLines) expect(Object.keys(l as object)).toEqual(['text', 'source', 'line', 'finding']);
    expect(evidenceLines[0]).toEqual({ text: fixture('nginx-error.log').split('\n')[0], source: '/var/log/nginx/error.log', line: 1, finding: 'port-in-use' });
    expect(evidenceLines[5]).toMatchObject({ line: 6, finding: null });
  });
});
