import type { CommandReading } from './command-line.js';
import { declare, declareUnresolved, type DeclarationExtras, type LineIndex } from './text.js';
import type { ConfigWarning, Declaration, DeclarationKind, DeclarationRole, ParsedFile, UnresolvedDeclaration } from './types.js';
import type { PortOutcome } from './values.js';

/**
 * Collects what a parser finds in one file: declarations, declarations whose port is unknown, and
 * warnings, each with its line's text. One place so that every parser reports the same way.
 */
export class Emitter {
  readonly declarations: Declaration[] = [];
  readonly unresolved: UnresolvedDeclaration[] = [];
  readonly warnings: ConfigWarning[] = [];

  constructor(
    readonly lines: LineIndex,
    readonly file: string,
    readonly kind: DeclarationKind,
  ) {}

  port(line: number, role: DeclarationRole, host: string | null, port: number, extras: DeclarationExtras = {}, kind = this.kind): void {
    this.declarations.push(declare(this.lines, this.file, line, kind, role, host, port, extras));
  }

  unknown(line: number, role: DeclarationRole, host: string | null, value: string, reason: string, extras: DeclarationExtras = {}, kind = this.kind): void {
    const { via: _via, ...rest } = extras;
    this.unresolved.push(declareUnresolved(this.lines, this.file, line, kind, role, host, value, reason, rest));
  }

  /** A resolved value: a declaration, an unresolved declaration, or nothing. `host` fills a missing host. */
  outcome(line: number, role: DeclarationRole, outcome: PortOutcome, extras: DeclarationExtras = {}, kind = this.kind, host: string | null = null): void {
    if (outcome === null) return;
    if (outcome.ok) this.port(line, role, outcome.host ?? host, outcome.port, { ...extras, via: outcome.via }, kind);
    else this.unknown(line, role, outcome.host ?? host, outcome.value, outcome.reason, extras, kind);
  }

  /**
   * The ports of a command line. `lineOf` places each at the line of the word it was read from;
   * `kindOf` names the kind from the program (generic scripts) or keeps the file's kind.
   */
  command(reading: CommandReading, lineOf: (word: string) => number, extras: Omit<DeclarationExtras, 'via' | 'protocol'> = {}, kindOf: (program: string) => DeclarationKind = () => this.kind): void {
    for (const p of reading.ports) {
      const network = extras.network === 'container' ? 'container' : p.network;
      this.port(lineOf(p.word), p.role, p.host, p.port, { ...extras, network, via: p.via, protocol: p.protocol }, kindOf(p.program));
    }
    for (const u of reading.unknown) {
      const network = extras.network === 'container' ? 'container' : u.network;
      this.unknown(lineOf(u.word), u.role, u.host, u.value, u.reason, { ...extras, network, protocol: u.protocol }, kindOf(u.program));
    }
  }

  warn(line: number | null, message: string): void {
    this.warnings.push({ file: this.file, line, message });
  }

  result(): ParsedFile {
    return { declarations: this.declarations, warnings: this.warnings, unresolved: this.unresolved };
  }
}
