/**
 * What one log line is. Plain regular expressions over one line: log formats are too many for a
 * grammar, and a wrong guess only changes which lines are shown, never what they say.
 */
export interface LineClass {
  /** A failure to bind or listen (EADDRINUSE, EACCES, EADDRNOTAVAIL and their wordings). */
  readonly bindFailure: boolean;
  /** The finding a bind failure is evidence for, or null. */
  readonly finding: string | null;
  /** An error-looking line (ERROR, FATAL, Exception, failed, …). */
  readonly error: boolean;
  /** A stack frame (`    at f (file:1:2)`, `  File "x.py", line 3`, `Caused by:`, `... 5 more`). */
  readonly frame: boolean;
}

const IN_USE = /EADDRINUSE|address already in use|address in use/i;
const DENIED = /EACCES|permission denied/i;
const NOT_AVAILABLE = /EADDRNOTAVAIL|cannot assign requested address|address not available/i;
/** accept() at the descriptor limit (Node's "accept EMFILE", Python's "[Errno 24] Too many open files", nginx's "(24: Too many open files)"): an error line, the evidence of fd-limit. */
const FD_EXHAUSTED = /\bEMFILE\b|too many open files/i;
const BIND_CONTEXT = /\b(listen|bind|bind\(\)|port|socket|server)\b/i;
const ERROR = /\b(error|err|fatal|panic|critical|crit|emerg|alert|exception|traceback|failed|failure|uncaught|unhandled|refused|segmentation fault)\b|\w(Error|Exception)\b/i;
const FRAME = /^\s+at\s|^\s+File "[^"]*", line \d+|^\s*Caused by:|^\s*\.\.\. \d+ more|^\s+from\s\S+:\d+|^\s*goroutine \d+ \[|^\s+\S+\.go:\d+|^Emitted '\w+' event on .* at:$/;

/**
 * Which finding a bind failure links to:
 * EADDRINUSE → `port-in-use`; EACCES/"permission denied" on a bind or listen → `privileged-port`;
 * EADDRNOTAVAIL → `listening-other-address` (the server was told to use an address this host
 * does not have, so it is not where clients look). See docs/findings/log-errors.md.
 *
 * @example
 * classifyLogLine("Error: listen EADDRINUSE: address already in use :::3000").finding // 'port-in-use'
 */
export function classifyLogLine(text: string): LineClass {
  const inUse = IN_USE.test(text);
  const denied = DENIED.test(text);
  const notAvailable = NOT_AVAILABLE.test(text);
  const fdExhausted = FD_EXHAUSTED.test(text);
  const finding = inUse ? 'port-in-use' : notAvailable ? 'listening-other-address' : denied && BIND_CONTEXT.test(text) ? 'privileged-port' : null;
  return {
    bindFailure: inUse || denied || notAvailable,
    finding,
    error: fdExhausted || ERROR.test(text),
    frame: FRAME.test(text),
  };
}
