import { platform } from './platform/index.js';
import type { SocketInventory, SocketQuery } from './platform/types.js';
import type { Port, Socket } from './types.js';

export type { ScanStats, SocketInventory, SocketQuery } from './platform/types.js';

/**
 * Every socket matching the query, with the processes that hold it.
 *
 * @example
 * const { sockets } = await listSockets({ protocols: ['tcp'] });
 * for (const s of sockets) console.log(s.address, s.port, s.processes.map((p) => p.pid));
 */
export async function listSockets(query: SocketQuery = {}): Promise<SocketInventory> {
  return (await platform()).listSockets(query);
}

/**
 * Everything bound to a port: all addresses, both families, TCP and UDP, in every network
 * namespace we can see (a listener in a container is often why "it runs but I can't connect").
 * Listeners come first.
 *
 * @example
 * const { sockets } = await whoHolds([3000]);
 * const pids = sockets.flatMap((s) => s.processes.map((p) => p.pid));
 */
export async function whoHolds(ports: readonly number[], options: { all?: boolean; protocols?: SocketQuery['protocols']; withBacklog?: boolean } = {}): Promise<SocketInventory> {
  return listSockets({
    ports: ports as readonly Port[],
    states: options.all === true ? 'all' : 'listening',
    allNetns: true,
    ...(options.protocols === undefined ? {} : { protocols: options.protocols }),
    ...(options.withBacklog === undefined ? {} : { withBacklog: options.withBacklog }),
  });
}

/** True for a socket that accepts: TCP LISTEN, or a UDP socket that is bound and not connected. */
export function isListening(socket: Socket): boolean {
  return socket.state === 'LISTEN' || (socket.protocol === 'udp' && socket.state === 'UNCONN');
}

/**
 * True for a socket in the network namespace portdoctor runs in — always, on OSes without
 * network namespaces (the socket has no `netns`).
 */
export function inCurrentNetns(socket: Socket): boolean {
  return socket.netns?.current ?? true;
}
