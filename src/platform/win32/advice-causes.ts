import type { CauseAdvice } from '../advice-causes-types.js';

/** Windows: setx and PowerShell's $env:, netsh's dynamic port range, Docker's --ulimit. */
export const WIN32_CAUSE_ADVICE: CauseAdvice = {
  noProxyFix: ({ value, pid, processName }) =>
    pid === null
      ? `setx NO_PROXY "${value}" (for new terminals; in this PowerShell: $env:NO_PROXY = '${value}')`
      : `Restart ${processName ?? 'the client'} (pid ${pid}) with NO_PROXY=${value} in its environment (setx NO_PROXY "${value}", then start it from a new terminal).`,
  // Windows has no per-process descriptor limit like RLIMIT_NOFILE; only a container's can be set.
  fdLimitFix: ({ pid, name, suggested }) => `Restart ${name} (pid ${pid}) with a higher handle limit (in a container: 'docker run --ulimit nofile=${suggested}:${suggested} …').`,
  ephemeralFix: ({ pressure, range, destination, count }) =>
    pressure === 'narrow-range'
      ? `Widen the dynamic port range (now ${range.from}-${range.to}), elevated: 'netsh int ipv4 set dynamicport tcp start=49152 num=16384' (and the same for ipv6).`
      : `Make the client reuse its connections to ${destination} (HTTP keep-alive, a connection pool) instead of opening ${count}.`,
  socketActivation: (holder, port) => ({
    detail: `pid ${holder.pid} holds port ${port} for a service that starts on demand.`,
    fix: "Stop the service that owns it ('Get-Service', then 'Stop-Service NAME', elevated).",
  }),
  ipv6Disabled: () => ({
    setting: 'IPv6 is disabled (DisabledComponents in HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters)',
    fix: 'Use 127.0.0.1 instead of ::1, or set DisabledComponents back to 0 and restart Windows.',
  }),
};
