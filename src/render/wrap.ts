/** Word-wraps text to `width` columns, each line prefixed by `indent`. Long words are not split. */
export function wrap(text: string, width: number, indent = ''): string {
  const room = Math.max(width - indent.length, 20);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && line.length + 1 + word.length > room) {
        lines.push(indent + line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(indent + line);
  }
  return lines.join('\n');
}
