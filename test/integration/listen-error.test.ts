import net from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { explainListenError } from '../../src/listen-error.js';
import { startListener } from '../helpers/processes.js';

async function listenError(port: number, host: string): Promise<NodeJS.ErrnoException> {
  const server = net.createServer();
  server.listen(port, host);
  const [error] = (await once(server, 'error')) as [NodeJS.ErrnoException];
  server.close();
  return error;
}

describe('explainListenError: a server.listen() failure explained by the doctor', () => {
  it('names the process holding the port for a real EADDRINUSE, with the fix', async () => {
    await using holder = await startListener(['tcp:127.0.0.1:0']);
    const port = holder.sockets[0]!.port;
    const error = await listenError(port, '127.0.0.1');
    expect(error.code).toBe('EADDRINUSE');
    const explained = await explainListenError(error);
    expect(explained).not.toBeNull();
    expect(explained!.message).toContain(`127.0.0.1:${port} (EADDRINUSE)`);
    expect(explained!.message).toContain(`pid ${holder.pid}`);
    expect(explained!.message).toContain(`portdoctor kill ${port}`);
    const inUse = explained!.report.findings.find((f) => f.code === 'port-in-use');
    expect(inUse?.severity).toBe('error');
  });

  it('explains a wildcard holder blocking a loopback bind', async () => {
    await using holder = await startListener(['tcp:0.0.0.0:0']);
    const port = holder.sockets[0]!.port;
    const explained = await explainListenError(await listenError(port, '127.0.0.1'));
    expect(explained!.message).toMatch(/wildcard \(0\.0\.0\.0\) covers every IPv4 address/);
  });

  it('explains EADDRNOTAVAIL for an address this machine does not have', async () => {
    const error = await listenError(0, '192.0.2.1');
    expect(error.code).toBe('EADDRNOTAVAIL');
    const explained = await explainListenError(error, { port: 4000 });
    expect(explained!.report.findings.map((f) => f.code)).toContain('address-not-available');
  });

  it('returns null for errors that are not about binding', async () => {
    expect(await explainListenError(new Error('boom'))).toBeNull();
    expect(await explainListenError(Object.assign(new Error('x'), { code: 'ECONNRESET', syscall: 'read' }))).toBeNull();
    expect(await explainListenError(null)).toBeNull();
  });
});
