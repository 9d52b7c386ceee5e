import type { CauseAdvice } from '../advice-causes-types.js';

/** Linux: the shell's export, systemd units, Docker's --ulimit, sysctl. */
export const LINUX_CAUSE_ADVICE: CauseAdvice = {
  noProxyFix: ({ value, pid, processName }) =>
    pid === null
      ? `export no_proxy='${value}' NO_PROXY='${value}' (in the shell the client runs from, or its ~/.bashrc / ~/.profile)`
      : `Restart ${processName ?? 'the client'} (pid ${pid}) with no_proxy='${value}' NO_PROXY='${value}' in its environment (its unit's Environment=, its container's -e, or the shell that starts it).`,
  fdLimitFix: ({ pid, name, softLimit, hardLimit, suggested, unit, container }) => {
    if (container !== null) return `Restart the container with a higher limit: 'docker run --ulimit nofile=${suggested}:${suggested} …' (compose: 'ulimits: { nofile: ${suggested} }'); ${name} (pid ${pid}) may open only ${softLimit}.`;
    if (unit !== null) return `Raise the unit's limit and restart it: 'systemctl edit ${unit}', add '[Service]' and 'LimitNOFILE=${suggested}', then 'systemctl restart ${unit}'.`;
    const hard = hardLimit === null || hardLimit >= suggested ? '' : ` (the hard limit is ${hardLimit}: raise it as root, or in /etc/security/limits.conf)`;
    return `Start ${name} from a shell with a higher limit: 'ulimit -n ${suggested}'${hard}, then restart it (pid ${pid} may open only ${softLimit}).`;
  },
  ephemeralFix: ({ pressure, range, destination, count }) => {
    if (pressure === 'narrow-range') return `Widen the client port range (now ${range.from}-${range.to}, ${range.to - range.from + 1} ports): 'sysctl -w net.ipv4.ip_local_port_range="32768 60999"' (and in /etc/sysctl.d/ to keep it).`;
    if (pressure === 'time-wait') return `Let new connections reuse ports in TIME-WAIT: 'sysctl -w net.ipv4.tcp_tw_reuse=1'; better, keep connections to ${destination} alive in the client instead of opening ${count}.`;
    return `Make the client reuse its connections to ${destination} (HTTP keep-alive, a connection pool) instead of holding ${count} open at once.`;
  },
  socketActivation: (holder, port) => {
    if (holder.kind === 'activator') {
      return {
        detail: `${holder.name} (pid ${holder.pid}, '${holder.command}') holds the listening socket and hands the connections to the program it starts; stopping that program alone does not free port ${port}.`,
        fix: `Stop the activator itself: 'kill ${holder.pid}' (${holder.name}).`,
      };
    }
    const user = holder.kind === 'user' ? '--user ' : '';
    const manager = holder.kind === 'user' ? `the user service manager (systemd --user, pid ${holder.pid})` : 'systemd (pid 1)';
    const starts = holder.activates.length > 0 ? `, and starts ${holder.activates.join(', ')} on the first connection` : '';
    if (holder.unit === null) {
      return {
        detail: `${manager} holds port ${port} for a socket unit${starts}. Stopping the service alone does not free the port: the socket unit keeps listening and starts it again.`,
        fix: `Find the unit with 'systemctl ${user}list-sockets --all' and stop it: 'systemctl ${user}stop NAME.socket' (and 'systemctl ${user}disable NAME.socket' to keep it off).`,
      };
    }
    return {
      detail: `${manager} holds port ${port} for ${holder.unit}${starts}. Stopping the service alone does not free the port: ${holder.unit} keeps listening and starts it again on the next connection.`,
      fix: `systemctl ${user}stop ${holder.unit} (and 'systemctl ${user}disable ${holder.unit}' to keep it from coming back at boot)`,
    };
  },
  ipv6Disabled: ({ interfaceName, scope }) => {
    if (scope === 'kernel') return { setting: 'the kernel was booted with ipv6.disable=1 (no IPv6 at all)', fix: 'Use 127.0.0.1 instead of ::1 or :: (and make "localhost" resolve to 127.0.0.1 only), or remove ipv6.disable=1 from the kernel command line and reboot.' };
    const name = scope === 'all' ? 'all' : interfaceName;
    return {
      setting: `net.ipv6.conf.${name}.disable_ipv6 = 1`,
      // Writing `all` sets every interface, lo included (net/ipv6/addrconf.c, addrconf_disable_ipv6).
      fix: `sysctl -w net.ipv6.conf.${name}.disable_ipv6=0 (and remove the setting from /etc/sysctl.conf or /etc/sysctl.d/)`,
    };
  },
};
