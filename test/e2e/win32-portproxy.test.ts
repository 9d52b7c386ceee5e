import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { powershellProcessesScript } from '../../src/platform/win32/powershell.js';
import { NETSH_PORTPROXY, powershellCommand } from '../../src/platform/win32/sources.js';
import type { SnapshotSource } from '../../src/platform/snapshot/format.js';
import { jsonOf, runCli } from '../helpers/cli.js';
import { commandSource, fixtureBytes, win32Snapshot, writeSnapshot } from '../helpers/win32-snapshot.js';

/**
 * A port proxy to WSL 2 on a replayed Windows snapshot, through the built CLI. Two recordings of
 * different machines meet on port 5000 (test/fixtures/win32/SOURCES.md): the English `netstat
 * -ano` of new-crm, where pid 35644 listens on 0.0.0.0:5000 and [::]:5000, and the port proxy
 * rules of the krugle WSL 2 machine, one of which is `0.0.0.0 5000 → 172.22.123.246 5000`.
 * What pid 35644 is comes from a processes document that is NOT a recording (none exists,
 * SOURCES.md): built here in the script's shape with Win32_Process / Win32_Service property
 * names, it says pid 35644 is svchost.exe hosting iphlpsvc alone — as on Windows 10 and later,
 * where iphlpsvc runs in its own svchost (`-k NetSvcs -p -s iphlpsvc`). So what is checked is the
 * join: the rule's socket is the port proxy and forwards to the WSL address; the same svchost's
 * [::]:5000, which no rule names, is not a port proxy.
 */

const RULES = 'portproxy-show-all.en.krugle-wsl2.txt';
const NETSTAT = 'netstat-ano.en.new-crm.txt';

function processesDocument(): SnapshotSource {
  const document = {
    processes: [
      { ProcessId: 35644, ParentProcessId: 1092, Name: 'svchost.exe', CommandLine: 'C:\\WINDOWS\\system32\\svchost.exe -k NetSvcs -p -s iphlpsvc', ExecutablePath: 'C:\\WINDOWS\\system32\\svchost.exe', CreationDate: '2026-12-01T08:00:05.0000000Z' },
      { ProcessId: 4, ParentProcessId: 0, Name: 'System', CommandLine: null, ExecutablePath: null, CreationDate: '2026-12-01T08:00:00.0000000Z' },
    ],
    services: [{ Name: 'iphlpsvc', ProcessId: 35644 }],
  };
  return commandSource(powershellCommand(powershellProcessesScript([])), Buffer.from(JSON.stringify(document), 'utf8'));
}

const files: string[] = [];
function snapshotFile(withRules: boolean): string {
  const extra: Record<string, SnapshotSource> = { 'powershell-processes': processesDocument() };
  if (withRules) extra[NETSH_PORTPROXY.key] = commandSource(NETSH_PORTPROXY, fixtureBytes(RULES));
  const file = writeSnapshot(win32Snapshot({ netstat: NETSTAT, extra }));
  files.push(file);
  return file;
}
afterAll(() => {
  for (const file of files) rmSync(dirname(file), { recursive: true, force: true });
});

interface JsonForward {
  readonly forwarder: string;
  readonly to: { readonly host: string; readonly port: number | null } | null;
  readonly stop: string;
  readonly killable: boolean;
  readonly unread?: string;
}
interface JsonSocket {
  readonly address: string;
  readonly port: number;
  readonly processes: readonly { readonly pid: number; readonly name: string }[];
  readonly forward?: JsonForward;
}
interface Listing {
  readonly sockets: readonly JsonSocket[];
  readonly stats: { readonly unread?: readonly { source: string; reason: string }[] };
}
interface Finding {
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly fix: string;
  readonly evidence: Record<string, unknown>;
}
interface Report {
  readonly findings: readonly Finding[];
  readonly steps: readonly { readonly id: string; readonly lines: readonly string[] }[];
}

const DELETE = 'netsh interface portproxy delete v4tov4 listenport=5000 listenaddress=0.0.0.0';

