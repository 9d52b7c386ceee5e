import { isServiceManager } from '../causes/holders.js';
import type { SocketActivator } from '../platform/advice-causes-types.js';
import type { Rule } from '../doctor/types.js';
import type { SocketUnit } from '../platform/types.js';
import { adviceFor } from '../platform/advice.js';
import type { ProcessInfo, Socket } from '../types.js';
import { finding, listeners, socketEvidence, where } from './helpers.js';

/** systemd-socket-activate's comm is truncated to 15 bytes: "systemd-socket-". */
const isActivator = (p: ProcessInfo): boolean => p.name.startsWith('systemd-socket');

/** The socket unit listening on the socket's port and address (or on the wildcard that covers it). */
function unitFor(units: readonly SocketUnit[], socket: Socket): SocketUnit | null {
  const onPort = units.filter((u) => u.port === socket.port);
  return onPort.find((u) => u.address === socket.address) ?? onPort.find((u) => u.address === '::' || u.address === '0.0.0.0') ?? onPort[0] ?? null;
}

function activatorOf(facts: Parameters<Rule['evaluate']>[0], socket: Socket): SocketActivator | null {
  const manager = socket.processes.find(isServiceManager);
  if (manager !== undefined) {
    const units = facts.causes.socketUnits?.ok === true ? facts.causes.socketUnits.value : [];
    const unit = unitFor(units, socket);
    return { kind: manager.pid === 1 ? 'system' : 'user', pid: manager.pid, unit: unit?.unit ?? null, activates: unit?.activates ?? [] };
  }
  const activator = socket.processes.find(isActivator);
  return activator === undefined ? null : { kind: 'activator', pid: activator.pid, name: activator.name, command: activator.command };
}

/**
 * The port is held by a socket-activating service manager: systemd (pid 1) or a user's systemd
 * for a `.socket` unit, or a stand-alone activator (systemd-socket-activate). Stopping the
 * service, or killing what it started, does not free the port: the socket stays open and starts
 * it again. The fix names the unit (from the service manager's socket list).
 */
export const socketActivation: Rule = {
  step: 'identify-application',
  codes: ['socket-activation'],
  evaluate(facts) {
    for (const socket of listeners(facts, { current: true })) {
      const holder = activatorOf(facts, socket);
      if (holder === null) continue;
      const text = adviceFor(facts.os).socketActivation(holder, socket.port);
      const serverView = facts.views.includes('server');
      const bindOnly = serverView && facts.views.length === 1;
      const unitText = holder.kind === 'activator' ? '' : (holder.unit ?? 'a socket unit');
      const unitsUnread = holder.kind !== 'activator' && facts.causes.socketUnits !== null && !facts.causes.socketUnits.ok ? ` (${facts.causes.socketUnits.reason})` : '';
      return [
        finding(
          'socket-activation',
          bindOnly ? 'error' : serverView ? 'warning' : 'info',
          holder.kind === 'activator' ? `Port ${socket.port} is held by the socket activator ${holder.name} (pid ${holder.pid})` : `Port ${socket.port} is held by ${holder.kind === 'system' ? 'systemd' : 'a user systemd'} for ${unitText} (socket activation)`,
          `${where(socket)}: ${text.detail}${unitsUnread}`,
          text.fix,
          { holder, socket: socketEvidence(socket), units: facts.causes.socketUnits?.ok === true ? facts.causes.socketUnits.value.filter((u) => u.port === socket.port) : null },
        ),
      ];
    }
    return [];
  },
};
