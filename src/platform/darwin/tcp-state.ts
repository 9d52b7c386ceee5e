import type { SocketState } from '../../types.js';

/**
 * The TCP state names macOS tools print (the kernel's tcpstates[] of <netinet/tcp_fsm.h>, used by
 * netstat and by lsof's `TST=`), spelled the way `ss` spells them. CLOSED is a TCP socket that is
 * not connected, which `ss` shows as UNCONN.
 */
const TCP_STATES: Readonly<Record<string, SocketState>> = {
  CLOSED: 'UNCONN',
  LISTEN: 'LISTEN',
  SYN_SENT: 'SYN-SENT',
  SYN_RCVD: 'SYN-RECV',
  SYN_RECEIVED: 'SYN-RECV',
  ESTABLISHED: 'ESTAB',
  CLOSE_WAIT: 'CLOSE-WAIT',
  FIN_WAIT_1: 'FIN-WAIT-1',
  CLOSING: 'CLOSING',
  LAST_ACK: 'LAST-ACK',
  FIN_WAIT_2: 'FIN-WAIT-2',
  TIME_WAIT: 'TIME-WAIT',
};

/**
 * The `ss` spelling of a BSD TCP state name, or null when the name is not one.
 *
 * @example
 * tcpState('ESTABLISHED'); // 'ESTAB'
 * tcpState('SYN_RCVD');    // 'SYN-RECV'
 * tcpState('12');          // null
 */
export function tcpState(name: string): SocketState | null {
  return TCP_STATES[name] ?? null;
}
