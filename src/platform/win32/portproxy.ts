import { isIP } from 'node:net';
import type { Family } from '../../types.js';
import type { NetshResult } from './netsh.js';

/**
 * `netsh interface portproxy show all`, read by its shape. netsh localises the words (`Listen on
 * ipv4:` / `侦听 ipv4:` / `ipv4 をリッスンする:`, `Address Port` / `地址 端口`), but in every
 * recorded language (test/fixtures/win32/SOURCES.md) each table has the same frame:
 *
 *     <title naming "ipv4" or "ipv6" twice: the listening side first, the connecting side second>
 *     <column headings>
 *     --------------- ----------  --------------- ----------
 *     <listen address> <listen port> <connect address> <connect port>
 *
 * one table per kind of rule that has rules (v4tov4, v4tov6, …), separated by blank lines. Rows
 * are split on white space, not cut at column widths: a host name longer than its column leaves
 * a single space before the next field. Anything that does not fit the frame gives no answer —
 * a wrong rule would label or hide the program on a port.
 */

export type PortProxyKind = 'v4tov4' | 'v4tov6' | 'v6tov4' | 'v6tov6';

/** One rule: where the IP Helper service listens, and where it connects each connection to. */
export interface PortProxyRule {
  readonly kind: PortProxyKind;
  /** As netsh prints it: an address, `*` (added without `listenaddress`), or a host name. */
  readonly listenAddress: string;
  readonly listenPort: number;
  /** As netsh prints it: an address or a host name. */
  readonly connectAddress: string;
  readonly connectPort: number;
}

/** A dashed line of exactly four groups: the rule under the four column headings. */
const FOUR_DASH_GROUPS = /^\s*-+\s+-+\s+-+\s+-+\s*$/;
/** `ipv4` / `ipv6` in a title, whatever the words around it (`ipv4에`, `ipv4:`). */
const FAMILY_WORD = /ipv([46])/gi;
/** A host name as netsh may print one (letters of any script, digits, dots, dashes, underscores). */
const HOST_NAME = /^[\p{L}\p{N}._-]+$/u;

const isBlank = (line: string): boolean => line.trim() === '';

function isAddressField(field: string): boolean {
  return field === '*' || isIP(field) !== 0 || HOST_NAME.test(field);
}

function portField(field: string): number | null {
  if (!/^\d{1,5}$/.test(field)) return null;
  const port = Number(field);
  return port >= 1 && port <= 65535 ? port : null;
}

/** The kind a table's title names: its first `ipvN` is the listening side, its second the connecting side. */
function kindOfTitle(title: string): PortProxyKind | null {
  const families = [...title.matchAll(FAMILY_WORD)].map((m) => m[1]);
  if (families.length !== 2) return null;
  return `v${families[0]}tov${families[1]}` as PortProxyKind;
}

function parseRow(line: string, kind: PortProxyKind): PortProxyRule | string {
  const fields = line.trim().split(/\s+/);
  if (fields.length !== 4) return `${fields.length} fields, not listen address, listen port, connect address, connect port`;
  const [listenAddress = '', listenText = '', connectAddress = '', connectText = ''] = fields;
  const listenPort = portField(listenText);
  const connectPort = portField(connectText);
  if (!isAddressField(listenAddress) || !isAddressField(connectAddress)) return 'an address field is neither an address, "*" nor a host name';
  if (listenPort === null || connectPort === null) return 'a port field is not a port number';
  return { kind, listenAddress, listenPort, connectAddress, connectPort };
}

/**
 * Every rule of `netsh interface portproxy show all`. An output with nothing but blank lines has
 * no rules (netsh prints no table then); text without the four-group dashed line (an error
 * message, in any language) or a table that breaks the frame gives no answer.
 *
 * @example
 * parsePortProxyRules('\nListen on ipv4:             Connect to ipv4:\n\nAddress         Port        Address         Port\n--------------- ----------  --------------- ----------\n0.0.0.0         5000        172.22.123.246  5000\n');
 * // { ok: true, value: [{ kind: 'v4tov4', listenAddress: '0.0.0.0', listenPort: 5000, connectAddress: '172.22.123.246', connectPort: 5000 }] }
 */
