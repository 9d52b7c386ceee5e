import type { ProcessInfo, Socket } from '../types.js';
import type { OsName } from './types.js';

/**
 * Programs that hold ports people want, and are not what they seem: OS services, forwarders of
 * containers and VMs, socket-activating service managers. Each is data — how to recognise it, what
 * it is, how to free the port properly — so rules, `who` and `kill` read one table, and a new one
 * is a row, not a branch.
 */
export interface KnownHolder {
  /** Stable id, e.g. `airplay-receiver`. */
  readonly id: string;
  /** What it is, for people: "AirPlay Receiver (ControlCenter)". */
  readonly what: string;
  /** Why it holds the port. */
  readonly detail: string;
  /** How to free the port properly (PORT is replaced by the port). */
  readonly fix: string;
  /**
   * Whether `kill` may signal it: `refuse` where a signal frees nothing for long (the OS or a
   * supervisor starts it again) or breaks something (a container's forwarder).
   */
  readonly kill: 'refuse' | 'allow';
  /** Why the label is not confirmed (the source that would confirm it could not be read); absent when it is. */
  readonly unconfirmed?: string;
}

interface KnownHolderRule extends KnownHolder {
  readonly os: OsName;
  /** The process name, exactly (case-insensitive on Windows); absent: any name. */
  readonly names?: readonly string[];
  /** macOS: only a process launchd runs for a job whose label matches (`details.launchdJob`). */
  readonly launchdJob?: RegExp;
  /** macOS: only a process that runs as a Homebrew service (`details.homebrewService`). */
  readonly homebrewService?: true;
  /** The fix when the container publishing the port is known (Docker Desktop): CONTAINER, IMAGE. */
  readonly fixForContainer?: string;
  /** Only on these ports (absent: any port). */
  readonly ports?: readonly number[];
  /** Only this pid (Windows' System is always 4). */
  readonly pid?: number;
  /** Only when the process hosts this Windows service (from Win32_Service). */
  readonly service?: string;
  /**
   * Only on a socket whose `forward` this forwarder made (the back-end read the rule behind the
   * port, or says it could not): a process that holds ports for several reasons is labelled
   * only on the ports the rules name.
   */
  readonly forwarder?: string;
  /** The fix when the forward's destination is known: FORWARD_STOP, DESTINATION. */
  readonly fixForForward?: string;
}

