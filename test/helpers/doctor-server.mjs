#!/usr/bin/env node
// A misbehaving (or well-behaved) server for the doctor's integration tests.
// Usage: node doctor-server.mjs MODE HOSTS PORT [ARG…]
//   MODE http STATUS      answers every HTTP request with STATUS (200, 500 …)
//   MODE reset            accepts, then resets the connection (RST) at once
//   MODE tls CERT KEY     a TLS server (HTTP over TLS, 200) with the given PEM files
//   MODE udp              a bound UDP socket that ignores datagrams
// HOSTS is a comma-separated list of addresses (127.0.0.1,::1); IPv6 ones are IPv6-only, except :: (dual-stack). Prints one JSON line
// {"pid","port"} once every socket listens; exits by itself after 120 s (bounded).
import { readFileSync } from 'node:fs';
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

const [mode, hostList, portText, ...rest] = process.argv.slice(2);
const hosts = (hostList ?? '127.0.0.1').split(',');
const port = Number(portText ?? 0);
setTimeout(() => process.exit(0), 120_000).unref();
// Keep the process alive even when no socket is ref'd (e.g. a stopped test still needs us).
const keepAlive = setInterval(() => undefined, 60_000);
process.on('SIGTERM', () => process.exit(0));
void keepAlive;

function makeServer() {
  if (mode === 'http') {
    const status = Number(rest[0] ?? 200);
    return http.createServer((req, res) => {
      res.writeHead(status, { 'content-type': 'text/plain', server: 'pd-test' });
      res.end(`status ${status}\n`);
    });
  }
  if (mode === 'tls') {
    return https.createServer({ cert: readFileSync(rest[0]), key: readFileSync(rest[1]) }, (req, res) => {
      res.writeHead(200, { server: 'pd-test-tls' });
      res.end('ok\n');
    });
  }
  if (mode === 'reset') {
    return net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resetAndDestroy();
    });
  }
  throw new Error(`unknown mode ${mode}`);
}

const bound = [];
for (const host of hosts) {
  if (mode === 'udp') {
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise((resolve, reject) => { s.once('error', reject); s.bind(port, host, resolve); });
    bound.push(s.address().port);
    continue;
  }
  const server = makeServer();
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen({ host, port, ipv6Only: host.includes(':') && host !== '::' }, resolve); });
  bound.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ pid: process.pid, port: bound[0] })}\n`);
