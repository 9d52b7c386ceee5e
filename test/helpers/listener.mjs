#!/usr/bin/env node
// A test listener process. Usage: node listener.mjs [--ignore-term] [--share] SPEC…
// SPEC is proto:host:port, e.g. tcp:127.0.0.1:0  tcp6:::1:0  udp:0.0.0.0:0  (host may contain colons).
// Prints one JSON line {"pid", "sockets":[{"protocol","host","port"}], "children":[pid]} once every socket
// is bound, then stays alive (bounded: it exits by itself after --lifetime seconds, default 120).
// --share forks a second process (python3 os.fork) that inherits the same listening socket: a pre-fork server.
// --connect N opens N TCP connections to the first TCP listener (both ends held by this process).
import net from 'node:net';
import dgram from 'node:dgram';

const args = process.argv.slice(2);
let lifetime = 120;
let connections = 0;
const specs = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--ignore-term') process.on('SIGTERM', () => {});
  else if (a === '--lifetime') lifetime = Number(args[++i]);
  else if (a === '--connect') connections = Number(args[++i]);
  else if (a === '--share' || a === '--child') continue;
  else specs.push(a);
}
setTimeout(() => process.exit(0), lifetime * 1000);

if (args.includes('--child')) {
  // A worker of a pre-fork server: it receives the parent's listening handle and holds it.
  process.on('message', (message, handle) => {
    if (message === 'server' && handle) process.send?.('held');
  });
} else {

const sockets = [];
const servers = [];
let accepted = 0;
let onAccept = () => {};
for (const spec of specs) {
  const first = spec.indexOf(':');
  const last = spec.lastIndexOf(':');
  const protocol = spec.slice(0, first);
  const host = spec.slice(first + 1, last);
  const port = Number(spec.slice(last + 1));
  if (protocol.startsWith('udp')) {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise((resolve, reject) => { s.once('error', reject); s.bind(port, host, resolve); });
    sockets.push({ protocol: 'udp', host, port: s.address().port });
  } else {
    const s = net.createServer((c) => {
      c.on('error', () => {});
      accepted++;
      onAccept();
    });
    await new Promise((resolve, reject) => { s.once('error', reject); s.listen({ host, port, ipv6Only: protocol === 'tcp6only' }, resolve); });
    sockets.push({ protocol: 'tcp', host, port: s.address().port });
    servers.push(s);
  }
}
const clients = [];
const target = sockets.find((s) => s.protocol === 'tcp');
for (let i = 0; i < connections && target !== undefined; i++) {
  const client = net.connect({ host: target.host, port: target.port });
  await new Promise((resolve, reject) => { client.once('error', reject); client.once('connect', resolve); });
  clients.push(client);
}
// Ready only once the server side has accepted every connection: a connection still in the accept
// queue would show as queue.recv 1 to one reader and 0 to the next.
await new Promise((resolve) => {
  onAccept = () => accepted >= clients.length && resolve();
  onAccept();
});
const children = [];
if (args.includes('--share')) {
  const { fork } = await import('node:child_process');
  for (const server of servers) {
    const worker = fork(new URL(import.meta.url).pathname, ['--child', '--lifetime', String(lifetime)], { stdio: 'ignore' });
    // keepOpen: the parent keeps the socket too, so both processes hold the same listening socket.
    await new Promise((resolve) => { worker.once('message', resolve); worker.send('server', server, { keepOpen: true }); });
    children.push(worker.pid);
  }
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, sockets, children })}\n`);
}