const RULES: readonly KnownHolderRule[] = [
  {
    id: 'docker-proxy',
    os: 'linux',
    names: ['docker-proxy'],
    what: "Docker's port forwarder (docker-proxy)",
    detail: 'docker-proxy holds a port published with `docker run -p` and forwards every connection to a container; killing it breaks the mapping and leaves the container running.',
    fix: "Find the container with 'docker ps --filter publish=PORT' and stop it ('docker stop NAME'); do not kill docker-proxy.",
    kill: 'refuse',
  },
  {
    id: 'rootlesskit',
    os: 'linux',
    names: ['rootlesskit', 'rootlesskit-docker-proxy'],
    what: "rootless Docker's port forwarder (rootlesskit)",
    detail: "Rootless Docker publishes container ports through rootlesskit, which listens on the host for the user's containers.",
    fix: "Find the container with 'docker ps --filter publish=PORT' and stop it ('docker stop NAME').",
    kill: 'refuse',
  },
  {
    id: 'airplay-receiver',
    os: 'darwin',
    names: ['ControlCenter'],
    ports: [5000, 7000],
    what: 'AirPlay Receiver (ControlCenter)',
    detail: 'Since macOS 12 the AirPlay Receiver listens on *:5000 and *:7000 (AirTunes answers HTTP with 403). Flask, the Docker registry and many dev servers meet it as "address already in use". ControlCenter is restarted by macOS at once.',
    fix: 'Turn off System Settings › General › AirDrop & Handoff › AirPlay Receiver, or use another port.',
    kill: 'refuse',
  },
  {
    id: 'launchd',
    os: 'darwin',
    names: ['launchd'],
    what: 'launchd, holding an on-demand socket',
    detail: "launchd (pid 1) listens for a job that starts on the first connection (a sharing service, or a plist with a Sockets key). It must never be signalled; the job's plist owns the port.",
    fix: "Turn the sharing service off in System Settings › General › Sharing, or unload the job: find it with 'sudo launchctl list' and stop it with 'sudo launchctl bootout system/LABEL' (or gui/$(id -u)/LABEL).",
    kill: 'refuse',
  },
  {
    id: 'rapportd',
    os: 'darwin',
    names: ['rapportd'],
    what: 'rapportd (Handoff and Continuity)',
    detail: 'rapportd connects Apple devices for Handoff, Universal Control and AirDrop; macOS starts it again when it exits.',
    fix: 'Use another port, or turn off Handoff in System Settings › General › AirDrop & Handoff.',
    kill: 'refuse',
  },
  {
    id: 'docker-desktop',
    os: 'darwin',
    names: ['com.docker.backend', 'com.docker.vpnkit', 'vpnkit-bridge'],
    what: "Docker Desktop's port forwarder",
    detail: 'Docker Desktop holds every published container port on the Mac and forwards it into its VM; killing it breaks Docker Desktop, not the container.',
    fix: "Find the container with 'docker ps --filter publish=PORT' and stop it ('docker stop NAME').",
    fixForContainer: "Stop the container CONTAINER (image IMAGE), which publishes PORT: 'docker stop CONTAINER'; or publish it on another port.",
    kill: 'refuse',
  },
  {
    id: 'homebrew-service',
    os: 'darwin',
    homebrewService: true,
    what: 'the Homebrew service FORMULA',
    detail: "Homebrew runs FORMULA under launchd ('brew services'), which starts it again when it exits: a signal frees the port only for a moment.",
    fix: 'SUDObrew services stop FORMULA',
    kill: 'refuse',
  },
  {
    id: 'launchd-job',
    os: 'darwin',
    launchdJob: /./,
    what: 'the launchd job LABEL',
    detail: 'launchd runs this process for the job LABEL and may start it again when it exits (KeepAlive, or on demand), so a signal frees the port only for a while.',
    fix: "Stop the job: 'SUDOlaunchctl bootout DOMAIN/LABEL' (it stays unloaded until the next login or 'launchctl bootstrap'); to restart it instead: 'SUDOlaunchctl kickstart -k DOMAIN/LABEL'.",
    kill: 'refuse',
  },
  {
    // System holds SMB and NetBIOS itself (srv2.sys, netbt.sys), not through HTTP.sys: the recorded
    // netstat outputs in test/fixtures/win32 all show pid 4 on 445 and 139 (and UDP 137/138).
    id: 'smb',
    os: 'win32',
    names: ['System'],
    pid: 4,
    ports: [137, 138, 139, 445],
    what: 'Windows file sharing (SMB and NetBIOS, in the kernel: shown as System)',
    detail: 'Ports 445 and 139 (and UDP 137 and 138) belong to the SMB server and NetBIOS in the Windows kernel, shown as System (pid 4), which can never be stopped.',
    fix: 'Use another port: PORT is Windows file sharing. (Turning off the Server service or NetBIOS over TCP/IP frees it, and breaks file sharing.)',
    kill: 'refuse',
  },
  {
    id: 'http-sys',
    os: 'win32',
    names: ['System'],
    pid: 4,
    what: 'HTTP.sys (the kernel HTTP server, shown as System)',
    detail: 'A port held by System (pid 4) belongs to HTTP.sys: IIS, WinRM, Print Spooler, SSDP, or any program that registered a URL with it. System can never be stopped.',
    fix: "See who registered it with 'netsh http show servicestate view=requestq' (elevated), then stop that service ('Stop-Service NAME'), or use another port.",
    kill: 'refuse',
  },
  {
    // Only where the back-end joined the socket with the port proxy rules (win32/port-proxies.ts):
    // iphlpsvc shares its svchost with other services, whose ports are not port proxies.
    id: 'portproxy',
    os: 'win32',
    names: ['svchost', 'svchost.exe'],
    service: 'iphlpsvc',
    forwarder: 'netsh-portproxy',
    what: 'a netsh port proxy (iphlpsvc, hosted by svchost)',
    detail: "The IP Helper service (iphlpsvc) listens for every 'netsh interface portproxy' rule (often added for WSL2) and forwards it; svchost hosts other services too, so it is never signalled.",
    fix: "List the rules with 'netsh interface portproxy show all' and delete the one on PORT: 'netsh interface portproxy delete v4tov4 listenport=PORT listenaddress=ADDRESS' (elevated; leave listenaddress out when the rule shows '*').",
    fixForForward: "Delete the rule (elevated): 'FORWARD_STOP'; it forwards port PORT to DESTINATION. Or use another port.",
    kill: 'refuse',
  },
  {
    id: 'service-host',
    os: 'win32',
    names: ['svchost', 'svchost.exe'],
    what: 'a Windows service host (svchost)',
    detail: 'svchost runs Windows services, often several in one process; signalling it would stop all of them.',
    fix: "Name the service with 'tasklist /svc /fi \"PID eq PID_OF_HOLDER\"', then stop that service ('Stop-Service NAME', elevated) or use another port.",
    kill: 'refuse',
  },
  {
    id: 'wslrelay',
    os: 'win32',
    names: ['wslrelay', 'wslrelay.exe'],
    what: "WSL2's localhost forwarder (wslrelay)",
    detail: 'wslrelay forwards localhost ports to a server running inside a WSL2 distribution; the program that answers runs in Linux.',
    fix: "Look inside WSL: 'wsl -d DISTRO -- portdoctor who PORT' (or 'wsl -- ss -ltnp'), and stop the server there.",
    kill: 'refuse',
  },
  {
    id: 'docker-desktop',
    os: 'win32',
    names: ['com.docker.backend', 'com.docker.backend.exe', 'vpnkit', 'vpnkit.exe'],
    what: "Docker Desktop's port forwarder",
    detail: 'Docker Desktop holds every published container port on Windows and forwards it into its VM; killing it breaks Docker Desktop, not the container.',
    fix: "Find the container with 'docker ps --filter publish=PORT' and stop it ('docker stop NAME').",
    kill: 'refuse',
  },
];

