import { PortdoctorError } from './errors.js';
import type { Port } from './types.js';

const PORT_HINT = 'A port is a whole number from 1 to 65535, e.g. 3000.';

/** Accepts 1–65535 written in plain decimal digits; anything else is bad input. */
export function parsePort(text: string): Port {
  const trimmed = text.trim();
  if (!/^\d{1,5}$/.test(trimmed)) {
    const shown = text === '' ? 'an empty string' : `"${text}"`;
    throw new PortdoctorError('bad-port', `${shown} is not a port number.`, { hint: PORT_HINT });
  }
  const value = Number(trimmed);
  if (value < 1 || value > 65535) {
    throw new PortdoctorError('bad-port', `${value} is outside the port range 1-65535.`, { hint: PORT_HINT });
  }
  return value as Port;
}

export function isPort(value: number): value is Port {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

export interface PortRange {
  readonly from: Port;
  readonly to: Port;
}

/** "3000" or "3000-3999" (inclusive). */
export function parsePortRange(text: string): PortRange {
  const dash = text.indexOf('-', 1);
  if (dash === -1) {
    const port = parsePort(text);
    return { from: port, to: port };
  }
  const from = parsePort(text.slice(0, dash));
  const to = parsePort(text.slice(dash + 1));
  if (to < from) {
    throw new PortdoctorError('bad-port', `The range ${text} ends before it starts.`, {
      hint: 'Write a range low-high, e.g. 3000-3999.',
    });
  }
  return { from, to };
}

/** An inclusive range of port numbers (a setting's span, an excluded block). */
export interface Span {
  readonly from: number;
  readonly to: number;
}

/**
 * True when `port` lies in `span` (inclusive).
 *
 * @example
 * inSpan(3000, { from: 2980, to: 3079 }); // true
 */
export function inSpan(port: number, span: Span): boolean {
  return port >= span.from && port <= span.to;
}
