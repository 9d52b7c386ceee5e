import type { Collected } from '../../types.js';
import { osPortDefaults } from '../defaults.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { ExcludedPortRange, PortSettings, PortSpan } from '../types.js';
import { parseDynamicPortRange, parseExcludedPortRanges } from './netsh.js';
import { consoleText, dynamicPortSource, excludedPortRangeSource, failureText, NETSH_PAIRS, runSource, type CodePageRead } from './sources.js';

/**
 * Windows' port policy from netsh: the dynamic (ephemeral) range of TCP over IPv4, and the excluded port ranges
 * that Hyper-V, WSL2 and Docker Desktop make WinNAT reserve (the most common Windows bind
 * failure: EACCES while nothing listens). Windows has no privileged ports and no reserved-port
 * list. A netsh output that cannot be read is "unknown" — named in `defaulted` — never "nothing
 * excluded".
 */

export interface Win32PortSettingsContext {
  readonly reader: SourceReader;
  readonly codePage: () => Promise<CodePageRead>;
}

async function netshText(ctx: Win32PortSettingsContext, source: { key: string; command: string; args: readonly string[] }): Promise<{ text: string } | { reason: string }> {
  const run = await runSource(ctx.reader, source.key, source, { timeoutMs: 5000 });
  if (!run.ok) return { reason: failureText(run) };
  return { text: consoleText(run, await ctx.codePage()).text };
}

/**
 * The port settings as `portSettings()` returns them. Never fails: what could not be read is
 * named in `defaulted` (the dynamic range then is Windows' default, 49152-65535).
 *
 * @example
 * const settings = await collectWin32PortSettings({ reader, codePage });
 * if (settings.ok) settings.value.excludedRanges; // [{ protocol: 'tcp', family: 'ipv4', from: 5357, to: 5357, administered: false }, …]
 */
export async function collectWin32PortSettings(ctx: Win32PortSettingsContext): Promise<Collected<PortSettings>> {
  const defaulted: string[] = [];
  const excludedRanges: ExcludedPortRange[] = [];
  // The ephemeral range portdoctor reports is TCP over IPv4's (the other three are in a snapshot for people to read).
  const dynamicSource = dynamicPortSource('tcp', 'ipv4');
  const [dynamicText] = await Promise.all([
    netshText(ctx, dynamicSource),
    ...NETSH_PAIRS.map(async ([protocol, family]) => {
      const excludedSource = excludedPortRangeSource(protocol, family);
      const excludedText = await netshText(ctx, excludedSource);
      const excluded = 'text' in excludedText ? parseExcludedPortRanges(excludedText.text) : null;
      if (excluded?.ok === true) for (const r of excluded.value) excludedRanges.push({ protocol, family, from: r.from, to: r.to, administered: r.administered });
      // Unknown, not empty: a port there may still be excluded.
      else defaulted.push(`${excludedSource.key} (${'reason' in excludedText ? excludedText.reason : excluded?.ok === false ? excluded.reason : 'unread'}: no range is assumed, so a port there may still be excluded)`);
    }),
  ]);
  const range = 'text' in dynamicText ? parseDynamicPortRange(dynamicText.text) : null;
  // Without it, Windows' default range stands in (said in `defaulted`): failing here would also
  // lose the excluded ranges, which matter more.
  const tcp4: PortSpan = range?.ok === true ? { from: range.value.start, to: range.value.end } : osPortDefaults('win32').ephemeralRange;
  if (range?.ok !== true) defaulted.push(`${dynamicSource.key} (${'reason' in dynamicText ? dynamicText.reason : range?.ok === false ? range.reason : 'unread'})`);
  excludedRanges.sort((a, b) => a.from - b.from || a.protocol.localeCompare(b.protocol) || a.family.localeCompare(b.family));
  return {
    ok: true,
    value: {
      ephemeralRange: tcp4,
      reservedPorts: [],
      // Any user may bind any port on Windows; what refuses a bind is an excluded range or a holder.
      unprivilegedPortStart: osPortDefaults('win32').unprivilegedPortStart,
      privilegedApplies: 'none',
      ipv6: { available: true, disabledOnLo: null, disabledAll: null, bindv6only: null },
      defaulted: defaulted.sort(),
      excludedRanges,
    },
  };
}
