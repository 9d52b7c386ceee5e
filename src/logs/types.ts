/** Log lines and where they came from: the data of the "check logs" step. Field names are public. */

/** Whose logs to read. Any combination; each present field is one or two sources. */
export interface LogOwner {
  /** A process: its stdout/stderr (/proc/<pid>/fd/1 and 2) when they are regular files. */
  readonly pid?: number;
  /** A systemd unit: `journalctl -u UNIT`. */
  readonly unit?: string;
  /** A container name or id: `docker logs`. */
  readonly container?: string;
  /** A log file to read directly. */
  readonly logFile?: string;
}

/** A line as read, before selection. */
export interface RawLogLine {
  readonly text: string;
  /** The file path, unit or container it came from. */
  readonly source: string;
  /** 1-based line in the file when known (files), null for the journal and docker. */
  readonly line: number | null;
}

/** A relevant line, as shown in the `log-errors` finding's `evidence.lines`. */
export interface LogLine {
  readonly text: string;
  readonly source: string;
  readonly line: number | null;
  /** The finding code this line is evidence for (`port-in-use` for EADDRINUSE), or null. */
  readonly finding: string | null;
}

/** One place we tried to read, and how that went. */
export interface LogSource {
  readonly source: string;
  readonly read: boolean;
  /** What was read ("142 lines from the last 256 KiB"), or why not ("the Docker engine is not running"). */
  readonly reason: string;
}

export interface LogReport {
  readonly lines: readonly LogLine[];
  readonly sources: readonly LogSource[];
}
