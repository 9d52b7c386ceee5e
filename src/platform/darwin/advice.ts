import type { FixAdvice } from '../advice-types.js';
import { DARWIN_CAUSE_ADVICE } from './advice-causes.js';
import { noExcludedRangesAdvice } from '../common/no-excluded-ranges.js';
import { posixSignalPlan } from '../common/signal.js';
import type { FirewallRuleMatch } from '../types.js';

function firewallFix(match: FirewallRuleMatch): string {
  // pf's rules live in /etc/pf.conf and its anchors; loopback is exempted with `set skip on lo0`.
  return `Remove the rule (${match.rule}) from /etc/pf.conf or its anchor and reload with 'sudo pfctl -f /etc/pf.conf', or exempt loopback: add 'set skip on lo0' to /etc/pf.conf and reload.`;
}

/**
 * macOS: ifconfig, sysctl, pfctl, launchctl, sudo. Privileged ports (since 10.14 Mojave, any user
 * may bind a port below 1024 on the wildcard addresses, but not on 127.0.0.1 or another specific
 * address: https://zameermanji.com/blog/2024/1/5/binding-to-privileged-ports-without-root-on-macos/,
 * https://apple.stackexchange.com/questions/348854).
 */
export const DARWIN_ADVICE: FixAdvice = {
  os: 'darwin',
  elevate: (command) => `sudo ${command}`,
  elevateHint: 'run with sudo',
  privilegedUser: 'root',
  privilege: 'root',
  unprivilegedGap: "other users' processes and the pf rules",
  hiddenOwnersWhy: 'without root, lsof lists only your own processes, and netstat names only the last process that touched each socket. sudo would list every process that holds them.',
  unprivilegedBlindSpot: null,
  loopbackDown: (name) => ({
    detail: `${name} is down, so nothing can connect to 127.0.0.1 or ::1 on this Mac. Connections fail with "network is unreachable" or "can't assign requested address".`,
    fix: `sudo ifconfig ${name} up`,
  }),
  addIpv4Loopback: (name) => `sudo ifconfig ${name} inet 127.0.0.1 netmask 255.0.0.0 alias`,
  enableIpv6: (name) => `sudo ifconfig ${name} inet6 ::1 prefixlen 128 alias, or make "localhost" resolve to 127.0.0.1 only (/etc/hosts).`,
  addIpv6Loopback: (name) => `sudo ifconfig ${name} inet6 ::1 prefixlen 128 alias`,
  addLoopbackAlias: (name, address) => `sudo ifconfig ${name} alias ${address}`,
  listAddresses: 'ifconfig',
  resumeProcess: (pid) => `kill -CONT ${pid}`,
  inspectProcess: (pid) => `'sample ${pid ?? '<pid>'} 3' (or Activity Monitor › Sample Process), 'lsof -p ${pid ?? '<pid>'}'`,
  privilegedPort: ({ port, start, denied, applies }) => ({
    detail:
      applies === 'specific'
        ? `On macOS (10.14 and later) anyone may bind a port below ${start} on 0.0.0.0 or ::, but binding it on 127.0.0.1, ::1 or another specific address needs root.${denied ? ' A trial bind as this user failed with EACCES.' : ''}`
        : `On macOS, binding a port below ${start} needs root.${denied ? ' A trial bind as this user failed with EACCES.' : ''}`,
    fix: `Use a port ≥ ${start}, bind the wildcard (0.0.0.0 / ::) instead of a specific address, or run the server with sudo; a launchd socket (Sockets key in its plist) can also hand a port ${port} socket to an unprivileged program.`,
  }),
  ephemeralRange: ({ port, range }) => ({
    detail: `macOS hands out ports ${range.from}-${range.to} (net.inet.ip.portrange.first/last) to outgoing connections and to servers that ask for port 0. A server on ${port} can find it taken by some client's connection at start-up, intermittently.`,
    fix: `Pick a port outside ${range.from}-${range.to} ('portdoctor free' does); the range itself is 'sysctl net.inet.ip.portrange.first net.inet.ip.portrange.last'.`,
  }),
  reservedPort: ({ port, reserved }) => ({
    title: `Port ${port} is outside automatic assignment (${reserved.from}-${reserved.to})`,
    detail: `macOS will not give ${port} to outgoing connections or port-0 binds. Explicit binds still work.`,
    fix: 'Nothing to do.',
  }),
  excludedPort: noExcludedRangesAdvice,
  localhostBuiltIn: false,
  refusedFirstAddressCost: null,
  signalPlan: posixSignalPlan,
  forceStop: 'SIGKILL',
  noAnswer: (port, pid) =>
    `Look for what swallows the packets: pf rules and anchors ('sudo pfctl -sr', 'sudo pfctl -sA'), a content filter or VPN (System Settings › Network › Filters and VPN); then check the server itself (${pid === null ? `'portdoctor who ${port}'` : `'sample ${pid} 3'`}).`,
  firewallFix,
  natRuleFix: (redirect) => `Remove the redirection (${redirect.rule}) from /etc/pf.conf or its anchor and reload with 'sudo pfctl -f /etc/pf.conf'.`,
  enterNetns: () => 'Connect from where the server runs, or forward the port to this machine.',
  ...DARWIN_CAUSE_ADVICE,
};
