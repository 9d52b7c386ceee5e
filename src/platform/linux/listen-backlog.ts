
/**
 * The accept backlog of TCP listeners (the limit set by listen(2)) is not published in
 * /proc/net/tcp: for LISTEN rows the kernel prints tx_queue as 0 there. Only the sock_diag
 * netlink interface has it, which Node cannot speak, so we ask `ss` for it — without `-p`, which
 * is a single netlink dump, not the /proc fd walk that makes `ss -p` slow.
 *
 * `ss -ltneH` prints e.g. `LISTEN 0 511 127.0.0.1:3000 0.0.0.0:* ino:6788 sk:1 cgroup:/ <->`.
 */
export function parseSsBacklogs(text: string): Map<number, number> {
  const backlogs = new Map<number, number>();
  for (const line of text.split('\n')) {
    const inodeAt = line.indexOf(' ino:');
    if (inodeAt === -1) continue;
    const fields = line.trim().split(/\s+/);
    const backlog = Number(fields[2]);
    const inode = Number.parseInt(line.slice(inodeAt + 5), 10);
    if (Number.isFinite(backlog) && Number.isFinite(inode)) backlogs.set(inode, backlog);
  }
  return backlogs;
}

/**
 * inode → backlog for the TCP listeners of one namespace (the current one, or the one a pid is in,
 * entered with nsenter, which needs root). An empty map when `ss` is missing or fails: the backlog
 * is then reported as unknown (0), the rest of the inventory is unaffected.
 */
export async function readListenBacklogs(options: { port?: number; nsPid?: number } = {}): Promise<Map<number, number>> {
  // child_process is loaded only when a backlog is wanted: `ls` and `who` without --json skip it.
  const { runTool } = await import('./run-tool.js');
  const ssArgs = ['-ltneH'];
  if (options.port !== undefined) ssArgs.push(`sport = :${options.port}`);
  const result =
    options.nsPid === undefined
      ? await runTool('ss', ssArgs, { timeoutMs: 3000 })
      : await runTool('nsenter', ['-t', String(options.nsPid), '-n', 'ss', ...ssArgs], { timeoutMs: 3000 });
  return result.ok ? parseSsBacklogs(result.stdout) : new Map();
}
