import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axiosBypasses, curlBypasses, goBypasses, maskProxy, noProxyValue, proxyVerdicts, undiciBypasses, type ProxyClient } from '../../src/causes/proxy-env.js';
import { proxyEndpoint } from '../../src/causes/proxy-confirm.js';
import { dechunk, parseHttpHead } from '../../src/causes/http-exchange.js';
import { classifyHostRejection, clientRejection } from '../../src/causes/rejections.js';
import { hostNamesToCheck } from '../../src/causes/host-check.js';
import { listenAddress, parseEnviron, parseListSockets, parseOpenFilesLimit } from '../../src/platform/linux/causes-parsers.js';
import { answerersOf, programsOf } from '../../src/rules/port-shared.js';
import { supersede } from '../../src/rules/supersede.js';
import type { Finding } from '../../src/types.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import { DARWIN_CAUSE_SOURCES } from '../../src/platform/darwin/causes.js';
import { WIN32_CAUSE_SOURCES } from '../../src/platform/win32/causes.js';
import { CAUSE_CASES } from '../helpers/cause-cases.js';
import { listener, proc } from '../helpers/facts.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/causes');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** Which of the four clients send http://HOST:PORT to the proxy, for an environment (Node only when it reads the environment at all). */
function proxiedBy(env: Record<string, string>, host: string, port = 3000, scheme: 'http' | 'https' = 'http'): ProxyClient[] {
  return proxyVerdicts(env, scheme, host, port)
    .filter((v) => v.proxied && v.active)
    .map((v) => v.client);
}

