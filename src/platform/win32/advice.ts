import type { FixAdvice } from '../advice-types.js';
import { WIN32_CAUSE_ADVICE } from './advice-causes.js';

/**
 * Windows: netsh, PowerShell, an elevated prompt. Windows has no privileged ports, and Windows
 * Firewall does not filter loopback traffic; its own trap is the excluded port ranges that
 * Hyper-V, WSL2 and Docker Desktop reserve through WinNAT.
 */
export const WIN32_ADVICE: FixAdvice = {
  os: 'win32',
  elevate: (command) => `${command} (from an elevated prompt: right-click the terminal › Run as administrator)`,
  elevateHint: 'run as administrator',
  privilegedUser: 'an administrator',
  privilege: 'administrator rights',
  // Without elevation Win32_Process gives no command line for other users' processes (and none for services).
  unprivilegedGap: "the command lines of other users' processes and of services",
  hiddenOwnersWhy: 'without administrator rights, Windows does not say which process holds them.',
  unprivilegedBlindSpot: null,
  loopbackDown: (name) => ({
    detail: `The loopback interface (${name}) reports no usable address, so nothing can connect to 127.0.0.1 or ::1.`,
    fix: "Check the TCP/IP stack with 'netsh interface ipv4 show interfaces', then reset it ('netsh int ip reset' in an elevated prompt, and restart).",
  }),
  addIpv4Loopback: () => "Reset the TCP/IP stack: 'netsh int ip reset' in an elevated prompt, then restart.",
  enableIpv6: () => 'Re-enable IPv6 (the DisabledComponents value under HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters), or make "localhost" resolve to 127.0.0.1 only.',
  addIpv6Loopback: () => 'Re-enable IPv6 (the DisabledComponents value under HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters), then restart.',
  addLoopbackAlias: (_name, address) => `Windows answers every 127.x.y.x address; check that nothing else (a VPN, a proxy) intercepts ${address}.`,
  listAddresses: 'ipconfig /all',
  resumeProcess: (pid) => `Resume it in the debugger that paused it (Resource Monitor › CPU › Resume Process for pid ${pid}), or restart it.`,
  inspectProcess: (pid) => `Resource Monitor (resmon) › CPU › pid ${pid ?? '<pid>'} › Analyze Wait Chain, or 'Get-Process -Id ${pid ?? '<pid>'}'`,
  privilegedPort: ({ port }) => ({
    detail: `Windows has no privileged ports: any user may bind port ${port}. A refused bind there comes from an excluded port range or another program.`,
    fix: `Check 'netsh interface ipv4 show excludedportrange protocol=tcp' and 'portdoctor who ${port}'.`,
  }),
  ephemeralRange: ({ port, range }) => ({
    detail: `Windows hands out ports ${range.from}-${range.to} (its dynamic port range, 'netsh int ipv4 show dynamicport tcp') to outgoing connections, and WinNAT/Hyper-V reserve blocks inside it. A server on ${port} can find it taken or excluded, intermittently.`,
    fix: `Pick a port outside ${range.from}-${range.to} ('portdoctor free' does), or move the dynamic range: 'netsh int ipv4 set dynamicport tcp start=49152 num=16384' (elevated).`,
  }),
  reservedPort: ({ port, reserved }) => ({
    title: `Port ${port} is reserved (${reserved.from}-${reserved.to})`,
    detail: `Windows will not give ${port} to outgoing connections.`,
    fix: 'Nothing to do unless the reservation is unintended.',
  }),
  excludedPort: ({ port, range, protocol }) => ({
    detail: `Port ${port} lies in the excluded ${protocol.toUpperCase()} port range ${range.from}-${range.to}${range.administered ? ', which an administrator added (marked * by netsh)' : ', which Windows reserved for WinNAT (Hyper-V, WSL2, Docker Desktop)'}. Windows refuses every bind there with "An attempt was made to access a socket in a way forbidden by its access permissions" (WSAEACCES 10013, EACCES in Node), although nothing listens on it.`,
    fix: range.administered
      ? `Choose a port outside ${range.from}-${range.to} ('portdoctor free' never returns an excluded one), or remove the reservation: 'netsh int ipv4 delete excludedportrange protocol=${protocol} startport=${range.from} numberofports=${range.to - range.from + 1}' (elevated).`
      : `Choose a port outside ${range.from}-${range.to} ('portdoctor free' never returns an excluded one); or, in an elevated prompt, restart WinNAT to release its blocks: 'net stop winnat' then 'net start winnat'; or move the dynamic range away: 'netsh int ipv4 set dynamicport ${protocol} start=49152 num=16384'; or reserve ${port} for yourself while WinNAT is stopped: 'netsh int ipv4 add excludedportrange protocol=${protocol} startport=${port} numberofports=1'.`,
  }),
  // Windows resolves localhost to 127.0.0.1 and ::1 itself (DNS client, since Windows 7); the stock
  // hosts file has "# 127.0.0.1 localhost" and "# ::1 localhost" commented out on purpose.
  localhostBuiltIn: true,
  // A SYN answered by a reset is retried before connect() gives up (TcpMaxConnectRetransmissions),
  // so "connection refused" takes about a second or two on Windows instead of microseconds.
  refusedFirstAddressCost:
    'On Windows a refused connection is not reported at once: the TCP stack retries the connection after the reset, so a client that tries ::1 first and only then 127.0.0.1 (or the other way round) waits about one to two seconds on every connection.',
  signalPlan: ({ signal, escalate, graceMs }) => {
    // Windows has no SIGTERM: `taskkill /PID N` asks the program to close (a window message, which
    // console programs usually cannot receive), `taskkill /F` ends it at once.
    if (signal === 'SIGKILL') return "'taskkill /F /PID N' (forceful: Windows has no SIGTERM for a program to catch)";
    const polite = `a close request ('taskkill /PID N': Windows has no SIGTERM${signal === 'SIGTERM' ? '' : ` and no ${signal}`}, and console programs often ignore this request)`;
    return escalate ? `${polite}, then 'taskkill /F /PID N' after ${graceMs / 1000}s to any that still holds the port, only if you confirm it or pass --yes` : polite;
  },
  forceStop: 'taskkill /F',
  noAnswer: (port, pid) =>
    `Look for what swallows the packets: security software that filters local traffic (its Windows Filtering Platform filters: 'netsh wfp show state'), a VPN client, a port proxy ('netsh interface portproxy show all'); then check the server itself (${pid === null ? `'portdoctor who ${port}'` : `Resource Monitor › pid ${pid} › Analyze Wait Chain`}).`,
  // Windows Firewall does not filter loopback, so no rule is ever quoted; worded for completeness.
  firewallFix: (match) => `Review the rule in Windows Defender Firewall with Advanced Security (${match.rule}).`,
  natRuleFix: (redirect) => `Remove the forwarding rule (${redirect.rule}) where it was made (a WinNAT static mapping: 'Get-NetNatStaticMapping', then 'Remove-NetNatStaticMapping', elevated).`,
  enterNetns: () => 'Connect from where the server runs (inside WSL: wsl -d DISTRO -- …), or forward the port.',
  ...WIN32_CAUSE_ADVICE,
};