export function parsePortProxyRules(text: string): NetshResult<PortProxyRule[]> {
  const lines = text.split(/\r?\n|\r/);
  const dashLines = lines.flatMap((line, index) => (FOUR_DASH_GROUPS.test(line) ? [index] : []));
  if (dashLines.length === 0) {
    return lines.every(isBlank) ? { ok: true, value: [] } : { ok: false, reason: 'no table: the four-group dashed line under the column headings is missing' };
  }
  const rules: PortProxyRule[] = [];
  // Which line belongs to which table: each must be a title, a heading, a dashed line or a row.
  const used = new Set<number>();
  for (const dashes of dashLines) {
    const heading = dashes - 1;
    if (heading < 0 || isBlank(lines[heading] ?? '')) return { ok: false, reason: `line ${dashes + 1}: no column headings right above the dashed line` };
    let title = heading - 1;
    while (title >= 0 && isBlank(lines[title] ?? '')) title--;
    const kind = title < 0 ? null : kindOfTitle(lines[title] ?? '');
    if (kind === null) return { ok: false, reason: `line ${dashes + 1}: the table's title does not name ipv4/ipv6 twice (listening side, connecting side)` };
    used.add(title).add(heading).add(dashes);
    for (let index = dashes + 1; index < lines.length && !isBlank(lines[index] ?? ''); index++) {
      const row = parseRow(lines[index] ?? '', kind);
      if (typeof row === 'string') return { ok: false, reason: `line ${index + 1} "${(lines[index] ?? '').trim()}": ${row}` };
      rules.push(row);
      used.add(index);
    }
  }
  const stray = lines.findIndex((line, index) => !used.has(index) && !isBlank(line));
  if (stray !== -1) return { ok: false, reason: `line ${stray + 1} "${(lines[stray] ?? '').trim()}" belongs to no table` };
  return { ok: true, value: rules };
}

/** The listening socket a rule is matched against. */
export interface ProxyListener {
  readonly protocol: 'tcp' | 'udp';
  readonly family: Family;
  /** Numeric, as the socket table gives it (`0.0.0.0`, `::`, `127.0.0.1`). */
  readonly address: string;
  readonly port: number;
}

/** Whether a rule makes the IP Helper service hold a socket, as far as the rule text can say. */
export type PortProxyMatch =
  | { readonly kind: 'rule'; readonly rule: PortProxyRule }
  | { readonly kind: 'none' }
  /** A rule on the port listens on a host name, which only the machine itself could resolve. */
  | { readonly kind: 'unsure'; readonly reason: string };

/** `::0:1` → `::1`; an IPv4 address as it is; null for anything else. */
function numeric(address: string): string | null {
  const version = isIP(address);
  if (version === 4) return address;
  if (version === 6) return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  return null;
}

/**
 * The rule that makes the IP Helper service listen on this socket: same port, the rule's
 * listening family, and the same address (`*` is every address of the family: `0.0.0.0` or
 * `::`). Port proxies are TCP only.
 *
 * @example
 * portProxyRuleFor(rules, { protocol: 'tcp', family: 'ipv4', address: '0.0.0.0', port: 5000 });
 * // { kind: 'rule', rule: { kind: 'v4tov4', listenAddress: '0.0.0.0', listenPort: 5000, … } }
 */
export function portProxyRuleFor(rules: readonly PortProxyRule[], listener: ProxyListener): PortProxyMatch {
  if (listener.protocol !== 'tcp') return { kind: 'none' };
  const listenFamily = listener.family === 'ipv4' ? 'v4' : 'v6';
  const wildcard = listener.family === 'ipv4' ? '0.0.0.0' : '::';
  const onPort = rules.filter((rule) => rule.listenPort === listener.port && rule.kind.startsWith(listenFamily));
  const exact = onPort.find((rule) => (rule.listenAddress === '*' ? wildcard : numeric(rule.listenAddress)) === listener.address);
  if (exact !== undefined) return { kind: 'rule', rule: exact };
  const named = onPort.find((rule) => rule.listenAddress !== '*' && numeric(rule.listenAddress) === null);
  if (named !== undefined) return { kind: 'unsure', reason: `the ${named.kind} rule on port ${named.listenPort} listens on the host name "${named.listenAddress}", which only that machine can resolve` };
  return { kind: 'none' };
}
