import { readFile } from 'node:fs/promises';
import { errnoCode } from '../../errors.js';
import type { ServicesEntry, ServicesFileRead } from '../types.js';

export type { ServicesEntry, ServicesFileRead } from '../types.js';

/**
 * Parses services(5) text: `name port/protocol [aliases…] [# comment]`. Blank, comment-only and
 * malformed lines are skipped (a bad line must not hide the rest of the file).
 *
 * @example
 * parseEtcServices('ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n');
 * // [{ name: 'ssh', port: 22, protocol: 'tcp', aliases: [], comment: 'SSH Remote Login Protocol' }]
 */
export function parseEtcServices(text: string): ServicesEntry[] {
  const entries: ServicesEntry[] = [];
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const content = hash === -1 ? raw : raw.slice(0, hash);
    const comment = hash === -1 ? null : raw.slice(hash + 1).trim() || null;
    const [name, portProto, ...aliases] = content.split(/\s+/).filter((field) => field !== '');
    if (name === undefined || portProto === undefined) continue;
    const match = /^(\d{1,5})\/([a-z0-9-]+)$/i.exec(portProto);
    if (match === null) continue;
    const port = Number(match[1]);
    if (port > 65535) continue;
    entries.push({ name, port, protocol: (match[2] ?? '').toLowerCase(), aliases, comment });
  }
  return entries;
}

/**
 * Reads and parses /etc/services (or `path`). Never throws; minimal containers often lack the file.
 *
 * @example
 * const services = await readEtcServices('/etc/services');
 * if (services.ok) services.entries.filter((e) => e.port === 22);
 */
export async function readEtcServices(path: string): Promise<ServicesFileRead> {
  try {
    return { ok: true, path, entries: parseEtcServices(await readFile(path, 'utf8')) };
  } catch (error) {
    return { ok: false, path, code: errnoCode(error) ?? 'EIO' };
  }
}
