/**
 * conmon: Podman's per-container monitor. Rootful Podman hands it the published ports' sockets to
 * hold (so nothing else can take them) while DNAT rules (CNI portmap or netavark) forward the
 * traffic. Its command line names the container: `-c/--cid ID` and `-n/--name NAME` (conmon's
 * GOption flags, as Podman 4.3 passes them, observed in this repository's Podman test).
 */

export interface ConmonContainer {
  readonly id: string | null;
  readonly name: string | null;
}

/**
 * The container a conmon process watches, from its argv; null when neither is there. Scanning stops
 * at `--exit-command`, whose arguments are another program's.
 *
 * @example
 * conmonContainer(['/usr/bin/conmon', '--api-version', '1', '-c', '601cc67f…', '-n', 'web']) // { id: '601cc67f…', name: 'web' }
 */
export function conmonContainer(argv: readonly string[]): ConmonContainer | null {
  let id: string | null = null;
  let name: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--exit-command' || arg === '--') break;
    const value = (short: string, long: string): string | null => {
      if (arg === short || arg === long) return argv[i + 1] ?? null;
      if (arg.startsWith(`${long}=`)) return arg.slice(long.length + 1);
      if (arg.startsWith(short) && arg.length > short.length && !arg.startsWith('--')) return arg.slice(short.length);
      return null;
    };
    id ??= value('-c', '--cid');
    name ??= value('-n', '--name');
  }
  return id === null && name === null ? null : { id, name };
}
