import { Emitter } from './emit.js';
import { LineIndex, normalizeHost, toPort } from './text.js';
import type { ParsedFile, ParserInput } from './types.js';

export function isVagrantfile(path: string): boolean {
  return /(^|\/)Vagrantfile$/.test(path);
}

/** Removes a Ruby `#` comment that is not inside quotes. */
function stripComment(line: string): string {
  const hash = line.search(/#(?=(?:[^"']|"[^"]*"|'[^']*')*$)/);
  return hash === -1 ? line : line.slice(0, hash);
}

/**
 * Vagrant: `config.vm.network "forwarded_port", guest: 8000, host: 8080[, host_ip: "127.0.0.1"]`
 * publishes host port 8080 (`publish`) to port 8000 of the virtual machine (`server`, on the
 * VM's network: `container`). Ruby's `:guest => 8000` form too.
 *
 * @example
 * parseVagrantfile({ file: 'Vagrantfile', text: 'config.vm.network "forwarded_port", guest: 80, host: 8080\n', vars: new Map() })
 */
export function parseVagrantfile(input: ParserInput): ParsedFile {
  const out = new Emitter(new LineIndex(input.text), input.file, 'other');
  const rows = input.text.split('\n');
  for (let i = 0; i < rows.length; i++) {
    const code = stripComment(rows[i] ?? '');
    if (!/\.network\s*\(?\s*["':]forwarded_port/.test(code)) continue;
    const option = (name: string): string | null => new RegExp(String.raw`(?:\b${name}:|:${name}\s*=>)\s*["']?([\w.:-]+)["']?`).exec(code)?.[1] ?? null;
    const protocol = option('protocol') === 'udp' ? 'udp' : 'tcp';
    const hostIp = option('host_ip');
    const host = toPort(option('host'));
    const guest = toPort(option('guest'));
    if (host !== null) out.port(i + 1, 'publish', hostIp === null ? null : normalizeHost(hostIp), host, { protocol });
    if (guest !== null) out.port(i + 1, 'server', null, guest, { protocol, network: 'container' });
  }
  return out.result();
}
