import { execFileSync } from 'node:child_process';

/** One socket as `ss` prints it: our ground truth. */
export interface SsSocket {
  readonly protocol: 'tcp' | 'udp';
  readonly state: string;
  readonly address: string;
  readonly port: number;
  readonly recvQ: number;
  readonly sendQ: number;
  readonly pids: number[];
  readonly peer: string;
}

/** "[::ffff:127.0.0.1]:80" / "*:80" / "0.0.0.0:80" → numeric address and port, as our JSON writes them. */
function splitAddress(text: string): { address: string; port: number } {
  const colon = text.lastIndexOf(':');
  let host = text.slice(0, colon);
  const port = Number(text.slice(colon + 1));
  if (host.startsWith('[')) host = host.slice(1, -1);
  // ss prints a dual-stack/IPv6 wildcard as "*" and an IPv4 wildcard as 0.0.0.0
  if (host === '*') host = '::';
  host = host.replace(/%.*$/, '');
  return { address: host, port };
}

/** Runs `ss` with the given flags (H is added) and parses its lines; `prefix` runs it elsewhere (`ip netns exec NS`). */
export function ss(flags: string, filter: readonly string[] = [], prefix: readonly string[] = []): SsSocket[] {
  const argv = [...prefix, 'ss', `-${flags}H`, ...filter];
  const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 * 1024 * 1024 });
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const [netid, state, recvQ, sendQ, local, peer] = fields as [string, string, string, string, string, string];
      const pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      return {
        protocol: netid as 'tcp' | 'udp',
        state,
        ...splitAddress(local),
        recvQ: Number(recvQ),
        sendQ: Number(sendQ),
        pids: [...new Set(pids)].sort((a, b) => a - b),
        peer,
      };
    });
}
