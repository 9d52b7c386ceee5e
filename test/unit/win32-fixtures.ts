import { readFileSync } from 'node:fs';
import { decodeConsole } from '../../src/platform/win32/codepage.js';

/** The bytes of a recorded Windows output in test/fixtures/win32 (see SOURCES.md there). */
export function win32FixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/win32/${name}`, import.meta.url));
}

/**
 * A recorded output as text, decoded the way the back-end will: UTF-16LE files carry a BOM,
 * the others were saved as UTF-8 (code page 65001).
 */
export function win32Fixture(name: string): string {
  const decoded = decodeConsole(win32FixtureBytes(name), 65001);
  if (!decoded.ok) throw new Error(`${name}: ${decoded.reason}`);
  if (decoded.replacements !== 0) throw new Error(`${name}: ${decoded.replacements} bytes were not valid ${decoded.encoding}`);
  return decoded.text;
}

/** The recorded `netstat -ano` outputs, with the language each is in. */
export const NETSTAT_FIXTURES = [
  { file: 'netstat-ano.en.new-crm.txt', language: 'English' },
  { file: 'netstat-ano.en.cpp-firewall.txt', language: 'English' },
  { file: 'netstat-ano-findstr.en.utf16le.txt', language: 'English (rows only)' },
  { file: 'netstat-ano.de.utf16le.txt', language: 'German' },
  { file: 'netstat-ano.fr.utf16le.txt', language: 'French' },
  { file: 'netstat-ano.es.utf16le.txt', language: 'Spanish' },
  { file: 'netstat-ano.ru.utf8.txt', language: 'Russian' },
  { file: 'netstat-ano.zh.find-process.txt', language: 'Chinese' },
] as const;
