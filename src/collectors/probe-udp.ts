import dgram from 'node:dgram';
import { errnoCode } from '../errors.js';
import type { Family } from '../types.js';
import { elapsedMs, statusOfConnectError, type ProbeStatus } from './probe-status.js';

export interface UdpAttemptOutcome {
  readonly status: ProbeStatus;
  readonly latencyMs: number | null;
  readonly error: string | null;
  /** First bytes of a reply, printable, when the server answered. */
  readonly reply: string | null;
}

/**
 * One UDP "connection" attempt: send an empty datagram on a connected UDP socket and listen.
 *
 * The inherent ambiguity of UDP: a closed port answers with ICMP port-unreachable, which Linux
 * reports on a connected socket as ECONNREFUSED → `refused`. A reply → `open`. No reply at all is
 * `silent`, and it means either "a socket is bound but ignored an empty datagram" (most UDP
 * servers do) or "a firewall dropped it" — the two look the same from here. On loopback the kernel
 * sends ICMP without rate limits, so `silent` on 127.0.0.1/::1 almost always means bound.
 */
export function attemptUdp(address: string, family: Family, port: number, timeoutMs: number): Promise<UdpAttemptOutcome> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(family === 'ipv6' ? 'udp6' : 'udp4');
    const start = performance.now();
    let settled = false;
    const finish = (outcome: UdpAttemptOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ status: 'silent', latencyMs: null, error: null, reply: null }), timeoutMs);
    socket.on('message', (message) => {
      const reply = [...message.subarray(0, 60)].map((byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('');
      finish({ status: 'open', latencyMs: elapsedMs(start), error: null, reply });
    });
    socket.on('error', (error) => {
      const code = errnoCode(error) ?? 'EUNKNOWN';
      finish({ status: statusOfConnectError(code), latencyMs: elapsedMs(start), error: code, reply: null });
    });
    socket.connect(port, address, () => {
      socket.send(Buffer.alloc(0));
    });
  });
}
