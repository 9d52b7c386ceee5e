// A test child that connects to 127.0.0.1:PORT and stays connected: a client, never a kill target.
//   node port-client.mjs PORT    → prints {"pid", "localPort"} once connected
import { connect } from 'node:net';

const socket = connect({ host: '127.0.0.1', port: Number(process.argv[2]) }, () => {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, localPort: socket.localPort })}\n`);
});
socket.on('error', () => {});
setInterval(() => {}, 1 << 30);
