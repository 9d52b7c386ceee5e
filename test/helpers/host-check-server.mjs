#!/usr/bin/env node
// An HTTP server that checks the Host header the way three dev servers do, answering with their
// own words (quoted from their sources; see src/causes/rejections.ts):
//   webpack  webpack-dev-server ≥ 4, lib/Server.js @ f78499fbb2f3cdb32f00894dd2535b997ae13104:
//            allows localhost, *.localhost and IP literals; else 403 "Invalid Host header".
//   vite     vite packages/vite/src/node/server/middlewares/hostCheck.ts @ a98c8d95d552c6fa98ab66fb810f5b39ad5abf49
//            via host-validation-middleware src/middleware.ts: allows localhost, *.localhost and IP
//            literals; else 403 text/plain "Blocked request. This host ("NAME") is not allowed.\n…".
//   django   django/http/request.py (get_host, DisallowedHost) with ALLOWED_HOSTS = ALLOWED (a
//            comma-separated list): else 400 with DEBUG's page title and message.
// Usage: node host-check-server.mjs MODE HOST PORT [ALLOWED]
// Prints {"pid","port"} once listening; exits by itself after 120 s (bounded).
import http from 'node:http';
import net from 'node:net';

const [mode, host = '127.0.0.1', portText = '0', allowed = 'localhost'] = process.argv.slice(2);
setTimeout(() => process.exit(0), 120_000).unref();
process.on('SIGTERM', () => process.exit(0));

function hostnameOf(header) {
  const value = header ?? '';
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.replace(/:\d+$/, '');
}

function devServerAllows(name) {
  const bare = name.replace(/^\[|\]$/g, '');
  return name === 'localhost' || name.endsWith('.localhost') || net.isIP(bare) !== 0;
}

const server = http.createServer((req, res) => {
  const name = hostnameOf(req.headers.host);
  if (mode === 'webpack' && !devServerAllows(name)) {
    res.statusCode = 403;
    res.end('Invalid Host header');
    return;
  }
  if (mode === 'vite' && !devServerAllows(name)) {
    const quoted = JSON.stringify(name);
    res.writeHead(403, { 'Content-Type': 'text/plain' });
    res.end(`Blocked request. This host (${quoted}) is not allowed.\nTo allow this host, add ${quoted} to \`server.allowedHosts\` in vite.config.js.`);
    return;
  }
  if (mode === 'django' && !allowed.split(',').includes(name)) {
    const message = `Invalid HTTP_HOST header: '${req.headers.host}'. You may need to add '${name}' to ALLOWED_HOSTS.`;
    res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!DOCTYPE html>\n<html lang="en">\n<head>\n  <meta http-equiv="content-type" content="text/html; charset=utf-8">\n  <title>DisallowedHost\n          at /\n</title>\n</head>\n<body>\n<h1>DisallowedHost\n       at /</h1>\n<pre class="exception_value">${message}</pre>\n</body>\n</html>\n`);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><title>app</title>\n');
});
server.listen({ host, port: Number(portText), ipv6Only: host.includes(':') && host !== '::' }, () => {
  process.stdout.write(`${JSON.stringify({ pid: process.pid, port: server.address().port })}\n`);
});
