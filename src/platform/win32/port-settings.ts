import type { Collected } from '../../types.js';
import { osPortDefaults } from '../defaults.js';
import type { SourceReader } from '../snapshot/reader.js';
import type { ExcludedPortRange, PortSettings, PortSpan } from '../types.js';
import { parseDynamicPortRange, parseExcludedPortRanges } from './netsh.js';
import { consoleText, dynamicPortSource, excludedPortRangeSource, failureText, NETSH_PAIRS, runSource, type CodePageRead } from './sources.js';

/**
 * Windows' port policy from netsh: the dynamic (ephemeral) range, and the excluded port ranges
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
 * The port settings as `portSettings()` returns them. Fails (as a value) only when the IPv4 TCP
 * dynamic range cannot be read: everything else is named in `defaulted` when unread.
 *
 * @example
 * const settings = await collectWin32PortSettings({ reader, codePage });
 * if (settings.ok) settings.value.excludedRanges; // [{ protocol: 'tcp', family: 'ipv4', from: 5357, to: 5357, administered: false }, …]
 */
export async function collectWin32PortSettings(ctx: Win32PortSettingsContext): Promise<Collected<PortSettings>> {
  const defaulted: string[] = [];
  const excludedRanges: ExcludedPortRange[] = [];
  const dynamic = new Map<string, PortSpan>();
  await Promise.all(
    NETSH_PAIRS.map(async ([protocol, family]) => {
      const dynamicSource = dynamicPortSource(protocol, family);
      const excludedSource = excludedPortRangeSource(protocol, family);
      const [dynamicText, excludedText] = await Promise.all([netshText(ctx, dynamicSource), netshText(ctx, excludedSource)]);
      const range = 'text' in dynamicText ? parseDynamicPortRange(dynamicText.text) : null;
      if (range?.ok === true) dynamic.set(dynamicSource.key, { from: range.value.start, to: range.value.end });
      else defaulted.push(`${dynamicSource.key} (${'reason' in dynamicText ? dynamicText.reason : range?.ok === false ? range.reason : 'unread'})`);
      const excluded = 'text' in excludedText ? parseExcludedPortRanges(excludedText.text) : null;
      if (excluded?.ok === true) for (const r of excluded.value) excludedRanges.push({ protocol, family, from: r.from, to: r.to, administered: r.administered });
      // Unknown, not empty: a port there may still be excluded.
      else defaulted.push(`${excludedSource.key} (${'reason' in excludedText ? excludedText.reason : excluded?.ok === false ? excluded.reason : 'unread'})`);
    }),
  );
  const tcp4 = dynamic.get('dynamicport-tcp-ipv4');
  if (tcp4 === undefined) {
    const reason = defaulted.find((d) => d.startsWith('dynamicport-tcp-ipv4')) ?? 'dynamicport-tcp-ipv4';
    return { ok: false, reason: `the dynamic port range could not be read: ${reason}`, hint: "Run 'netsh int ipv4 show dynamicport tcp' to see it; Windows' default is 49152-65535." };
  }
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
