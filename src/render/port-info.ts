import type { PortInfo } from '../actions/port-info.js';
import { styler } from './color.js';

const RANGE_SPANS: Readonly<Record<PortInfo['range'], string>> = {
  'well-known': '0-1023',
  registered: '1024-49151',
  dynamic: '49152-65535',
};

/**
 * The human block of `portdoctor info`: one labelled line per fact, then services and squatters.
 * Pure: the same PortInfo always gives the same text.
 *
 * @example
 * renderPortInfo(await portInfo(62893), { color: false });
 */
export function renderPortInfo(info: PortInfo, options: { color: boolean }): string {
  const style = styler(options.color);
  const label = (text: string): string => style.dim(text.padEnd(12));
  const { from, to } = info.ephemeralRange;
  const yes = (text: string): string => style.yellow(text);
  const lines: string[] = [style.bold(`Port ${info.port}`)];

  lines.push(`  ${label('IANA range')}${info.range} (${RANGE_SPANS[info.range]})`);
  lines.push(
    `  ${label('Ephemeral')}${
      info.ephemeral
        ? yes(`yes: inside this machine's ephemeral range ${from}-${to}; the kernel may give it to an outgoing connection`)
        : `no: outside this machine's ephemeral range ${from}-${to}`
    }`,
  );
  lines.push(
    `  ${label('Reserved')}${
      info.reserved ? 'yes: listed in net.ipv4.ip_local_reserved_ports, never handed out automatically' : 'no'
    }`,
  );
  lines.push(
    `  ${label('Privileged')}${
      info.privileged
        ? yes(`yes: below ${info.unprivilegedPortStart}, binding needs root or CAP_NET_BIND_SERVICE`)
        : info.unprivilegedPortStart === 0
          ? 'no: this OS has no privileged ports'
          : `no: ports from ${info.unprivilegedPortStart} up need no privilege`
    }`,
  );
  lines.push(`  ${label('Browsers')}${info.browserUnsafe ? style.red('refuse it (ERR_UNSAFE_PORT)') : 'allow it'}`);

  if (info.services.length === 0) {
    lines.push(`  ${label('Services')}none known`);
  } else {
    lines.push(`  ${style.dim('Services')}`);
    for (const service of info.services) {
      const source = service.source === 'curated' ? '' : style.dim(` (${service.source})`);
      const description = service.description === '' ? '' : `: ${service.description}`;
      lines.push(`    ${service.name}/${service.protocol}${description}${source}`);
    }
  }
  const specific = info.squatters.filter((squatter) => squatter.scope === 'port' && !squatter.elsewhere);
  const elsewhere = info.squatters.filter((squatter) => squatter.scope === 'port' && squatter.elsewhere);
  const generic = info.squatters.filter((squatter) => squatter.scope === 'any-port');
  if (specific.length > 0) {
    lines.push(`  ${style.dim('Squatters')}`);
    for (const squatter of specific) {
      const where = squatter.platform === 'any' ? '' : ` [${squatter.platform}]`;
      lines.push(`    ${style.bold(squatter.name)}${where}: ${squatter.detail}`);
      lines.push(`      fix: ${squatter.fix}`);
    }
  }
  // Other systems' squatters are reference for where the port goes next (a teammate's Mac, CI):
  // one dim line each, so they never read as this machine's problem.
  if (elsewhere.length > 0) {
    lines.push(`  ${style.dim('On other systems')}`);
    for (const squatter of elsewhere) lines.push(style.dim(`    ${squatter.name} [${squatter.platform}]`));
  }
  for (const squatter of generic) lines.push(style.dim(`  If a container publishes it: ${squatter.fix}`));
  for (const note of info.notes) lines.push(style.yellow(`  ! ${note}`));
  return lines.join('\n');
}
