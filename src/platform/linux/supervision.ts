import type { Supervision } from '../../actions/kill-types.js';
import type { ProcessInfo, Socket } from '../../types.js';

/**
 * `user@1000.service` is the user's whole service manager, and every process of a desktop session
 * lives below it: stopping it logs the user out. It is never advice.
 */
function isSessionManagerUnit(unit: string): boolean {
  return /^user@\d+\.service$/.test(unit) || /^(session-\d+|init)\.scope$/.test(unit);
}

/**
 * Who would restart (or really owns) a process on Linux, and the command that stops it properly:
 * docker-proxy, a container, a systemd unit (system or user), or another network namespace. Pure.
 */
export function linuxSupervision(proc: ProcessInfo, socket: Socket, userManaged: boolean): Supervision | null {
  if (proc.name === 'docker-proxy') {
    return { kind: 'docker-proxy', name: 'docker-proxy', advice: `docker stop $(docker ps -q --filter publish=${socket.port})` };
  }
  if (proc.container !== null) {
    const id = proc.container.slice(0, 12);
    return { kind: 'container', name: id, advice: `docker stop ${id}` };
  }
  if (proc.unit !== undefined && proc.unit !== null && !isSessionManagerUnit(proc.unit)) {
    return userManaged
      ? { kind: 'systemd-user', name: proc.unit, advice: `systemctl --user stop ${proc.unit}` }
      : { kind: 'systemd', name: proc.unit, advice: `systemctl stop ${proc.unit}` };
  }
  if (socket.netns !== undefined && !socket.netns.current) {
    const name = socket.netns.name ?? `net:[${socket.netns.id}]`;
    const advice = socket.netns.name === null ? `nsenter --net=/proc/${proc.pid}/ns/net ss -ltnup` : `ip netns pids ${socket.netns.name}`;
    return { kind: 'netns', name, advice };
  }
  return null;
}