describe('a recorded port proxy rule on a replayed Windows snapshot', () => {
  const replay = snapshotFile(true);

  it('who 5000 --json: the rule’s socket forwards to the WSL address; the same svchost’s [::]:5000 has no forward', () => {
    const who = jsonOf(runCli(['who', '5000', '--json', '--replay', replay])) as Listing;
    const byAddress = new Map(who.sockets.map((s) => [s.address, s]));
    expect([...byAddress.keys()].sort()).toEqual(['0.0.0.0', '::']);
    expect(who.sockets.every((s) => s.processes.map((p) => `${p.pid} ${p.name}`).join() === '35644 svchost.exe')).toBe(true);
    expect(byAddress.get('0.0.0.0')?.forward).toMatchObject({ forwarder: 'netsh-portproxy', to: { host: '172.22.123.246', port: 5000 }, stop: DELETE, killable: false });
    expect(byAddress.get('0.0.0.0')?.forward).not.toHaveProperty('unread');
    expect(byAddress.get('::')).not.toHaveProperty('forward');
    expect(who.stats.unread?.map((u) => u.source) ?? []).not.toContain('netsh-portproxy');
  });

  it('who 5000 (text) shows the destination', () => {
    const text = runCli(['who', '5000', '--replay', replay]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('172.22.123.246:5000');
  });

  it('kill 5000 --dry-run refuses the svchost, with the netsh delete of the rule as the stop', () => {
    const run = runCli(['kill', '5000', '--dry-run', '--json', '--replay', replay]);
    expect(run.code).toBe(0);
    const report = jsonOf(run) as { plan: { targets: unknown[]; skipped: { pid: number; reason: string; detail: string; stop?: string }[] } };
    expect(report.plan.targets).toEqual([]);
    const skipped = report.plan.skipped.find((s) => s.pid === 35644);
    expect(skipped).toMatchObject({ reason: 'known-holder', stop: DELETE });
    expect(skipped?.detail).toContain('a netsh port proxy (iphlpsvc, hosted by svchost)');
    expect(skipped?.detail).toContain(`'${DELETE}'`);
  });

  it('doctor 5000 names the port proxy on 0.0.0.0:5000 with its delete and destination, follows it to WSL, and calls [::]:5000 a service host', () => {
    const report = jsonOf(runCli(['doctor', '5000', '--json', '--no-config', '--replay', replay])) as Report;
    const known = report.findings.filter((f) => f.code === 'known-holder');
    const proxy = known.find((f) => f.evidence['holder'] === 'portproxy');
    expect(proxy?.title).toBe('Port 5000 is held by a netsh port proxy (iphlpsvc, hosted by svchost)');
    expect(proxy?.fix).toBe(`Delete the rule (elevated): '${DELETE}'; it forwards port 5000 to 172.22.123.246:5000. Or use another port.`);
    expect((proxy?.evidence['socket'] as { address?: string } | undefined)?.address).toBe('0.0.0.0');
    expect(known.map((f) => f.evidence['holder']).sort()).toEqual(['portproxy', 'service-host']);
    const follow = report.steps.find((s) => s.id === 'follow-forward');
    expect(follow?.lines).toContain('0.0.0.0:5000 → svchost.exe (pid 35644) → 172.22.123.246:5000');
    const text = runCli(['doctor', '5000', '--no-config', '--replay', replay]).stdout;
    expect(text).toContain('netsh port proxy');
    expect(text).toContain('172.22.123.246:5000');
  });
});

describe('an older snapshot without the port proxy rules', () => {
  const replay = snapshotFile(false);

  it('who 5000 --json: both svchost sockets keep the port-proxy label, without a destination, unconfirmed; the missing source is named', () => {
    const who = jsonOf(runCli(['who', '5000', '--json', '--replay', replay])) as Listing;
    expect(who.sockets).toHaveLength(2);
    for (const socket of who.sockets) {
      expect(socket.forward).toMatchObject({ forwarder: 'netsh-portproxy', to: null, killable: false });
      expect(socket.forward?.unread).toMatch(/^unconfirmed port proxy: netsh-portproxy: not in the snapshot;/);
    }
    expect(who.stats.unread?.find((u) => u.source === 'netsh-portproxy')?.reason).toBe('not in the snapshot');
  });

  it('doctor 5000: "a netsh port proxy … (unconfirmed)", with the generic delete to run after listing the rules', () => {
    const report = jsonOf(runCli(['doctor', '5000', '--json', '--no-config', '--replay', replay])) as Report;
    const proxy = report.findings.find((f) => f.code === 'known-holder' && f.evidence['holder'] === 'portproxy');
    expect(proxy?.title).toBe('Port 5000 is held by a netsh port proxy (iphlpsvc, hosted by svchost) (unconfirmed)');
    expect(proxy?.detail).toContain('Not confirmed: unconfirmed port proxy: netsh-portproxy: not in the snapshot');
    expect(proxy?.fix).toContain("List the rules with 'netsh interface portproxy show all'");
  });
});
