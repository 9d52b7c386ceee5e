import type { FixAdvice } from '../advice-types.js';
import { LINUX_CAUSE_ADVICE } from './advice-causes.js';
import { noExcludedRangesAdvice } from '../common/no-excluded-ranges.js';
import { posixSignalPlan } from '../common/signal.js';
import type { FirewallRuleMatch, NatRedirect } from '../types.js';

function firewallFix(match: FirewallRuleMatch): string {
  if (match.source === 'nft') {
    return `Find the rule with 'nft -a list chain ${match.table} ${match.chain}' and delete it with 'nft delete rule ${match.table} ${match.chain} handle N', or insert an accept before it: 'nft insert rule ${match.table} ${match.chain} iifname "lo" accept'.`;
  }
  const accept = `'${match.source} -I ${match.chain} 1 -${match.hook === 'input' ? 'i' : 'o'} lo -j ACCEPT'`;
  if (match.policy) return `Accept loopback before the policy applies: ${accept}.`;
  return `Delete the rule with '${match.source} ${match.rule.replace(/^-A /, '-D ')}', or accept loopback first: ${accept}.`;
}

/** The command that deletes one DNAT rule, in the tool and back-end it was read from. */
function natRuleFix(redirect: NatRedirect): string {
  if (redirect.source === 'nft') {
    return `Find the rule's handle with 'nft -a list chain ${redirect.table} ${redirect.chain}' and delete it: 'nft delete rule ${redirect.table} ${redirect.chain} handle N'.`;
  }
  const tool = `${redirect.source}${redirect.backend === 'legacy' ? '-legacy' : ''}`;
  return `Delete the rule: '${tool} -t ${redirect.table} ${redirect.rule.replace(/^-A /, '-D ')}'.`;
}

/** Linux: iproute2, sysctl, iptables/nft, sudo. */
export const LINUX_ADVICE: FixAdvice = {
  os: 'linux',
  elevate: (command) => `sudo ${command}`,
  elevateHint: 'run with sudo',
  privilegedUser: 'root',
  privilege: 'root',
  unprivilegedGap: "other users' processes and the firewall",
  hiddenOwnersWhy: 'without root, /proc does not show which process holds them. sudo would add the process name, pid and command, and listeners inside containers.',
  unprivilegedBlindSpot: 'As a normal user, listeners inside containers are not visible: sudo shows them.',
  loopbackDown: (name) => ({
    detail: `${name} is administratively down, so nothing can connect to 127.0.0.1 or ::1 on this machine (or in this network namespace: a new one starts with lo down). Connections fail with "network unreachable" or "cannot assign requested address".`,
    fix: `ip link set ${name} up`,
  }),
  addIpv4Loopback: (name) => `ip addr add 127.0.0.1/8 dev ${name}`,
  enableIpv6: (name) => `sysctl -w net.ipv6.conf.${name}.disable_ipv6=0 (and remove the setting from /etc/sysctl.conf or /etc/sysctl.d/), or make "localhost" resolve to 127.0.0.1 only.`,
  addIpv6Loopback: (name) => `ip -6 addr add ::1/128 dev ${name}`,
  // Linux answers the whole 127.0.0.0/8 on lo: an alias is never what is missing.
  addLoopbackAlias: (name, address) => `ip addr add ${address}/8 dev ${name}`,
  listAddresses: 'ip -br addr',
  resumeProcess: (pid) => `kill -CONT ${pid}`,
  inspectProcess: (pid) => `'cat /proc/${pid ?? '<pid>'}/stack', 'strace -p ${pid ?? '<pid>'}'`,
  privilegedPort: ({ port, start, denied }) => ({
    detail: `On Linux, binding a port below net.ipv4.ip_unprivileged_port_start (${start}) needs root or the CAP_NET_BIND_SERVICE capability.${denied ? ' A trial bind as this user failed with EACCES: a server run like this cannot start.' : ' It works as root, but the same server run as a normal user fails with EACCES.'}`,
    fix: `Use a port ≥ ${start} (and a reverse proxy on ${port}), or give the binary the capability: 'sudo setcap cap_net_bind_service=+ep $(readlink -f $(which node))', or (system-wide) 'sysctl -w net.ipv4.ip_unprivileged_port_start=${port}'.`,
  }),
  ephemeralRange: ({ port, range }) => ({
    detail: `The kernel hands out ports ${range.from}-${range.to} (net.ipv4.ip_local_port_range) to outgoing connections and to servers that ask for port 0. A server on ${port} can find it taken by some client's connection at start-up, intermittently.`,
    fix: `Pick a port outside ${range.from}-${range.to} ('portdoctor free' does), or reserve it: 'sysctl -w net.ipv4.ip_local_reserved_ports=${port}'.`,
  }),
  reservedPort: ({ port }) => ({
    title: `Port ${port} is reserved by net.ipv4.ip_local_reserved_ports`,
    detail: `The kernel will not give ${port} to outgoing connections or to port-0 binds, which protects a server that binds it explicitly. Explicit binds still work.`,
    fix: `Nothing to do unless the reservation is unintended ('sysctl net.ipv4.ip_local_reserved_ports').`,
  }),
  excludedPort: noExcludedRangesAdvice,
  localhostBuiltIn: false,
  refusedFirstAddressCost: null,
  signalPlan: posixSignalPlan,
  forceStop: 'SIGKILL',
  noAnswer: (port, pid) =>
    `Look for what swallows the packets on the way: rules portdoctor could not evaluate ('nft list ruleset', 'iptables-save'), a queueing discipline on lo ('tc qdisc show dev lo', 'tc filter show dev lo'), eBPF programs on the cgroup ('bpftool cgroup tree'), a VPN or security agent that intercepts local traffic; then check the server itself (${pid === null ? `'portdoctor who ${port}'` : `'cat /proc/${pid}/stack', 'strace -p ${pid}'`}).`,
  firewallFix,
  natRuleFix,
  enterNetns: (name, pid) => `Connect from inside that namespace ('ip netns exec ${name ?? '<name>'} …' or 'nsenter -t ${pid ?? '<pid>'} -n …'), or run the server in this one, or forward the port (veth, socat).`,
  ...LINUX_CAUSE_ADVICE,
};
