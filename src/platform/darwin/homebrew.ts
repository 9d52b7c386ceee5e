/**
 * Homebrew services run under launchd with the label `homebrew.mxcl.FORMULA` (`brew services
 * start`), from a Homebrew prefix: `/opt/homebrew` (Apple silicon) or `/usr/local` (Intel), as
 * `PREFIX/opt/FORMULA/…` or `PREFIX/Cellar/FORMULA/VERSION/…`.
 */
const LABEL = /^homebrew\.mxcl\.(.+)$/;
const PREFIX_PATH = /^(?:\/opt\/homebrew|\/usr\/local)\/(?:opt|Cellar)\/([^/\s]+)\//;

/**
 * The formula a Homebrew service runs, for `brew services stop NAME`: from its launchd label, or
 * from a command under a Homebrew prefix run by launchd (parent pid 1). Null otherwise.
 *
 * @example
 * homebrewServiceOf(null, '/opt/homebrew/opt/postgresql@16/bin/postgres -D /opt/homebrew/var/postgresql@16', 1); // 'postgresql@16'
 * homebrewServiceOf('homebrew.mxcl.redis', '/opt/homebrew/opt/redis/bin/redis-server', 1);                        // 'redis'
 */
export function homebrewServiceOf(launchdJob: string | null, command: string, ppid: number | null): string | null {
  const label = launchdJob === null ? null : LABEL.exec(launchdJob);
  if (label !== null) return label[1] ?? null;
  if (launchdJob !== null || ppid !== 1) return null;
  return PREFIX_PATH.exec(command)?.[1] ?? null;
}