/** `172.22.123.246:5000`, `[::1]:80`. */
const hostPort = (host: string, port: number | null): string => `${host.includes(':') ? `[${host}]` : host}${port === null ? '' : `:${port}`}`;

/**
 * The known holder a process is, on this port, or null. `socket` (the listener itself) lets a
 * holder that is known only by the forward on its socket be named (a Windows port proxy).
 *
 * @example
 * knownHolderOf('darwin', { name: 'ControlCenter', pid: 512, … }, 5000)?.id; // 'airplay-receiver'
 * knownHolderOf('win32', svchost, 5000, { address: '0.0.0.0', forward })?.id; // 'portproxy'
 */
export function knownHolderOf(
  os: OsName,
  proc: Pick<ProcessInfo, 'name' | 'pid' | 'details'> & Partial<Pick<ProcessInfo, 'uid'>>,
  port: number,
  socket?: Pick<Socket, 'address' | 'forward'>,
): KnownHolder | null {
  const name = os === 'win32' ? proc.name.toLowerCase() : proc.name;
  const mac = proc.details?.os === 'darwin' ? proc.details : null;
  for (const rule of RULES) {
    if (rule.os !== os) continue;
    if (rule.names !== undefined && !rule.names.some((n) => (os === 'win32' ? n.toLowerCase() : n) === name)) continue;
    if (rule.pid !== undefined && rule.pid !== proc.pid) continue;
    if (rule.ports !== undefined && !rule.ports.includes(port)) continue;
    if (rule.service !== undefined && !(proc.details?.os === 'win32' && (proc.details.services ?? []).some((s) => s.toLowerCase() === rule.service))) continue;
    if (rule.launchdJob !== undefined && !rule.launchdJob.test(mac?.launchdJob ?? '')) continue;
    if (rule.homebrewService === true && (mac?.homebrewService ?? null) === null) continue;
    const forward = rule.forwarder === undefined ? undefined : socket?.forward;
    if (rule.forwarder !== undefined && forward?.forwarder !== rule.forwarder) continue;
    const { os: _os, names: _names, ports: _ports, pid: _pid, service: _service, launchdJob: _job, homebrewService: _brew, forwarder: _forwarder, fixForContainer, fixForForward, ...holder } = rule;
    const container = mac?.publishes?.find((p) => p.port === port);
    const root = proc.uid === 0;
    const values: [string, string | null | undefined][] = [
      ['PID_OF_HOLDER', String(proc.pid)],
      ['PORT', String(port)],
      ['CONTAINER', container?.container],
      ['IMAGE', container?.image],
      ['FORMULA', mac?.homebrewService],
      ['LABEL', mac?.launchdJob],
      // A job of root's is in the system domain, a user's in their GUI domain.
      ['DOMAIN', root ? 'system' : proc.uid !== undefined && proc.uid >= 0 ? `gui/${proc.uid}` : 'gui/$(id -u)'],
      ['SUDO', root ? 'sudo ' : ''],
      ['ADDRESS', socket?.address],
      ['FORWARD_STOP', forward?.stop],
      ['DESTINATION', forward?.to === null || forward?.to === undefined ? undefined : hostPort(forward.to.host, forward.to.port)],
    ];
    const fill = (text: string): string => values.reduce((out, [placeholder, value]) => (value === null || value === undefined ? out : out.replaceAll(placeholder, value)), text);
    const fix = container !== undefined && fixForContainer !== undefined ? fixForContainer : forward?.to !== null && forward?.to !== undefined && fixForForward !== undefined ? fixForForward : holder.fix;
    // A forward without a destination is the back-end saying it could not confirm the rule.
    const unconfirmed = forward !== undefined && forward.to === null ? (forward.unread ?? 'the rule behind the port was not read') : null;
    return {
      ...holder,
      what: fill(holder.what) + (unconfirmed === null ? '' : ' (unconfirmed)'),
      detail: fill(holder.detail) + (unconfirmed === null ? '' : ` Not confirmed: ${unconfirmed}.`),
      fix: fill(fix),
      ...(unconfirmed === null ? {} : { unconfirmed }),
    };
  }
  return null;
}
