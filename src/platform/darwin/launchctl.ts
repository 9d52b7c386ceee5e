/**
 * `launchctl list` (without root: the jobs of the user's GUI domain): a `PID Status Label` header
 * and tab-separated rows; PID is `-` for a job that is loaded but not running.
 */

/**
 * The running jobs: pid → label. Labels of apps a person opened (`application.…`) and anonymous
 * jobs (`….anonymous.…`) are left out: launchd started them, but nothing restarts them, so they
 * are not services.
 *
 * @example
 * parseLaunchctlList('PID\tStatus\tLabel\n623\t0\tcom.apple.Finder\n-\t0\tcom.apple.quicklook\n').get(623); // 'com.apple.Finder'
 */
export function parseLaunchctlList(text: string): Map<number, string> {
  const jobs = new Map<number, string>();
  for (const line of text.split('\n')) {
    const [pid, , label] = line.split('\t');
    if (pid === undefined || label === undefined || !/^\d+$/.test(pid.trim())) continue;
    const name = label.trim();
    if (name === '' || name.startsWith('application.') || name.includes('.anonymous.')) continue;
    jobs.set(Number(pid.trim()), name);
  }
  return jobs;
}
