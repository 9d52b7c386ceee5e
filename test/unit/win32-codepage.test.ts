import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeConsole, parseChcp, SUPPORTED_CODE_PAGES } from '../../src/platform/win32/codepage.js';
import { parseNetstat } from '../../src/platform/win32/netstat.js';
import { win32Fixture } from './win32-fixtures.js';

/** `iconv` converts text between encodings on this machine: an implementation independent of ours. */
function iconv(input: Uint8Array, from: string, to: string): Buffer | null {
  const result = spawnSync('iconv', ['-f', from, '-t', to], { input, maxBuffer: 16 * 1024 * 1024 });
  return result.status === 0 ? result.stdout : null;
}

const iconvKnows = (encoding: string): boolean => iconv(Buffer.from('A'), 'UTF-8', encoding) !== null;
const ICONV_OEM = iconvKnows('CP850') && iconvKnows('CP437') && iconvKnows('CP866') && iconvKnows('GBK');
if (!ICONV_OEM) console.warn('win32-codepage: iconv with CP437/CP850/CP866/GBK is missing, the comparisons with it are skipped');

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, byte) => byte);

describe('decodeConsole: the OEM tables against iconv', () => {
  it.skipIf(!ICONV_OEM).each([437, 850])('code page %i decodes every byte as iconv does (skipped without iconv)', (codePage) => {
    const ours = decodeConsole(ALL_BYTES, codePage);
    const theirs = iconv(ALL_BYTES, `CP${codePage}`, 'UTF-8');
    expect(ours.ok && theirs !== null).toBe(true);
    if (!ours.ok || theirs === null) return;
    expect([...ours.text]).toEqual([...theirs.toString('utf8')]);
    expect(ours.replacements).toBe(0);
  });
});

describe('decodeConsole on recorded text, written back in the console code page', () => {
  // No recording of netstat's own OEM bytes exists (test/fixtures/win32/SOURCES.md): iconv turns
  // the real localised text into the bytes a German/French/Spanish (850), Russian (866) or
  // Chinese (936) console writes, and the decoder must give back the very same text and rows.
  it.skipIf(!ICONV_OEM).each([
    { file: 'netstat-ano.de.utf16le.txt', codePage: 850, encoding: 'CP850', word: 'ABHÖREN' },
    { file: 'netstat-ano.fr.utf16le.txt', codePage: 850, encoding: 'CP850', word: 'État' },
    { file: 'netstat-ano.es.utf16le.txt', codePage: 850, encoding: 'CP850', word: 'Dirección' },
    { file: 'netstat-ano.ru.utf8.txt', codePage: 866, encoding: 'CP866', word: 'Активные подключения' },
    { file: 'netstat-ano.zh.find-process.txt', codePage: 936, encoding: 'GBK', word: '活动连接' },
  ])('$file as code page $codePage (skipped without iconv)', ({ file, codePage, encoding, word }) => {
    const text = win32Fixture(file);
    const oem = iconv(Buffer.from(text, 'utf8'), 'UTF-8', encoding);
    expect(oem).not.toBeNull();
    if (oem === null) return;
    expect(oem.includes(Buffer.from(word, 'utf8'))).toBe(false); // really another encoding
    const decoded = decodeConsole(oem, codePage);
    expect(decoded).toEqual({ ok: true, text, encoding: codePage === 850 ? 'cp850' : codePage === 866 ? 'ibm866' : 'gbk', replacements: 0 });
    expect(parseNetstat(decoded.ok ? decoded.text : '')).toEqual(parseNetstat(text));
  });

  it('a wrong code page garbles the words but not the rows: structure survives', () => {
    // The German recording as Latin-1 bytes read as code page 437: every Ö of ABHÖREN (0xD6)
    // comes out as a box-drawing character. The rows are read by shape, so they are the same.
    const text = win32Fixture('netstat-ano.de.utf16le.txt');
    const latin = Buffer.from(text, 'latin1');
    const asCp437 = decodeConsole(latin, 437);
    expect(asCp437.ok).toBe(true);
    if (!asCp437.ok) return;
    expect(asCp437.text).not.toContain('ABHÖREN');
    expect(parseNetstat(asCp437.text).rows.map((row) => `${row.protocol} ${row.address}:${row.port} ${row.pid}`)).toEqual(
      parseNetstat(text).rows.map((row) => `${row.protocol} ${row.address}:${row.port} ${row.pid}`),
    );
  });
});

describe('decodeConsole: byte-order marks, other pages, failures', () => {
  it('a BOM wins over the code page: PowerShell 5.1 redirects are UTF-16LE whatever chcp says', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('ABHÖREN', 'utf16le')]);
    expect(decodeConsole(utf16, 850)).toEqual({ ok: true, text: 'ABHÖREN', encoding: 'utf-16le', replacements: 0 });
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('État', 'utf8')]);
    expect(decodeConsole(utf8, 437)).toEqual({ ok: true, text: 'État', encoding: 'utf-8', replacements: 0 });
  });

  it('decodes the pages TextDecoder knows (866, 936, 65001)', () => {
    expect(decodeConsole(Uint8Array.of(0x8f, 0xe0, 0xae, 0xe1, 0xab, 0xe3, 0xe8, 0xa8, 0xa2, 0xa0, 0xad, 0xa8, 0xa5), 866)).toMatchObject({ ok: true, text: 'Прослушивание' });
    expect(decodeConsole(Buffer.from('活动连接', 'utf8'), 65001)).toMatchObject({ ok: true, text: '活动连接' });
  });

  it('counts bytes that are not valid in the code page', () => {
    expect(decodeConsole(Uint8Array.of(0x41, 0xff, 0x42), 65001)).toEqual({ ok: true, text: 'A\uFFFDB', encoding: 'utf-8', replacements: 1 });
  });

  it('gives no text for a code page it does not know', () => {
    const result = decodeConsole(Uint8Array.of(0x41), 852);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('code page 852 is not supported');
    expect(SUPPORTED_CODE_PAGES).toContain(850);
    expect(SUPPORTED_CODE_PAGES).not.toContain(852);
  });

  it('decodes printable ASCII, tab and line ends the same in every page netstat output meets', () => {
    // Not all of 0x00–0x7F: ICU's ibm866 swaps the controls 0x1A, 0x1C and 0x7F (IBM's PC
    // mapping). netstat never writes those.
    const ascii = Uint8Array.from([9, 10, 13, ...Array.from({ length: 95 }, (_, index) => 0x20 + index)]);
    const expected = String.fromCharCode(...ascii);
    for (const codePage of [437, 850, 866, 1252, 65001]) expect(decodeConsole(ascii, codePage)).toMatchObject({ ok: true, text: expected });
  });
});

describe('parseChcp', () => {
  it('takes the one number, whatever the language around it', () => {
    expect(parseChcp('Active code page: 850\r\n')).toBe(850);
    expect(parseChcp('Aktive Codepage: 850.\r\n')).toBe(850);
    expect(parseChcp('活动代码页: 936\r\n')).toBe(936);
  });

  it('gives no answer for no number, two numbers, or a number that is no code page', () => {
    for (const text of ['', 'Parameter format not correct', 'code page 850 or 437', 'Active code page: 0', 'Active code page: 70000']) expect(parseChcp(text)).toBeNull();
  });
});
