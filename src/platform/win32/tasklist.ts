/**
 * `tasklist /FO CSV /NH` → processes. Each line is a CSV record of quoted fields:
 * `"Image Name","PID","Session Name","Session#","Mem Usage"` (five fields; `/V` adds status,
 * user, CPU time and window title, which we ignore). The heading row is there without `/NH`
 * and is localised; it is recognised by its PID field not being a number. Memory stays the text
 * tasklist wrote (`"55,928 K"`, `"8.192 K"`, `"N/A"`): its digit grouping is localised and
 * nothing here needs the number.
 */

export interface TasklistProcess {
  readonly name: string;
  readonly pid: number;
  readonly sessionName: string;
  readonly sessionNumber: number;
  /** As written, e.g. `55,928 K`, `N/A`. */
  readonly memory: string;
}

export interface TasklistParse {
  readonly processes: readonly TasklistProcess[];
  /** One sentence per record that could not be read (with its line number). */
  readonly problems: readonly string[];
}

const NUMBER_TEXT = /^\d{1,10}$/;

/**
 * Parses `tasklist /FO CSV [/NH] [/V]` output. An `INFO: …` line (no process matched a filter,
 * localised) gives no processes and no problem.
 *
 * @example
 * parseTasklistCsv('"node.exe","4242","Console","1","52,300 K"\r\n').processes[0];
 * // { name: 'node.exe', pid: 4242, sessionName: 'Console', sessionNumber: 1, memory: '52,300 K' }
 */
export function parseTasklistCsv(text: string): TasklistParse {
  const processes: TasklistProcess[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n|\r/);
  let firstRecord = true;
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (!line.startsWith('"')) continue; // blank lines and INFO:/ERROR: messages
    const isFirst = firstRecord;
    firstRecord = false;
    const fields = splitCsvRecord(line);
    if (fields === null) {
      problems.push(`line ${index + 1}: unbalanced quotes`);
      continue;
    }
    if (fields.length < 5) {
      problems.push(`line ${index + 1}: ${fields.length} fields, tasklist writes at least 5`);
      continue;
    }
    const [name = '', pidText = '', sessionName = '', sessionText = '', memory = ''] = fields;
    if (isFirst && !NUMBER_TEXT.test(pidText)) continue; // the heading row (no /NH)
    if (!NUMBER_TEXT.test(pidText) || !NUMBER_TEXT.test(sessionText)) {
      problems.push(`line ${index + 1}: PID "${pidText}" or session "${sessionText}" is not a number`);
      continue;
    }
    processes.push({ name, pid: Number(pidText), sessionName, sessionNumber: Number(sessionText), memory });
  }
  return { processes, problems };
}

/**
 * One CSV record → its fields; quotes are doubled inside quoted fields (`""`). Null when a quote
 * is not closed. Unquoted fields are allowed (other CSV writers), tasklist quotes all of them.
 *
 * @example
 * splitCsvRecord('"a ""b""",c'); // ['a "b"', 'c']
 */
export function splitCsvRecord(line: string): string[] | null {
  const fields: string[] = [];
  let index = 0;
  for (;;) {
    let field = '';
    if (line[index] === '"') {
      index++;
      for (;;) {
        const quote = line.indexOf('"', index);
        if (quote === -1) return null;
        field += line.slice(index, quote);
        index = quote + 1;
        if (line[index] !== '"') break;
        field += '"';
        index++;
      }
      if (index < line.length && line[index] !== ',') return null;
    } else {
      const comma = line.indexOf(',', index);
      const end = comma === -1 ? line.length : comma;
      field = line.slice(index, end);
      index = end;
    }
    fields.push(field);
    if (index >= line.length) return fields;
    index++; // the comma
  }
}
