/**
 * Console output bytes → text. `netstat`, `tasklist`, `netsh` and `chcp` write in the console's
 * OEM code page (850 on a German or French Windows, 437 on a US one, 866 Russian, 936 Chinese),
 * not in UTF-8 and not in the ANSI code page. Node's TextDecoder follows the WHATWG encoding list,
 * which has ibm866, gbk, big5, shift_jis, euc-kr and the windows-125x pages but neither 437 nor
 * 850, so those two are tables here.
 *
 * The tables are bytes 0x80–0xFF as Python's `codecs` decodes them (`bytes(range(128, 256))
 * .decode('cp850')`); the tests check every byte against `iconv -f CP850` on the test machine.
 */

/** Bytes 0x80–0xFF of code page 437 (IBM PC, US English console). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒ' +
  'áíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐' +
  '└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00A0';

/** Bytes 0x80–0xFF of code page 850 (Western European console: de, fr, es, it, pt, nl, …). */
const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒ' +
  'áíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐' +
  '└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀' +
  'ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00AD±‗¾¶§÷¸°¨·¹³²■\u00A0';

const SINGLE_BYTE_TABLES: ReadonlyMap<number, string> = new Map([
  [437, CP437_HIGH],
  [850, CP850_HIGH],
]);

/** Windows code page numbers → WHATWG labels that TextDecoder knows. */
const TEXT_DECODER_LABELS: ReadonlyMap<number, string> = new Map([
  [65001, 'utf-8'],
  [1200, 'utf-16le'],
  [1201, 'utf-16be'],
  [866, 'ibm866'],
  [874, 'windows-874'],
  [932, 'shift_jis'],
  [936, 'gbk'],
  [949, 'euc-kr'],
  [950, 'big5'],
  [1250, 'windows-1250'],
  [1251, 'windows-1251'],
  [1252, 'windows-1252'],
  [1253, 'windows-1253'],
  [1254, 'windows-1254'],
  [1255, 'windows-1255'],
  [1256, 'windows-1256'],
  [1257, 'windows-1257'],
  [1258, 'windows-1258'],
  [20866, 'koi8-r'],
  [21866, 'koi8-u'],
  [54936, 'gb18030'],
]);

/** The code pages `decodeConsole` can decode. */
export const SUPPORTED_CODE_PAGES: readonly number[] = [...SINGLE_BYTE_TABLES.keys(), ...TEXT_DECODER_LABELS.keys()].sort((a, b) => a - b);

export type DecodedConsole =
  | {
      readonly ok: true;
      readonly text: string;
      /** What the bytes were read as: `cp850`, `gbk`, or `utf-16le` when a BOM decided it. */
      readonly encoding: string;
      /** U+FFFD characters in the text: bytes that were not valid in that encoding each became one. */
      readonly replacements: number;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Console bytes in the given Windows code page → text. A byte-order mark wins over the code
 * page: a file that PowerShell 5.1 redirected (`netstat -ano > file`) is UTF-16LE with a BOM
 * whatever `chcp` says, and PowerShell 7 writes UTF-8. The BOM is not part of the text.
 * An unknown code page gives no text (guessing would garble the very words we match).
 *
 * @example
 * decodeConsole(Uint8Array.of(0x41, 0x42, 0x48, 0x99, 0x52, 0x45, 0x4e), 850);
 * // { ok: true, text: 'ABHÖREN', encoding: 'cp850', replacements: 0 }
 * decodeConsole(Uint8Array.of(0x41), 852); // { ok: false, reason: 'code page 852 is not supported …' }
 */
export function decodeConsole(bytes: Uint8Array, codePage: number): DecodedConsole {
  const bom = byteOrderMark(bytes);
  if (bom !== null) return decodeWith(bom.label, bytes.subarray(bom.length));
  const table = SINGLE_BYTE_TABLES.get(codePage);
  if (table !== undefined) return { ok: true, text: decodeSingleByte(bytes, table), encoding: `cp${codePage}`, replacements: 0 };
  const label = TEXT_DECODER_LABELS.get(codePage);
  if (label === undefined) {
    return { ok: false, reason: `code page ${codePage} is not supported (supported: ${SUPPORTED_CODE_PAGES.join(', ')})` };
  }
  return decodeWith(label, bytes);
}

/**
 * The number in `chcp`'s answer, in any language: "Active code page: 850",
 * "Aktive Codepage: 850.", "活动代码页: 936". Null unless the text holds exactly one number.
 *
 * @example
 * parseChcp('Aktive Codepage: 850.\r\n'); // 850
 * parseChcp('');                          // null
 */
export function parseChcp(text: string): number | null {
  const numbers = text.match(/\d+/g);
  if (numbers === null || numbers.length !== 1) return null;
  const value = Number(numbers[0]);
  return value > 0 && value <= 65535 ? value : null;
}

function byteOrderMark(bytes: Uint8Array): { label: string; length: number } | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { label: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { label: 'utf-16be', length: 2 };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { label: 'utf-8', length: 3 };
  return null;
}

function decodeSingleByte(bytes: Uint8Array, high: string): string {
  const chars = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0;
    chars[i] = byte < 0x80 ? String.fromCharCode(byte) : (high[byte - 0x80] ?? '\uFFFD');
  }
  return chars.join('');
}

function decodeWith(label: string, bytes: Uint8Array): DecodedConsole {
  let text: string;
  try {
    // ignoreBOM: the BOM (if any) was removed above; a second one would be content.
    text = new TextDecoder(label, { fatal: false, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, reason: `this Node.js build cannot decode ${label} (built without full ICU?)` };
  }
  let replacements = 0;
  for (const char of text) if (char === '\uFFFD') replacements++;
  return { ok: true, text, encoding: label, replacements };
}
