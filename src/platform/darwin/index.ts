import { PortdoctorError } from '../../errors.js';
import type { Snapshot } from '../snapshot/format.js';
import type { Platform, PlatformOrigin } from '../types.js';

/** The macOS back-end. */
export function createDarwinPlatform(_snapshot?: Snapshot, _origin?: PlatformOrigin): Platform {
  throw new PortdoctorError('unsupported-platform', 'The macOS back-end is not available in this build.', { hint: 'Linux is supported; macOS support is being built.' });
}
