/**
 * PostgreSQL frontend/backend protocol 3.0, just enough to name a server without logging in:
 * the SSLRequest (a yes/no question), a StartupMessage for a role that should not exist (the
 * server answers with an ErrorResponse, or asks for a password, which we never send), and a
 * reader for the backend messages that come back. Spec: PostgreSQL docs, "Message Formats".
 */

/** SSLRequest: int32 length 8, int32 code 80877103. Asks a question, opens no session. */
export const POSTGRES_SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** The role and database the startup message names: chosen not to exist, so nobody logs in. */
export const POSTGRES_PROBE_ROLE = 'portdoctor-probe';

/**
 * A protocol 3.0 StartupMessage for {@link POSTGRES_PROBE_ROLE}.
 *
 * @example
 * socket.write(postgresStartupMessage());
 */
export function postgresStartupMessage(): Buffer {
  const pairs = ['user', POSTGRES_PROBE_ROLE, 'database', POSTGRES_PROBE_ROLE, 'application_name', 'portdoctor'];
  const body = Buffer.concat([...pairs.map((text) => Buffer.from(`${text}\0`, 'utf8')), Buffer.from([0])]);
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(196608, 4);
  return Buffer.concat([header, body]);
}

/** The fields of an ErrorResponse that say what and where (`S`, `C`, `M`, `F`, `L`, `R`). */
export interface PostgresError {
  readonly severity: string;
  readonly code: string;
  readonly message: string;
  /** Source file, line and routine of the server that raised it (they differ between releases). */
  readonly file?: string;
  readonly line?: string;
  readonly routine?: string;
}

/** What the server said after the startup message. */
export interface PostgresStartupReply {
  readonly error?: PostgresError;
  /** The authentication the server asked for (`SCRAM-SHA-256`, `md5`, `password`, …), or `none` (trust). */
  readonly authentication?: string;
  /** `server_version` from a ParameterStatus (only sent after a successful login). */
  readonly serverVersion?: string;
}

/** Longest message worth waiting for before login: an ErrorResponse is a few hundred bytes. */
const MAX_STARTUP_MESSAGE = 64 * 1024;

/** True once a whole backend message is there (type byte + int32 length), or cannot be one. */
export function postgresMessageComplete(bytes: Buffer): boolean {
  if (bytes.length < 5) return false;
  const length = bytes.readInt32BE(1);
  return length < 4 || length > MAX_STARTUP_MESSAGE || bytes.length >= 1 + length;
}

const AUTH_NAMES: Readonly<Record<number, string>> = { 0: 'none', 2: 'Kerberos V5', 3: 'password', 5: 'md5', 7: 'GSSAPI', 9: 'SSPI' };

/**
 * Reads the backend messages after a StartupMessage; null when the first is not one PostgreSQL
 * sends at this point.
 *
 * @example
 * parsePostgresStartupReply(reply)?.error?.message; // → 'role "portdoctor-probe" does not exist'
 */
export function parsePostgresStartupReply(bytes: Buffer): PostgresStartupReply | null {
  let offset = 0;
  let reply: PostgresStartupReply = {};
  let recognised = false;
  // Each message is at least 5 bytes, so the loop is bounded by the input.
  while (offset + 5 <= bytes.length) {
    const type = String.fromCharCode(bytes[offset] ?? 0);
    const length = bytes.readInt32BE(offset + 1);
    if (length < 4 || offset + 1 + length > bytes.length) break;
    const body = bytes.subarray(offset + 5, offset + 1 + length);
    offset += 1 + length;
    if (type === 'E') {
      const error = parseErrorFields(body);
      if (error === null) return recognised ? reply : null;
      reply = { ...reply, error };
    } else if (type === 'R' && body.length >= 4) {
      const code = body.readInt32BE(0);
      const authentication = code === 10 ? saslMechanisms(body.subarray(4)) : AUTH_NAMES[code];
      if (authentication === undefined) return recognised ? reply : null;
      reply = { ...reply, authentication };
    } else if (type === 'S') {
      const [name, value] = body.toString('utf8').split('\0');
      if (name === 'server_version' && value !== undefined) reply = { ...reply, serverVersion: value };
    } else if (type !== 'v' && type !== 'K' && type !== 'Z' && type !== 'N') {
      return recognised ? reply : null;
    }
    recognised = true;
  }
  return recognised ? reply : null;
}

function saslMechanisms(body: Buffer): string {
  return body
    .toString('utf8')
    .split('\0')
    .filter((name) => name !== '')
    .join(' ');
}

/** ErrorResponse fields: a type byte, a NUL-terminated string, …, a final NUL. */
export function parseErrorFields(body: Buffer): PostgresError | null {
  const fields = new Map<string, string>();
  let offset = 0;
  while (offset < body.length && body[offset] !== 0) {
    const end = body.indexOf(0, offset + 1);
    if (end === -1) return null;
    fields.set(String.fromCharCode(body[offset] ?? 0), body.toString('utf8', offset + 1, end));
    offset = end + 1;
  }
  const severity = fields.get('V') ?? fields.get('S');
  const message = fields.get('M');
  if (severity === undefined || message === undefined) return null;
  const file = fields.get('F');
  const line = fields.get('L');
  const routine = fields.get('R');
  return {
    severity,
    code: fields.get('C') ?? '',
    message,
    ...(file === undefined ? {} : { file }),
    ...(line === undefined ? {} : { line }),
    ...(routine === undefined ? {} : { routine }),
  };
}
