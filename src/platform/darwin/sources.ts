/**
 * Every raw source the macOS back-end reads: its snapshot key (a public contract, documented in
 * the README) and the exact command or file behind it. Commands run without a shell, with
 * LC_ALL=C (ps's lstart is only parseable in the C locale); netstat and lsof always get -n and
 * -P (name and port lookups stall them for seconds).
 */
export interface CommandSpec {
  readonly key: string;
  readonly command: string;
  readonly args: readonly string[];
}

export const SOCKET_FILTER_FW = '/usr/libexec/ApplicationFirewall/socketfilterfw';

export const DARWIN_COMMANDS = {
  /** Every TCP socket, with -v's pid columns and -l's full IPv6 addresses. */
  netstatTcp: { key: 'netstat-tcp', command: 'netstat', args: ['-anvl', '-p', 'tcp'] },
  netstatUdp: { key: 'netstat-udp', command: 'netstat', args: ['-anvl', '-p', 'udp'] },
  /**
   * Every internet socket of every process lsof may see (all of them as root, our own otherwise),
   * NUL-terminated fields: p pid, g pgid, R ppid, c command (+c 0: the whole name), u uid,
   * L login, f fd, t type (IPv4/IPv6), d device (the socket's kernel address), P protocol,
   * n addresses, T TCP state and queues. -w: no warnings on stderr.
   */
  lsof: { key: 'lsof-inet', command: 'lsof', args: ['-nP', '-w', '+c', '0', '-F0pgRcuLftdPnT', '-i'] },
  ps: { key: 'ps', command: 'ps', args: ['-axww', '-o', 'pid=,ppid=,uid=,user=,lstart=,args='] },
  psState: { key: 'ps-state', command: 'ps', args: ['-axo', 'pid=,stat='] },
  /** lstart is local time without a zone: the offset makes it an instant. */
  tz: { key: 'tz', command: 'date', args: ['+%z'] },
  /** The user's launchd jobs with their pids (a root run sees the system domain). */
  launchctl: { key: 'launchctl-list', command: 'launchctl', args: ['list'] },
  portRange: {
    key: 'sysctl-portrange',
    command: 'sysctl',
    args: ['net.inet.ip.portrange.first', 'net.inet.ip.portrange.last', 'net.inet.ip.portrange.hifirst', 'net.inet.ip.portrange.hilast'],
  },
  ifconfigLo0: { key: 'ifconfig-lo0', command: 'ifconfig', args: ['lo0'] },
  socketFilter: { key: 'socketfilterfw', command: SOCKET_FILTER_FW, args: ['--getglobalstate', '--getstealthmode', '--getblockall'] },
  pfInfo: { key: 'pfctl-info', command: 'pfctl', args: ['-s', 'info'] },
  pfRules: { key: 'pfctl-rules', command: 'pfctl', args: ['-sr'] },
  pfInterfaces: { key: 'pfctl-interfaces', command: 'pfctl', args: ['-s', 'Interfaces', '-v'] },
  /**
   * Docker Desktop's published ports, to name the container behind com.docker.backend. The CLI
   * rather than the Engine API: the API client is not part of this back-end yet.
   */
  dockerPs: { key: 'docker-ps', command: 'docker', args: ['ps', '--format', '{{json .}}'] },
} as const satisfies Readonly<Record<string, CommandSpec>>;

export const DARWIN_FILES = {
  hosts: { key: 'hosts', path: '/etc/hosts' },
  services: { key: 'services', path: '/etc/services' },
} as const;

/** `ps -o pid=,uid=,lstart= -p PIDS`: what `kill` re-reads just before each signal (never recorded). */
export const PS_IDENTITY_ARGS = (pids: readonly number[]): string[] => ['-o', 'pid=,ppid=,uid=,lstart=', '-p', pids.join(',')];

/** `lsof -nP -w -a -p PID -i PROTO:PORT -F0pfPnT`: does this pid still hold the port? (never recorded; f asked for, since a file set starts at it) */
export const LSOF_HOLDS_ARGS = (pid: number, protocol: 'tcp' | 'udp', port: number): string[] => ['-nP', '-w', '-a', '-p', String(pid), '-i', `${protocol.toUpperCase()}:${port}`, '-F0pfPnT'];
