import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTasklistCsv, splitCsvRecord } from '../../src/platform/win32/tasklist.js';
import { win32Fixture } from './win32-fixtures.js';

describe('parseTasklistCsv on recorded tasklist output', () => {
  it('tasklist /FO CSV: skips the heading row and reads the 382 processes under it', () => {
    const text = win32Fixture('tasklist-fo-csv.en.txt');
    const { processes, problems } = parseTasklistCsv(text);
    expect(problems).toEqual([]);
    expect(processes).toHaveLength(382); // 383 quoted lines, the first is "Image Name","PID",…
    expect(processes[0]).toEqual({ name: 'System Idle Process', pid: 0, sessionName: 'Services', sessionNumber: 0, memory: '8 K' });
    expect(processes.find((process) => process.pid === 4)).toEqual({ name: 'System', pid: 4, sessionName: 'Services', sessionNumber: 0, memory: '3,784 K' });
    expect(processes.find((process) => process.pid === 12320)).toEqual({ name: 'Docker for Windows.exe', pid: 12320, sessionName: 'Console', sessionNumber: 2, memory: '24,036 K' });
    expect(processes.find((process) => process.pid === 13516)).toEqual({ name: 'vmmem', pid: 13516, sessionName: 'Services', sessionNumber: 0, memory: 'N/A' });
    expect(processes.at(-1)).toEqual({ name: 'tasklist.exe', pid: 34712, sessionName: 'Console', sessionNumber: 2, memory: '7,528 K' });
  });

  it('tasklist /V /FO CSV: nine columns, the first five read, user names with spaces ignored', () => {
    const { processes, problems } = parseTasklistCsv(win32Fixture('tasklist-v-fo-csv.en.utf16le.txt'));
    expect(problems).toEqual([]);
    expect(processes).toHaveLength(225);
    expect(processes.find((process) => process.pid === 6788)).toEqual({ name: 'Cubase13.exe', pid: 6788, sessionName: 'Console', sessionNumber: 2, memory: '562,816 K' });
  });

  it('reads the same with /NH (no heading) and with CRLF', () => {
    const text = win32Fixture('tasklist-fo-csv.en.txt');
    const withoutHeading = text.split('\n').slice(1).join('\r\n');
    expect(parseTasklistCsv(withoutHeading)).toEqual(parseTasklistCsv(text));
  });
});

describe('parseTasklistCsv edge cases', () => {
  it('gives no processes and no problem when nothing matched a filter', () => {
    expect(parseTasklistCsv('INFO: No tasks are running which match the specified criteria.\r\n')).toEqual({ processes: [], problems: [] });
    expect(parseTasklistCsv('')).toEqual({ processes: [], problems: [] });
  });

  it('keeps quotes and commas inside names', () => {
    expect(parseTasklistCsv('"a, ""b"".exe","42","Console","1","1,024 K"\n').processes).toEqual([{ name: 'a, "b".exe', pid: 42, sessionName: 'Console', sessionNumber: 1, memory: '1,024 K' }]);
  });

  it('refuses records it cannot read whole, and says which line', () => {
    const text = ['"ok.exe","1","Console","1","8 K"', '"cut.exe","2","Console', '"few.exe","3"', '"bad.exe","x","Console","1","8 K"'].join('\n');
    const { processes, problems } = parseTasklistCsv(text);
    expect(processes.map((process) => process.name)).toEqual(['ok.exe']);
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['line 2', 'line 3', 'line 4']);
  });
});

describe('splitCsvRecord', () => {
  it('round-trips any fields written the way tasklist quotes them', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 9 }), (fields) => {
        fc.pre(fields.every((field) => !/[\r\n]/.test(field)));
        const line = fields.map((field) => `"${field.replace(/"/g, '""')}"`).join(',');
        expect(splitCsvRecord(line)).toEqual(fields);
      }),
    );
  });

  it('refuses an unclosed quote or text after a closing quote', () => {
    expect(splitCsvRecord('"a')).toBeNull();
    expect(splitCsvRecord('"a"b,"c"')).toBeNull();
  });
});
