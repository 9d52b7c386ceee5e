/**
 * Process states from macOS ps: `ps -axo pid=,stat=` (no header), or any ps output whose header
 * names PID and STAT (`ps aux`). STAT is a letter (ps(1): I idle — sleeping longer than about 20
 * seconds, R runnable, S sleeping, T stopped, U uninterruptible wait, Z zombie) followed by
 * flags (`s` session leader, `+` foreground, `<` raised priority, `N`, `E`, `W`, `X`, …).
 */

/**
 * Reads pid → STAT. Lines that are not `pid stat` (or do not fit the header) are skipped.
 *
 * @example
 * parsePsState('    1 Ss\n  512 S\n 4242 T+\n').get(4242); // 'T+'
 */
export function parsePsState(text: string): Map<number, string> {
  const states = new Map<number, string>();
  let pidAt = 0;
  let statAt = 1;
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.includes('PID') && words.includes('STAT')) {
      pidAt = words.indexOf('PID');
      statAt = words.indexOf('STAT');
      continue;
    }
    const pid = words[pidAt];
    const stat = words[statAt];
    if (pid === undefined || stat === undefined || !/^\d+$/.test(pid) || !/^[A-Z][A-Za-z<>+]*$/.test(stat)) continue;
    states.set(Number(pid), stat);
  }
  return states;
}

/**
 * The one-letter state portdoctor reports (`ProcessInfo.state`, spelled as Linux's /proc/<pid>/stat
 * spells it, so every rule reads one vocabulary): macOS's idle `I` is sleeping (`S`), its
 * uninterruptible wait `U` is Linux's disk sleep `D`; `R`, `S`, `T`, `Z` are the same letters.
 * Anything else is `?`.
 *
 * @example
 * stateLetter('T+'); // 'T'
 * stateLetter('Is'); // 'S'
 */
export function stateLetter(stat: string): string {
  const letter = stat.charAt(0);
  if (letter === 'I') return 'S';
  if (letter === 'U') return 'D';
  return 'RSTZ'.includes(letter) && letter !== '' ? letter : '?';
}
