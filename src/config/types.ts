/**
 * The configuration scan's data: where a project declares the ports and hosts it serves on or
 * connects to. Field names are a public contract (`portdoctor config --json`).
 */

/** The file format a declaration was found in (or, for generic scripts, the tool it configures). */
export type DeclarationKind =
  | 'env'
  | 'package-json'
  | 'compose'
  | 'vite'
  | 'next'
  | 'webpack'
  | 'angular'
  | 'nginx'
  | 'procfile'
  | 'spring'
  | 'rails'
  | 'python'
  | 'launch-json'
  | 'other';

/**
 * `server`: a port a server of the project binds. `client`: a port something connects to (a proxy
 * target, an upstream, an API URL). `publish`: a Compose host port. `unknown`: a bare `PORT=` in a
 * .env file, whose reader is unclear.
 */
export type DeclarationRole = 'server' | 'client' | 'publish' | 'unknown';

export interface Declaration {
  /** Path relative to the scanned directory, with `/` separators. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly kind: DeclarationKind;
  readonly role: DeclarationRole;
  readonly host: string | null;
  /** The port after variable defaults are applied (`${PORT:-3000}` → 3000). */
  readonly port: number;
  /** The line as written (without its line ending). */
  readonly text: string;
}

/** Something the scan could not read or wants a person to notice; never fatal. */
export interface ConfigWarning {
  readonly file: string;
  readonly line: number | null;
  readonly message: string;
}

export interface ConfigScan {
  readonly declarations: readonly Declaration[];
  readonly warnings: readonly ConfigWarning[];
  /** True when the walk stopped at its file budget, so some files were not looked at. */
  readonly truncated: boolean;
  /** Files handed to a parser. */
  readonly filesScanned: number;
}

/** What one format parser returns for one file. */
export interface ParsedFile {
  readonly declarations: Declaration[];
  readonly warnings: ConfigWarning[];
}

/** Variables a parser may substitute (`${VAR}`), e.g. the project's root .env for Compose. */
export type Variables = ReadonlyMap<string, string>;

/** The input of every format parser: pure text plus where it came from. */
export interface ParserInput {
  readonly file: string;
  readonly text: string;
  readonly vars: Variables;
}
