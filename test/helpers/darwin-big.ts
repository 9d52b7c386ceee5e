import { parseNetstat } from '../../src/platform/darwin/netstat.js';
import { darwinFixture, toNulTerminated } from './darwin-fixtures.js';
import { formatNetstat, recordedRow, type FormatOptions, type FormatRow } from './darwin-netstat-format.js';

/**
 * Inputs of macOS's size at its busiest: 2,000 sockets of netstat, lsof and ps text, in the shapes
 * of the recorded outputs (test/fixtures/darwin), with ports and pids varied. For speed tests only.
 */
export const SOCKETS = 2000;

/** 2,000 netstat rows in the shapes of the recorded macOS 26 rows (names, dual stack, IPv6), ports and pids varied. */
export function bigNetstat(): string {
  const options: FormatOptions = { version: 'process-730', verbose: true, long: true };
  const templates: FormatRow[] = [];
  for (const file of ['netstat-tcp-process-pid-macos26-portglimpse.txt', 'netstat-anvl-tcp-process-pid-derived.txt', 'netstat-anvl-udp-process-pid-derived.txt']) {
    const text = darwinFixture(file);
    const lines = text.split('\n').slice(2);
    parseNetstat(text).rows.forEach((row, i) => templates.push(recordedRow(lines[i] ?? '', row, 'process-730', true)));
  }
  const rows = Array.from({ length: SOCKETS }, (_, i) => {
    const t = templates[i % templates.length] as FormatRow;
    return { ...t, local: { ...t.local, port: 1024 + i }, pid: 100 + (i % 700) };
  });
  return formatNetstat(rows, options);
}

/** 2,000 sockets of `lsof -F0`, 4 per process, in the field shapes of the recorded `-F` outputs. */
export function bigLsof(): string {
  const lines: string[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    if (i % 4 === 0) lines.push(`p${100 + i / 4}`, `g${100 + i / 4}`, 'R1', `cCode Helper (Plugin) ${i}`, 'u501', 'Lagent');
    const v6 = i % 3 === 0;
    lines.push(`f${10 + (i % 4)}`, v6 ? 'tIPv6' : 'tIPv4', i % 5 === 0 ? 'PUDP' : 'PTCP', v6 ? `n[::1]:${1024 + i}` : `n127.0.0.1:${1024 + i}->127.0.0.1:${40000 + i}`);
    if (i % 5 !== 0) lines.push(v6 ? 'TST=LISTEN' : 'TST=ESTABLISHED', 'TQR=0', 'TQS=0');
  }
  return toNulTerminated(`${lines.join('\n')}\n`);
}

/**
 * `ps -axww -o pid=,ppid=,uid=,user=,lstart=,args=` for the 700 pids above, the commands taken in
 * turn from the recorded `ps -axo pid,lstart,command` of a development Mac.
 */
export function bigPs(): string {
  const commands = darwinFixture('ps-axo-pid-lstart-command-dev-mac.txt')
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^\s*\d+\s+\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+\s+/, ''));
  return Array.from({ length: 700 }, (_, i) => `${String(100 + i).padStart(5)}     1   501 agent    Wed Jul 29 05:12:03 2026     ${commands[i % commands.length] ?? ''}`).join('\n') + '\n';
}
