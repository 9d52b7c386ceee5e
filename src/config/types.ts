/**
 * The configuration scan's data: where a project declares the ports and hosts it serves on or
 * connects to. Field names are a public contract (`portdoctor config --json`): fields are only
 * ever added, never renamed or retyped.
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

/** The transport of a declared port: `53:53/udp` in Compose, `EXPOSE 53/udp`, nginx `listen 53 udp`. */
export type DeclarationProtocol = 'tcp' | 'udp' | 'sctp';

/**
 * Whose network the host and port belong to. `container`: written inside a container's own
 * configuration (a Compose service's `environment:`, `command:`, container ports; a Dockerfile),
 * so `127.0.0.1` there is the container's loopback, not the host's. `host`: everything else.
 */
export type DeclarationNetwork = 'host' | 'container';

/**
 * Where a port's value came from when it passed through a variable: the default written in an
 * expression (`${PORT:-3000}`, `env.PORT || 3000`, `ENV.fetch('PORT', 3000)`), an assignment in the
 * same file (`const devPort = 3000`, `PORT=${PORT:-5000}` in a script), or a .env file.
 */
export interface ValueSource {
  /** The variable whose value or default gave the port. */
  readonly variable: string;
  readonly from: 'default' | 'assignment' | 'env-file';
  /** The file and 1-based line where that value is written. */
  readonly file: string;
  readonly line: number;
}

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
  /** `tcp` unless the file says otherwise. */
  readonly protocol: DeclarationProtocol;
  /** whose loopback `host` is (see {@link DeclarationNetwork}). */
  readonly network: DeclarationNetwork;
  /** the Compose service the declaration belongs to, else null. */
  readonly service: string | null;
  /** the variable the port passed through and where its value is written, else null. */
  readonly via: ValueSource | null;
}

/**
 * A place that declares a port the scan cannot read: a variable with no value and no default in
 * the project (`http://localhost:${EXPOSED_PORT}`, `--port $PORT` that the platform sets), or text
 * that is not a number. Kept apart from the declarations so that nothing acts on a guessed port.
 */
export interface UnresolvedDeclaration extends Omit<Declaration, 'port' | 'via'> {
  readonly port: null;
  /** What stands where the port should be, as written (`${EXPOSED_PORT}`, `$PORT`, `8o80`). */
  readonly value: string;
  readonly reason: string;
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
  /** declarations whose port cannot be read (see {@link UnresolvedDeclaration}). */
  readonly unresolved: readonly UnresolvedDeclaration[];
}

/** A file another file hands to a container (Compose `env_file:`): its addresses are the container's. */
export interface ContainerEnvFile {
  readonly file: string;
  readonly service: string;
}

/** What one format parser returns for one file. */
export interface ParsedFile {
  readonly declarations: Declaration[];
  readonly warnings: ConfigWarning[];
  readonly unresolved?: UnresolvedDeclaration[];
  readonly containerEnvFiles?: ContainerEnvFile[];
}

/** Variables a parser may substitute (`${VAR}`), e.g. the project's root .env for Compose. */
export type Variables = ReadonlyMap<string, string>;

/** Where each variable of {@link ParserInput.vars} is written (for {@link ValueSource}). */
export type VariableOrigins = ReadonlyMap<string, { readonly file: string; readonly line: number }>;

/** The input of every format parser: pure text plus where it came from. */
export interface ParserInput {
  readonly file: string;
  readonly text: string;
  readonly vars: Variables;
  readonly origins?: VariableOrigins;
}
