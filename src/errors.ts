/**
 * The one error class of the library. Expected negative answers (nothing listening, port busy,
 * rules unreadable) are values, not errors: a PortdoctorError means bad input, an unsupported
 * platform, or a failure that stops an answer from being given at all. `hint` tells the user
 * what to do next; the CLI prints `message` and `hint` on one or two lines and exits 2.
 */
export type ErrorCode =
  | 'bad-usage'
  | 'bad-port'
  | 'bad-target'
  | 'unsupported-platform'
  | 'permission-denied'
  | 'port-in-use'
  | 'needs-live-machine'
  | 'internal';

export class PortdoctorError extends Error {
  override readonly name = 'PortdoctorError';
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint ?? '';
  }
}

export function usageError(message: string, hint = ''): PortdoctorError {
  return new PortdoctorError('bad-usage', message, { hint });
}

/** Node's system errors carry a string `code` (ENOENT, EACCES, …); this reads it safely. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/**
 * True for a PortdoctorError, also one thrown by another copy of this module: the CLI ships each
 * command as a bundle of its own, so `instanceof` across them would miss.
 */
export function isPortdoctorError(error: unknown): error is PortdoctorError {
  return error instanceof Error && error.name === 'PortdoctorError' && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { hint?: unknown }).hint === 'string';
}
