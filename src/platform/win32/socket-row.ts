import { isIP } from 'node:net';
import type { Family, Protocol, SocketState } from '../../types.js';

/**
 * One socket as a Windows source reports it (netstat -ano, Get-NetTCPConnection,
 * Get-NetUDPEndpoint), before any process details are joined in. Both the netstat and the
 * PowerShell parsers produce this shape so the back-end can use either.
 */
export interface Win32SocketRow {
  readonly protocol: Protocol;
  readonly family: Family;
  /** Local address, numeric, without brackets or zone (`0.0.0.0`, `::`, `fe80::1`). */
  readonly address: string;
  /** The IPv6 scope (`33` in `[fe80::1%33]`), or null. */
  readonly zone: string | null;
  readonly port: number;
  /** Null for listeners (`0.0.0.0:0`, `[::]:0`) and unconnected UDP (`*:*`). */
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  readonly state: SocketState;
  /** The state as the source wrote it (`LISTENING`, `ABHÖREN`, `2`, `Listen`), or null (UDP). */
  readonly rawState: string | null;
  readonly pid: number;
}

/** An `address:port` pair as netstat prints it. */
export interface Endpoint {
  readonly address: string;
  readonly zone: string | null;
  readonly family: Family;
  readonly port: number;
}

const PORT_TEXT = /^\d{1,5}$/;

/**
 * A port number as text → the number, or null when it is not 0–65535 written in digits.
 *
 * @example
 * parsePortText('3000');  // 3000
 * parsePortText('70000'); // null
 */
export function parsePortText(text: string): number | null {
  if (!PORT_TEXT.test(text)) return null;
  const port = Number(text);
  return port <= 65535 ? port : null;
}

/**
 * A numeric address (IPv4 or IPv6, an IPv6 zone allowed) → its parts, or null when it is not one.
 * Windows writes IPv6 compressed and lower-case already; we keep its spelling.
 *
 * @example
 * splitAddress('fe80::1%12'); // { address: 'fe80::1', zone: '12', family: 'ipv6' }
 * splitAddress('R90JYPJ8');   // null (a host name: netstat ran without -n)
 */
export function splitAddress(text: string): { address: string; zone: string | null; family: Family } | null {
  const percent = text.indexOf('%');
  const address = (percent === -1 ? text : text.slice(0, percent)).toLowerCase();
  const zone = percent === -1 ? null : text.slice(percent + 1);
  if (zone === '') return null;
  const version = isIP(address);
  if (version === 4 && zone === null) return { address, zone: null, family: 'ipv4' };
  if (version === 6) return { address, zone, family: 'ipv6' };
  return null;
}

/**
 * netstat's `address:port` → its parts, or null when the text is not numeric (`*:*` included:
 * UDP's "no peer" is handled by the caller). IPv6 comes in brackets, a zone inside them:
 * `[fe80::c713:10b8:c272:b42c%33]:1900`.
 *
 * @example
 * parseEndpoint('127.0.0.1:3000');  // { address: '127.0.0.1', zone: null, family: 'ipv4', port: 3000 }
 * parseEndpoint('[::]:0');          // { address: '::', zone: null, family: 'ipv6', port: 0 }
 */
export function parseEndpoint(text: string): Endpoint | null {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close === -1) return null;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) return null;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(':')) return null;
  }
  const port = parsePortText(portText);
  const parts = splitAddress(host);
  if (port === null || parts === null) return null;
  return { ...parts, port };
}

/**
 * True for the unspecified address of either family (`0.0.0.0`, `::`).
 *
 * @example
 * isUnspecifiedAddress('::');        // true
 * isUnspecifiedAddress('127.0.0.1'); // false
 */
export function isUnspecifiedAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * A row from its parts; `peer` null means "no peer" (listener, bound or unconnected socket).
 *
 * @example
 * socketRow('udp', parseEndpoint('0.0.0.0:5353')!, null, 'UNCONN', null, 1616).remoteAddress; // null
 */
export function socketRow(
  protocol: Protocol,
  local: Endpoint,
  peer: Endpoint | null,
  state: SocketState,
  rawState: string | null,
  pid: number,
): Win32SocketRow {
  return {
    protocol,
    family: local.family,
    address: local.address,
    zone: local.zone,
    port: local.port,
    remoteAddress: peer?.address ?? null,
    remotePort: peer?.port ?? null,
    state,
    rawState,
    pid,
  };
}
