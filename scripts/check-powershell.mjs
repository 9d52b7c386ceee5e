#!/usr/bin/env node
// On Windows (CI): asks PowerShell's own parser whether the sockets script the win32 back-end runs
// is valid, so a typo there fails CI instead of a user's `portdoctor who`. Needs `npm run build`.
import { spawnSync } from 'node:child_process';

const { POWERSHELL_SOCKETS_SCRIPT } = await import(new URL('../dist/platform/win32/powershell.js', import.meta.url).href);
const encoded = Buffer.from(POWERSHELL_SOCKETS_SCRIPT, 'utf16le').toString('base64');
const check = `$errors = $null; [void][System.Management.Automation.Language.Parser]::ParseInput([Text.Encoding]::Unicode.GetString([Convert]::FromBase64String('${encoded}')), [ref]$null, [ref]$errors); $errors.Count`;
const result = spawnSync('pwsh', ['-NoProfile', '-NonInteractive', '-Command', check], { encoding: 'utf8' });
if (result.status !== 0 || result.stdout.trim() !== '0') {
  console.error(`The PowerShell sockets script does not parse:\n${result.stdout}${result.stderr}`);
  process.exit(1);
}
console.log('The PowerShell sockets script parses.');