describe('NO_PROXY as each client reads it (curl lib/noproxy.c, undici EnvHttpProxyAgent, proxy-from-env for axios, Go httpproxy)', () => {
  const http = { http_proxy: 'http://proxy:3128' };

  it('curl reads http_proxy in lower case only: HTTP_PROXY alone proxies axios and Node, not curl (libcurl-env(3))', () => {
    expect(proxiedBy({ HTTP_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '1' }, 'localhost')).toEqual(['node', 'axios']);
    expect(proxiedBy({ HTTPS_PROXY: 'http://proxy:3128' }, 'localhost', 3000, 'https')).toEqual(['curl', 'axios']);
  });

  it('ALL_PROXY is read by curl and axios, not by Node or Go', () => {
    expect(proxiedBy({ ALL_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '1' }, 'myapp.test')).toEqual(['curl', 'axios']);
  });

  it('Go never proxies localhost or a loopback address, whatever NO_PROXY says; it does proxy another name', () => {
    const env = { HTTP_PROXY: 'http://proxy:3128' };
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1']) expect(proxiedBy(env, host)).not.toContain('go');
    expect(proxiedBy(env, 'myapp.test')).toContain('go');
  });

  it('Node reads the environment only with NODE_USE_ENV_PROXY=1 or --use-env-proxy: otherwise its verdict is marked inactive', () => {
    const off = proxyVerdicts(http, 'http', 'localhost', 3000).find((v) => v.client === 'node')!;
    expect(off).toMatchObject({ proxied: true, active: false });
    expect(proxyVerdicts({ ...http, NODE_OPTIONS: '--use-env-proxy' }, 'http', 'localhost', 3000).find((v) => v.client === 'node')?.active).toBe(true);
  });

  it('a port in an entry: undici and axios honour it, curl ignores the entry altogether', () => {
    expect(curlBypasses('localhost', 'localhost:3000')).toBe(false);
    expect(undiciBypasses('localhost', 3000, 'localhost:3000')).toBe(true);
    expect(undiciBypasses('localhost', 3001, 'localhost:3000')).toBe(false);
    expect(axiosBypasses('localhost', 3000, 'localhost:3000')).toBe(true);
    expect(axiosBypasses('localhost', 3001, 'localhost:3000')).toBe(false);
    expect(goBypasses('myapp.test', 3000, 'myapp.test:3000')).toBe(true);
    expect(goBypasses('myapp.test', 3001, 'myapp.test:3000')).toBe(false);
  });

  it('a leading dot: curl and undici ignore it (.localhost exempts localhost), axios and Go make it subdomains-only', () => {
    expect(curlBypasses('localhost', '.localhost')).toBe(true);
    expect(undiciBypasses('localhost', 3000, '.localhost')).toBe(true);
    expect(axiosBypasses('localhost', 3000, '.localhost')).toBe(false);
    expect(goBypasses('myapp.test', 3000, '.myapp.test')).toBe(false);
    expect(goBypasses('a.myapp.test', 3000, '.myapp.test')).toBe(true);
    expect(axiosBypasses('a.corp.example', 3000, '*.corp.example')).toBe(true);
  });

  it('localhost and 127.0.0.1 are separate entries for everyone: listing one does not exempt the other', () => {
    for (const bypass of [(h: string) => curlBypasses(h, 'localhost'), (h: string) => undiciBypasses(h, 3000, 'localhost'), (h: string) => axiosBypasses(h, 3000, 'localhost')]) {
      expect(bypass('localhost')).toBe(true);
      expect(bypass('127.0.0.1')).toBe(false);
    }
  });

  it('CIDR: curl (≥ 7.86) and Go match 127.0.0.0/8; undici and axios do not', () => {
    expect(curlBypasses('127.0.0.1', '127.0.0.0/8')).toBe(true);
    expect(goBypasses('10.1.2.3', 3000, '10.0.0.0/8')).toBe(true);
    expect(undiciBypasses('127.0.0.1', 3000, '127.0.0.0/8')).toBe(false);
    expect(axiosBypasses('127.0.0.1', 3000, '127.0.0.0/8')).toBe(false);
  });

  it('IPv6: curl wants ::1 (brackets make the entry unusable), axios compares the bracketed [::1]; undici takes either', () => {
    expect(curlBypasses('::1', '::1')).toBe(true);
    expect(curlBypasses('::1', '[::1]')).toBe(false);
    expect(axiosBypasses('::1', 3000, '::1')).toBe(false);
    expect(axiosBypasses('::1', 3000, '[::1]')).toBe(true);
    expect(undiciBypasses('::1', 3000, '::1')).toBe(true);
    expect(undiciBypasses('::1', 3000, '[::1]')).toBe(true);
    expect(curlBypasses('::1', '0:0:0:0:0:0:0:1')).toBe(true);
  });

  it('* alone disables the proxy for curl, undici and axios', () => {
    expect(proxiedBy({ ...http, no_proxy: '*', NODE_USE_ENV_PROXY: '1' }, 'localhost')).toEqual([]);
  });

  it('lower case wins: an empty no_proxy hides NO_PROXY from undici (??), not from axios or curl (empty counts as unset)', () => {
    const env = { ...http, no_proxy: '', NO_PROXY: 'localhost', NODE_USE_ENV_PROXY: '1' };
    expect(proxiedBy(env, 'localhost')).toEqual(['node']);
  });

  it('the suggested NO_PROXY keeps what is there and makes every client go direct', () => {
    expect(noProxyValue({ NO_PROXY: '.corp.example' }, ['localhost', '127.0.0.1'], 3000)).toBe('.corp.example,localhost,127.0.0.1');
    expect(noProxyValue({ no_proxy: 'localhost' }, ['localhost'], 3000)).toBe('localhost');
    expect(noProxyValue({}, ['::1'], 3000)).toBe('::1,[::1]');
  });

  it('property: whatever NO_PROXY held, setting both cases to the suggested value exempts every host for every client', () => {
    const entry = fc.constantFrom('localhost', '.localhost', 'localhost:3000', '127.0.0.1', '127.0.0.0/8', '::1', '[::1]', '*.example', 'myapp.test:8080', '.corp');
    const host = fc.constantFrom('localhost', '127.0.0.1', '::1', 'myapp.test', 'api.myapp.test');
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), fc.uniqueArray(host, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 65535 }), (entries, hosts, port) => {
        const env = { http_proxy: 'http://proxy:3128', HTTP_PROXY: 'http://proxy:3128', NO_PROXY: entries.join(','), NODE_USE_ENV_PROXY: '1' };
        const value = noProxyValue(env, hosts, port);
        const fixed = { ...env, no_proxy: value, NO_PROXY: value };
        for (const h of hosts) expect(proxiedBy(fixed, h, port)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('proxy URLs are reported without credentials; endpoints are read from URLs and host:port', () => {
    expect(maskProxy('http://alice:s3cret@proxy.corp:3128')).toBe('http://***@proxy.corp:3128');
    expect(maskProxy('http://proxy.corp:3128')).toBe('http://proxy.corp:3128');
    expect(proxyEndpoint('proxy.corp:3128')).toEqual({ scheme: 'http', host: 'proxy.corp', port: 3128 });
    expect(proxyEndpoint('http://[::1]:8888')).toEqual({ scheme: 'http', host: '::1', port: 8888 });
    expect(proxyEndpoint('socks5://127.0.0.1')).toEqual({ scheme: 'socks5', host: '127.0.0.1', port: 1080 });
  });
});

describe('Linux sources, on recorded output', () => {
  it('systemctl list-sockets of CentOS 7.7 (jc): sshd.socket on [::]:22 with a blank ACTIVATES, a LISTEN value with a space', () => {
    const units = parseListSockets(fixture('systemctl-list-sockets-centos-7.7-jc.txt'))!;
    expect(units).toHaveLength(14);
    expect(units.find((u) => u.unit === 'sshd.socket')).toEqual({ listen: '[::]:22', address: '::', port: 22, unit: 'sshd.socket', activates: [] });
    expect(units.find((u) => u.listen === 'kobject-uevent 1')).toMatchObject({ address: null, port: null, unit: 'systemd-udevd-kernel.socket', activates: ['systemd-udevd.service'] });
  });

  it('systemctl list-sockets of Ubuntu 18.04 (jc): 24 sockets, none an IP socket', () => {
    const units = parseListSockets(fixture('systemctl-list-sockets-ubuntu-18.04-jc.txt'))!;
    expect(units).toHaveLength(24);
    expect(units.every((u) => u.port === null)).toBe(true);
    expect(units.find((u) => u.listen === 'route 1361')?.unit).toBe('systemd-networkd.socket');
  });

  it('an unexpected header gives no answer', () => {
    expect(parseListSockets('UNIT LOAD ACTIVE\nfoo.socket loaded active\n')).toBeNull();
    expect(parseListSockets('')).toBeNull();
  });

  it('IP LISTEN values: brackets for IPv6, four octets for IPv4, nothing else', () => {
    expect(listenAddress('0.0.0.0:631')).toEqual({ address: '0.0.0.0', port: 631 });
    expect(listenAddress('[::]:22')).toEqual({ address: '::', port: 22 });
    expect(listenAddress('/run/dbus/system_bus_socket')).toBeNull();
    expect(listenAddress('[::]:99999')).toBeNull();
  });

  it('/proc/PID/limits of prlimit --nofile=64:128 (recorded)', () => {
    expect(parseOpenFilesLimit(fixture('proc-limits-prlimit-nofile-64-128.txt'))).toEqual({ soft: 64, hard: 128 });
    expect(parseOpenFilesLimit('Max open files            unlimited            unlimited            files     \n')).toEqual({ soft: null, hard: null });
    expect(parseOpenFilesLimit('Max open files            lots                 128                  files\n')).toBeNull();
    expect(parseOpenFilesLimit('Max cpu time              unlimited            unlimited            seconds\n')).toBeNull();
  });

  it('/proc/PID/environ (recorded): NUL-separated, an empty value kept', () => {
    expect(parseEnviron(readFileSync(join(FIXTURES, 'proc-environ-env-i.bin')))).toEqual({ PATH: '/usr/bin', HTTP_PROXY: 'http://proxy.corp.example:3128', no_proxy: '.corp.example,localhost:3000', EMPTY: '' });
    expect(parseEnviron(Buffer.from('A=1\0A=2\0=x\0junk\0'))).toEqual({ A: '1' });
  });
});

describe('what servers say when they turn a request or a client away', () => {
  it('Host allow-lists: webpack-dev-server, Vite (server and preview), Django', () => {
    expect(classifyHostRejection('Invalid Host header')?.framework).toBe('webpack-dev-server');
    expect(classifyHostRejection('Blocked request. This host ("myapp.test") is not allowed.\nTo allow this host, add "myapp.test" to `preview.allowedHosts` in vite.config.js.')).toEqual({ framework: 'Vite', setting: 'preview.allowedHosts', file: 'vite.config.js' });
    expect(classifyHostRejection("Invalid HTTP_HOST header: 'myapp.test:8000'. You may need to add 'myapp.test' to ALLOWED_HOSTS.")?.setting).toBe('ALLOWED_HOSTS');
    expect(classifyHostRejection('<title>DisallowedHost\n          at /\n</title>')?.framework).toBe('Django');
    expect(classifyHostRejection('Forbidden')).toBeNull();
  });

  it('client refusals: Redis protected mode, pg_hba.conf, MySQL 1130 and 1129', () => {
    expect(clientRejection({ protocol: 'redis', detail: { reply: '-DENIED Redis is running in protected mode' } }, '10.0.0.2')).toMatchObject({ kind: 'protected-mode', clientAddress: '10.0.0.2' });
    expect(clientRejection({ protocol: 'postgres', detail: { reply: 'FATAL 28000: no pg_hba.conf entry for host "127.0.0.1", user "portdoctor-probe", database "portdoctor-probe", no encryption' } }, null)).toMatchObject({
      kind: 'pg-hba',
      clientAddress: '127.0.0.1',
      message: 'no pg_hba.conf entry for host "127.0.0.1", user "portdoctor-probe", database "portdoctor-probe", no encryption',
    });
    expect(clientRejection({ protocol: 'mysql', detail: { reply: "Host '127.0.0.1' is not allowed to connect to this MariaDB server" } }, null)).toMatchObject({ server: 'MariaDB', kind: 'host-not-allowed', clientAddress: '127.0.0.1' });
    expect(clientRejection({ protocol: 'mysql', detail: { reply: "Host '10.0.0.9' is blocked because of many connection errors; unblock with 'mariadb-admin flush-hosts'" } }, null)).toMatchObject({ kind: 'host-blocked', clientAddress: '10.0.0.9' });
    expect(clientRejection({ protocol: 'redis', detail: { reply: '-NOAUTH Authentication required.' } }, null)).toBeNull();
    expect(clientRejection({ protocol: 'postgres', detail: { reply: 'FATAL 3D000: database "portdoctor-probe" does not exist' } }, null)).toBeNull();
  });

  it('HTTP heads: status, headers lower-cased, the start of the body', () => {
    expect(parseHttpHead(Buffer.from('HTTP/1.0 500 Unable to connect\r\nServer: tinyproxy/1.11.1\r\nVia: 1.1 tinyproxy (tinyproxy/1.11.1)\r\n\r\n<html>'), 100)).toEqual({
      status: 500,
      reason: 'Unable to connect',
      headers: { server: 'tinyproxy/1.11.1', via: '1.1 tinyproxy (tinyproxy/1.11.1)' },
      body: '<html>',
    });
    expect(parseHttpHead(Buffer.from('-ERR wrong'), 100)).toBeNull();
  });

  it('a chunked body (what Node sends for res.end without a length, Vite’s 403 included) is read as its data, newlines kept', () => {
    const vite = 'Blocked request. This host ("myapp.test") is not allowed.\nTo allow this host, add "myapp.test" to `server.allowedHosts` in vite.config.js.';
    const wire = `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(vite).toString(16)}\r\n${vite}\r\n0\r\n\r\n`;
    expect(parseHttpHead(Buffer.from(wire), 4096)?.body).toBe(vite);
    expect(dechunk(Buffer.from('5;ext=1\r\nhello\r\n3\r\nabc'))).toEqual(Buffer.from('helloabc'));
    expect(dechunk(Buffer.from('zz\r\n'))).toEqual(Buffer.alloc(0));
  });

  it('the Host names asked: the user’s (localhost for a bare port) and the address, IPv6 in brackets', () => {
    expect(hostNamesToCheck(null, '::1')).toEqual(['localhost', '[::1]']);
    expect(hostNamesToCheck('127.0.0.1', '127.0.0.1')).toEqual(['127.0.0.1']);
  });
});

describe('two programs on one port', () => {
  const node = listener();
  const nodeV6 = listener({ family: 'ipv6', address: '::1', inode: 101 });
  const master = proc({ pid: 10, ppid: 1, name: 'nginx', command: 'nginx: master process' });
  const worker = proc({ pid: 11, ppid: 10, name: 'nginx', command: 'nginx: worker process' });

  it('one process with two sockets, a master and its worker, siblings of one name (docker-proxy per family): one program each', () => {
    expect(programsOf([node, nodeV6])).toHaveLength(1);
    expect(programsOf([listener({ processes: [master] }), listener({ address: '::', family: 'ipv6', inode: 7, processes: [worker] })])).toHaveLength(1);
    const sibling = (pid: number, command: string) => listener({ inode: pid, processes: [proc({ pid, ppid: 50, name: 'docker-proxy', command })] });
    expect(programsOf([sibling(51, 'docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8080'), sibling(52, 'docker-proxy -proto tcp -host-ip :: -host-port 8080')])).toHaveLength(1);
  });

  it('different commands, or hidden owners of different users: separate programs', () => {
    expect(programsOf([node, listener({ family: 'ipv6', address: '::1', inode: 101, processes: [proc({ pid: 77, ppid: 2, name: 'python3', command: 'python3 app.py' })] })])).toHaveLength(2);
    // Same name, different parents: two programs (a native server beside a container's forwarder is the classic).
    expect(programsOf([listener({ processes: [proc({ pid: 5, ppid: 1, name: 'postgres' })] }), listener({ inode: 9, processes: [proc({ pid: 6, ppid: 900, name: 'postgres' })] })])).toHaveLength(2);
    const hidden = (uid: number) => listener({ inode: uid, uid, processes: [], ownerHidden: true });
    expect(programsOf([hidden(0), hidden(0)])).toHaveLength(1);
    expect(programsOf([hidden(0), hidden(999)])).toHaveLength(2);
  });

  it('the exact address beats the wildcard; IPv4 falls to :: only when no IPv4 socket covers it', () => {
    const exact = listener({ address: '127.0.0.1', inode: 1 });
    const any4 = listener({ address: '0.0.0.0', inode: 2 });
    const any6 = listener({ address: '::', family: 'ipv6', inode: 3 });
    expect(answerersOf([exact, any4, any6], '127.0.0.1')).toEqual([exact]);
    expect(answerersOf([any4, any6], '127.0.0.1')).toEqual([any4]);
    expect(answerersOf([any6], '127.0.0.1')).toEqual([any6]);
    expect(answerersOf([any4], '::1')).toEqual([]);
  });
});

describe('a specific cause demotes the generic finding it explains', () => {
  const f = (code: string, severity: Finding['severity'], evidence: Record<string, unknown> = {}): Finding => ({ code, severity, title: code, detail: `${code}.`, fix: 'x', evidence });

  it('fd-limit explains not-accepting and app-error; they stay, as info, with explainedBy', () => {
    const out = supersede([f('fd-limit', 'error'), f('not-accepting', 'error'), f('app-error', 'error'), f('firewall-blocks', 'error')]);
    expect(out.map((x) => x.severity)).toEqual(['error', 'info', 'info', 'error']);
    expect(out[1]!.evidence).toMatchObject({ explainedBy: 'fd-limit', severityBefore: 'error' });
  });

  it('client-rejected explains app-error on its own address only; ipv6-disabled only IPv6 addresses', () => {
    const rejected = supersede([f('client-rejected', 'error', { address: '10.0.0.2' }), f('app-error', 'error', { address: '10.0.0.2' }), f('app-error', 'error', { address: '127.0.0.1' })]);
    expect(rejected.map((x) => x.severity)).toEqual(['error', 'info', 'error']);
    const v6 = supersede([f('ipv6-disabled', 'error'), f('address-not-available', 'error', { address: '::1' }), f('address-not-available', 'error', { address: '10.9.9.9' })]);
    expect(v6.map((x) => x.severity)).toEqual(['error', 'info', 'error']);
  });

  it('fd-limit explains log-errors only when every line is an EMFILE line', () => {
    const emfile = { lines: [{ text: 'accept EMFILE: [Errno 24] Too many open files' }, { text: 'Error: accept EMFILE' }] };
    const mixed = { lines: [{ text: 'accept EMFILE' }, { text: 'TypeError: x is undefined' }] };
    expect(supersede([f('fd-limit', 'error'), f('log-errors', 'warning', emfile)]).map((x) => x.severity)).toEqual(['error', 'info']);
    expect(supersede([f('fd-limit', 'error'), f('log-errors', 'warning', mixed)]).map((x) => x.severity)).toEqual(['error', 'warning']);
  });

  it('an info cause explains nothing', () => {
    expect(supersede([f('socket-activation', 'info'), f('port-in-use', 'error')]).map((x) => x.severity)).toEqual(['info', 'error']);
  });
});

describe('macOS and Windows: an honest "not available", and fixes in their own words', () => {
  it('the cause sources say what they cannot read and how to look', async () => {
    for (const sources of [DARWIN_CAUSE_SOURCES, WIN32_CAUSE_SOURCES]) {
      for (const read of [await sources.environment(42), await sources.openFiles(42), await sources.socketUnits(), await sources.timeWaitReuse()]) {
        expect(read.ok).toBe(false);
        if (!read.ok) {
          expect(read.reason).toMatch(/cannot be read on (macOS|Windows)/);
          expect(read.hint.length).toBeGreaterThan(5);
        }
      }
    }
  });

  it('every cause finding, with the facts’ OS set to Windows, names no Linux command; on macOS no systemd or sysctl of Linux', () => {
    for (const c of CAUSE_CASES) {
      const win = JSON.stringify(diagnose({ ...c.facts, os: 'win32' }).findings.filter((f) => f.code === c.code));
      for (const linux of ['systemctl', 'sysctl', 'ulimit -n', 'LimitNOFILE', '/proc', 'export ', 'disable_ipv6']) expect(win, `${c.code} on Windows`).not.toContain(linux);
      const mac = JSON.stringify(diagnose({ ...c.facts, os: 'darwin' }).findings.filter((f) => f.code === c.code));
      for (const linux of ['systemctl', 'LimitNOFILE', 'ip_local_port_range', 'disable_ipv6', '/proc']) expect(mac, `${c.code} on macOS`).not.toContain(linux);
    }
  });
});

describe('IPv6 absent from the kernel (ipv6.disable=1, which a namespace cannot build)', () => {
  it('a failed bind of :: with EAFNOSUPPORT: ipv6-disabled says the kernel has no IPv6, and the fix is 127.0.0.1', () => {
    const base = CAUSE_CASES.find((c) => c.code === 'ipv6-disabled')!.facts;
    const settings = base.portSettings.ok ? base.portSettings.value : null;
    const facts = {
      ...base,
      views: ['server' as const],
      probe: null,
      resolution: null,
      portSettings: { ok: true as const, value: { ...settings!, ipv6: { available: false, disabledOnLo: null, disabledAll: null, bindv6only: null } } },
      binds: [{ ok: false as const, address: '::', port: 3000, protocol: 'tcp' as const, code: 'EAFNOSUPPORT', message: 'listen EAFNOSUPPORT' }],
    };
    const f = diagnose(facts).findings.find((x) => x.code === 'ipv6-disabled')!;
    expect(f).toMatchObject({ severity: 'error', evidence: { scope: 'kernel' } });
    expect(f.title).toContain('the kernel was booted with ipv6.disable=1');
    expect(f.fix).toContain('Use 127.0.0.1 instead of ::1 or ::');
  });
});
