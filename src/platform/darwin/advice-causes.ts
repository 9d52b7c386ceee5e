import type { CauseAdvice } from '../advice-causes-types.js';

/** macOS: the shell's export, launchd, Docker's --ulimit, sysctl's net.inet.ip.portrange. */
export const DARWIN_CAUSE_ADVICE: CauseAdvice = {
  noProxyFix: ({ value, pid, processName }) =>
    pid === null
      ? `export no_proxy='${value}' NO_PROXY='${value}' (in the shell the client runs from, or ~/.zshrc)`
      : `Restart ${processName ?? 'the client'} (pid ${pid}) with no_proxy='${value}' NO_PROXY='${value}' in its environment.`,
  fdLimitFix: ({ pid, name, softLimit, suggested, container }) =>
    container !== null
      ? `Restart the container with a higher limit: 'docker run --ulimit nofile=${suggested}:${suggested} …' (compose: 'ulimits: { nofile: ${suggested} }'); ${name} (pid ${pid}) may open only ${softLimit}.`
      : `Start ${name} from a shell with a higher limit: 'ulimit -n ${suggested}', then restart it (pid ${pid} may open only ${softLimit}; a launchd job sets it with SoftResourceLimits › NumberOfFiles in its plist).`,
  ephemeralFix: ({ pressure, range, destination, count }) =>
    pressure === 'narrow-range'
      ? `Widen the client port range (now ${range.from}-${range.to}): 'sudo sysctl -w net.inet.ip.portrange.first=49152 net.inet.ip.portrange.last=65535'.`
      : `Make the client reuse its connections to ${destination} (HTTP keep-alive, a connection pool) instead of opening ${count}.`,
  socketActivation: (holder, port) => ({
    detail: `pid ${holder.pid} holds port ${port} for an on-demand job; stopping the job's program alone does not free the port.`,
    fix: "Find the job with 'sudo launchctl list' and unload it: 'sudo launchctl bootout system/LABEL' (or gui/$(id -u)/LABEL).",
  }),
  ipv6Disabled: ({ interfaceName }) => ({
    setting: `::1 is missing from ${interfaceName}`,
    fix: `sudo ifconfig ${interfaceName} inet6 ::1 prefixlen 128 alias`,
  }),
};
