import { PortdoctorError } from '../errors.js';
import type { PlatformBackend } from './types.js';

let backend: Promise<PlatformBackend> | undefined;

/**
 * The back-end for this OS, chosen once. The only place that reads process.platform. Other
 * platforms get a clear error instead of wrong answers until their back-ends exist.
 */
export function platform(): Promise<PlatformBackend> {
  backend ??= loadBackend();
  return backend;
}

async function loadBackend(): Promise<PlatformBackend> {
  if (process.platform === 'linux') {
    const { listSocketsLinux } = await import('./linux/list-sockets.js');
    return { name: 'linux', listSockets: listSocketsLinux };
  }
  throw new PortdoctorError('unsupported-platform', `portdoctor does not support ${process.platform} yet; Linux is the first platform.`, {
    hint: 'macOS and Windows support is planned; until then use lsof (macOS) or netstat -ano (Windows).',
  });
}
