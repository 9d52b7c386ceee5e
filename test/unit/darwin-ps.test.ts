import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLstart, parsePs } from '../../src/platform/darwin/ps.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';

describe('ps recorded on macOS', () => {
  it('`ps -o pid,lstart,command` (header; a space-padded day)', () => {
    const result = parsePs(darwinFixture('ps-o-pid-lstart-command-espanso.txt'));
    expect(result.problems).toEqual([]);
    expect(result.processes).toEqual([
      {
        pid: 1899,
        ppid: null,
        uid: null,
        user: null,
        lstart: 'Mon Aug 24 16:50:17 2026',
        start: { year: 2026, month: 8, day: 24, hour: 16, minute: 50, second: 17 },
        command: '/Applications/Espanso.app/Contents/MacOS/espanso launcher',
      },
      {
        pid: 2251,
        ppid: null,
        uid: null,
        user: null,
        lstart: 'Mon Aug 24 16:50:23 2026',
        start: { year: 2026, month: 8, day: 24, hour: 16, minute: 50, second: 23 },
        command: '/Applications/Espanso.app/Contents/MacOS/espanso daemon',
      },
      {
        pid: 92631,
        ppid: null,
        uid: null,
        user: null,
        lstart: 'Mon Sep 7 14:55:26 2026',
        start: { year: 2026, month: 9, day: 7, hour: 14, minute: 55, second: 26 },
        command: '/Applications/Espanso.app/Contents/MacOS/espanso worker --monitor-daemon --start-reason manual_restart',
      },
    ]);
  });

  it('`ps -axo pid,lstart,command`: commands with spaces, parentheses and quotes are kept whole', () => {
    const result = parsePs(darwinFixture('ps-axo-pid-lstart-command-dev-mac.txt'));
    expect(result.problems).toEqual([]);
    expect(result.processes.map((p) => [p.pid, p.lstart, p.command])).toEqual([
      [1, 'Wed Jul 22 20:53:25 2026', '/sbin/launchd'],
      [11941, 'Wed Jul 29 05:12:03 2026', 'claude'],
      [32011, 'Wed Jul 29 05:40:11 2026', '/Users/x/.local/bin/codex exec --full-auto'],
      [26924, 'Tue Jul 28 22:59:22 2026', '/Users/x/.vscode/extensions/openai.chatgpt-26.721.41059-darwin-arm64/bin/macos-aarch64/codex -c features.code_mode_host=true app-server --analytics-default-enabled'],
      [52854, 'Wed Jul 29 03:38:41 2026', '/Applications/ChatGPT.app/Contents/Resources/codex -c features.code_mode_host=true app-server --analytics-default-enabled'],
      [52674, 'Wed Jul 29 03:38:39 2026', '/Applications/ChatGPT.app/Contents/Frameworks/Codex Framework.framework/Versions/150.0.7871.128/Helpers/Codex (Service).app/Contents/MacOS/Codex (Service) --type=gpu-process'],
      [48539, 'Tue Jul 28 23:18:13 2026', '/Applications/Claude Science.app/Contents/MacOS/ClaudeScience'],
      [51280, 'Tue Jul 28 23:20:08 2026', '/Users/x/.claude-science/bin/claude-science serve --app --port 8765'],
      [63346, 'Tue Jul 28 23:31:02 2026', '/Applications/Claude.app/Contents/MacOS/Claude'],
      [53116, 'Wed Jul 29 05:55:00 2026', `/usr/bin/ssh -T -v -o BatchMode=yes macmini sh -c 'PATH="$HOME/.local/bin:$PATH"; codex app-server proxy'`],
      [16637, 'Wed Jul 29 06:00:30 2026', 'ugrep -G --hidden -i claude\\|codex'],
      [16630, 'Wed Jul 29 06:00:30 2026', "/bin/zsh -c eval 'ps -axo pid,lstart,command' && echo claude"],
      [9001, 'Wed Jul 29 05:59:00 2026', 'omnitoken agent -config /etc/omnitoken/agent.json'],
    ]);
    expect(result.processes.every((p) => p.start !== null)).toBe(true);
  });
});

describe('lstart', () => {
  it('reads C-locale text and rejects a weekday that does not belong to the date', () => {
    expect(parseLstart('Mon Sep  7 14:55:26 2026')).toEqual({ year: 2026, month: 9, day: 7, hour: 14, minute: 55, second: 26 });
    expect(parseLstart('Tue Sep  7 14:55:26 2026')).toBeNull();
    expect(parseLstart('Mon Feb 30 14:55:26 2026')).toBeNull();
    expect(parseLstart('Mon Sep  7 24:55:26 2026')).toBeNull();
  });

  it('a start time in another locale (recorded in a Korean session: `2026년 9월 6일 일요일 23시 59분 26초`) is refused, not misread', () => {
    const line = '14879     1   501 someone 2026년 9월 6일 일요일 23시 59분 26초 /usr/bin/python3 -m uvicorn';
    const result = parsePs(line);
    expect(result.processes).toEqual([]);
    expect(result.problems.join(' ')).toMatch(/LC_ALL=C/);
  });

  it('the `pid= ppid= uid= user= lstart= args=` line portdoctor asks for', () => {
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const startArb = fc.date({ min: new Date(Date.UTC(1990, 0, 1)), max: new Date(Date.UTC(2090, 0, 1)), noInvalidDate: true });
    const argsArb = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 80 }).filter((s) => s.trim() === s);
    fc.assert(
      fc.property(fc.nat({ max: 99999 }), fc.nat({ max: 99999 }), fc.nat({ max: 4294967294 }), fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/), startArb, argsArb, (pid, ppid, uid, user, date, args) => {
        const pad = (n: number): string => String(n).padStart(2, '0');
        // strftime %c in the C locale: "%a %b %e %H:%M:%S %Y" (day space-padded).
        const lstart = `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${String(date.getUTCDate()).padStart(2)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} ${date.getUTCFullYear()}`;
        const line = `${String(pid).padStart(5)} ${String(ppid).padStart(5)} ${String(uid).padStart(5)} ${user.padEnd(16)} ${lstart}     ${args}`;
        const [process] = parsePs(line).processes;
        expect(process).toEqual({
          pid,
          ppid,
          uid,
          user,
          lstart: lstart.replace(/\s+/g, ' '),
          start: { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds() },
          command: args,
        });
      }),
      { numRuns: 300 },
    );
  });

  it('unreadable lines are named, not guessed', () => {
    const result = parsePs('  PID STARTED COMMAND\nabc Mon Sep  7 14:55:26 2026 x\n  12 Mon Sep  7\n');
    expect(result.processes).toEqual([]);
    expect(result.problems).toHaveLength(3);
  });
});
