import { PortdoctorError } from '../../errors.js';
import type { Snapshot } from '../snapshot/format.js';
import type { Platform, PlatformOrigin } from '../types.js';

/** The Windows back-end. */
export function createWin32Platform(_snapshot?: Snapshot, _origin?: PlatformOrigin): Platform {
  throw new PortdoctorError('unsupported-platform', 'The Windows back-end is not available in this build.', { hint: 'Linux is supported; Windows support is being built.' });
}
