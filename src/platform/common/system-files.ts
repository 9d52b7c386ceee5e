import type { SourceReader } from '../snapshot/reader.js';
import type { HostsFileRead, ServicesFileRead } from '../types.js';
import { parseEtcServices } from './etc-services.js';
import { parseHostsFile } from './hosts-file.js';

/**
 * The hosts file through a back-end's reader (snapshot key `hosts`). A path the caller names (a
 * test's copy) is read from this machine: a snapshot only holds the OS's own file.
 */
export async function readHostsThrough(reader: SourceReader, defaultPath: string, path?: string): Promise<HostsFileRead> {
  const read = await reader.file(path === undefined ? 'hosts' : `file:${path}`, path ?? defaultPath);
  return read.ok ? { ok: true, path: path ?? defaultPath, entries: parseHostsFile(read.text) } : { ok: false, path: path ?? defaultPath, code: read.code };
}

/** The services database through a back-end's reader (snapshot key `services`). */
export async function readServicesThrough(reader: SourceReader, defaultPath: string, path?: string): Promise<ServicesFileRead> {
  const read = await reader.file(path === undefined ? 'services' : `file:${path}`, path ?? defaultPath);
  return read.ok ? { ok: true, path: path ?? defaultPath, entries: parseEtcServices(read.text) } : { ok: false, path: path ?? defaultPath, code: read.code };
}
