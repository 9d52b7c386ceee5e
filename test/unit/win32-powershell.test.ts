import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseJsonText,
  parsePowerShellSockets,
  parseTcpConnections,
  parseWindowsDate,
  POWERSHELL_SOCKETS_SCRIPT,
  powershellArgs,
  powershellSocketsScript,
} from '../../src/platform/win32/powershell.js';

// No recorded output of this script (or of Get-NetTCPConnection | ConvertTo-Json) exists yet: see
// test/fixtures/win32/SOURCES.md. The inputs below follow the documented shapes: the script's
// own document, and MSFT_NetTCPConnection's properties as learn.microsoft.com lists them.

// PowerShell itself checks the script's syntax in the Windows job of .github/workflows/ci.yml
// (Debian has no pwsh, and CI here fails on skipped tests).

describe('the PowerShell script', () => {
  it('forces UTF-8 output first, and asks every cmdlet not to fail on "nothing matched"', () => {
    const lines = POWERSHELL_SOCKETS_SCRIPT.split('\n');
    expect(lines[0]).toBe('[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false');
    for (const cmdlet of ['Get-NetTCPConnection', 'Get-NetUDPEndpoint', 'Get-CimInstance']) {
      const line = lines.find((text) => text.includes(cmdlet));
      expect(line, cmdlet).toContain('-ErrorAction SilentlyContinue');
    }
    expect(POWERSHELL_SOCKETS_SCRIPT).toContain('$ports = @()');
    expect(POWERSHELL_SOCKETS_SCRIPT).toContain('State = [int]$_.State');
    expect(lines.at(-1)).toContain('ConvertTo-Json -Depth 3 -Compress');
  });

  it('narrows to the ports asked for, and only ever puts digits into the script', () => {
    expect(powershellSocketsScript([3000, 5037])).toContain('$ports = @(3000,5037)');
    expect(powershellSocketsScript([3000, -1, 70000, 1.5, Number.NaN])).toContain('$ports = @(3000)');
  });

  it('passes the script as -EncodedCommand (base64 of UTF-16LE) with no profile and no prompts', () => {
    const args = powershellArgs(POWERSHELL_SOCKETS_SCRIPT);
    expect(args.slice(0, 4)).toEqual(['-NoProfile', '-NonInteractive', '-NoLogo', '-EncodedCommand']);
    expect(Buffer.from(args[4] ?? '', 'base64').toString('utf16le')).toBe(POWERSHELL_SOCKETS_SCRIPT);
    // Windows limits a command line to 32,767 characters.
    expect(args.join(' ').length).toBeLessThan(32767);
  });
});

const listener = { LocalAddress: '::', LocalPort: 3000, RemoteAddress: '::', RemotePort: 0, State: 2, OwningProcess: 4242 };
const node = { ProcessId: 4242, ParentProcessId: 1000, Name: 'node.exe', CommandLine: '"C:\\Program Files\\nodejs\\node.exe" server.js', ExecutablePath: 'C:\\Program Files\\nodejs\\node.exe', CreationDate: '2026-12-06T10:00:00.1234567Z' };

describe('parsePowerShellSockets', () => {
  it('reads the script\'s document: TCP with a numeric state, UDP, and the owners', () => {
    const text = JSON.stringify({ tcp: [listener], udp: [{ LocalAddress: '0.0.0.0', LocalPort: 5353, OwningProcess: 1616 }], processes: [node] });
    expect(parsePowerShellSockets(text)).toEqual({
      ok: true,
      value: {
        sockets: [
          { protocol: 'tcp', family: 'ipv6', address: '::', zone: null, port: 3000, remoteAddress: null, remotePort: null, state: 'LISTEN', rawState: '2', pid: 4242 },
          { protocol: 'udp', family: 'ipv4', address: '0.0.0.0', zone: null, port: 5353, remoteAddress: null, remotePort: null, state: 'UNCONN', rawState: null, pid: 1616 },
        ],
        processes: [{ pid: 4242, ppid: 1000, name: 'node.exe', commandLine: '"C:\\Program Files\\nodejs\\node.exe" server.js', executablePath: 'C:\\Program Files\\nodejs\\node.exe', creationDate: '2026-12-06T10:00:00.123Z' }],
        problems: [],
      },
    });
  });

  it('empty output, `null`, and empty lists all mean "nothing matched"', () => {
    const nothing = { ok: true, value: { sockets: [], processes: [], problems: [] } };
    expect(parsePowerShellSockets('')).toEqual(nothing);
    expect(parsePowerShellSockets('\r\n')).toEqual(nothing);
    expect(parsePowerShellSockets('null')).toEqual(nothing);
    expect(parsePowerShellSockets('{"tcp":[],"udp":[],"processes":[]}')).toEqual(nothing);
    expect(parsePowerShellSockets('{"tcp":null,"udp":null,"processes":null}')).toEqual(nothing);
  });

  it('a single object where a list was expected (ConvertTo-Json unwraps one-element arrays)', () => {
    const asObject = parsePowerShellSockets(JSON.stringify({ tcp: listener, udp: [], processes: node }));
    const asArray = parsePowerShellSockets(JSON.stringify({ tcp: [listener], udp: [], processes: [node] }));
    expect(asObject).toEqual(asArray);
  });

  it('drops a UTF-8 BOM (Windows PowerShell can write one through a pipe)', () => {
    expect(parsePowerShellSockets(`\uFEFF${JSON.stringify({ tcp: [listener] })}`)).toMatchObject({ ok: true, value: { sockets: [{ port: 3000, state: 'LISTEN' }] } });
  });

  it('refuses output that is not the document', () => {
    for (const text of ['Get-NetTCPConnection : The term is not recognized', '[1,2]', '"text"', '{"tcp":']) expect(parsePowerShellSockets(text).ok, text).toBe(false);
  });

  it('leaves out items it cannot read whole, says why, and keeps the rest', () => {
    const text = JSON.stringify({
      tcp: [listener, { ...listener, LocalAddress: 'localhost' }, { ...listener, LocalPort: 70000 }, { ...listener, OwningProcess: -1 }, 'text', { ...listener, RemoteAddress: null }],
      udp: [{ LocalAddress: '::', LocalPort: 53 }],
      processes: [node, { ...node, Name: null }, { ...node, ProcessId: 7, CreationDate: 'yesterday' }],
    });
    const result = parsePowerShellSockets(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.sockets.map((row) => row.pid)).toEqual([4242]);
    expect(result.value.processes.map((process) => [process.pid, process.creationDate])).toEqual([
      [4242, '2026-12-06T10:00:00.123Z'],
      [7, null],
    ]);
    expect(result.value.problems).toEqual([
      'tcp[1]: LocalAddress "localhost" is not a numeric address',
      'tcp[2]: LocalPort is not a port',
      'tcp[3]: OwningProcess is not a PID',
      'tcp[4]: not an object',
      'tcp[5]: RemoteAddress is missing',
      'udp[0]: OwningProcess is not a PID',
      'processes[1]: ProcessId, ParentProcessId and Name are required',
      'processes[2]: CreationDate "yesterday" is not a date',
    ]);
  });
});

describe('TCP states, as numbers (5.1) or names (7)', () => {
  // MSFT_NetTCPConnection.State: MIB_TCP_STATE 1–12, and Bound.
  const byNumber: Array<[number, string]> = [
    [1, 'UNCONN'], [2, 'LISTEN'], [3, 'SYN-SENT'], [4, 'SYN-RECV'], [5, 'ESTAB'], [6, 'FIN-WAIT-1'], [7, 'FIN-WAIT-2'],
    [8, 'CLOSE-WAIT'], [9, 'CLOSING'], [10, 'LAST-ACK'], [11, 'TIME-WAIT'], [12, 'UNKNOWN'], [100, 'UNCONN'],
  ];
  const byName: Array<[string, string]> = [
    ['Closed', 'UNCONN'], ['Listen', 'LISTEN'], ['SynSent', 'SYN-SENT'], ['SynReceived', 'SYN-RECV'], ['Established', 'ESTAB'], ['FinWait1', 'FIN-WAIT-1'],
    ['FinWait2', 'FIN-WAIT-2'], ['CloseWait', 'CLOSE-WAIT'], ['Closing', 'CLOSING'], ['LastAck', 'LAST-ACK'], ['TimeWait', 'TIME-WAIT'], ['DeleteTCB', 'UNKNOWN'], ['Bound', 'UNCONN'],
  ];

  it.each([...byNumber, ...byName])('%s → %s', (state, expected) => {
    const peer = { RemoteAddress: '10.0.0.2', RemotePort: 443 };
    const rows = parseTcpConnections({ ...listener, ...peer, State: state }, []);
    expect(rows.map((row) => [row.state, row.rawState])).toEqual([[expected, String(state)]]);
  });

  it('an unknown state is UNKNOWN, never a guess', () => {
    for (const state of [0, 13, 99, 101, 'Listening', null]) {
      const rows = parseTcpConnections({ ...listener, State: state }, []);
      expect(rows[0]?.state, String(state)).toBe('UNKNOWN');
    }
  });

  it('reads Get-NetTCPConnection | ConvertTo-Json with the class\'s other properties around the ones it needs', () => {
    // Property names of MSFT_NetTCPConnection (learn.microsoft.com/windows/win32/fwp/wmi/nettcpipprov/msft-nettcpconnection).
    const item = {
      Caption: null, Description: null, ElementName: null, InstanceID: '127.0.0.1++5037++0.0.0.0++0', EnabledState: null, Directionality: null,
      LocalAddress: '127.0.0.1', LocalPort: 5037, RemoteAddress: '0.0.0.0', RemotePort: 0, State: 2, AppliedSetting: null, OwningProcess: 9312,
      CreationTime: '/Date(1733480000000)/', OffloadState: 0, PSComputerName: null,
    };
    const text = JSON.stringify([item], null, 4).replace(/": /g, '":  '); // 5.1 writes two spaces after the colon
    const parsed = parseJsonText(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parseTcpConnections(parsed.value, [])).toEqual([
      { protocol: 'tcp', family: 'ipv4', address: '127.0.0.1', zone: null, port: 5037, remoteAddress: null, remotePort: null, state: 'LISTEN', rawState: '2', pid: 9312 },
    ]);
  });

  it('keeps a zone apart from a link-local address and treats lower-case property names alike', () => {
    const rows = parseTcpConnections({ localaddress: 'fe80::1%12', localport: 80, remoteaddress: 'fe80::2%12', remoteport: 50000, state: 'Established', owningprocess: 4 }, []);
    expect(rows).toMatchObject([{ address: 'fe80::1', zone: '12', remoteAddress: 'fe80::2', remotePort: 50000, state: 'ESTAB', pid: 4 }]);
  });
});

describe('parseWindowsDate', () => {
  it('ISO 8601 with seven fractional digits (.ToString("o")), with Z or an offset', () => {
    expect(parseWindowsDate('2019-08-27T00:46:00.1423200Z')).toBe('2019-08-27T00:46:00.142Z');
    expect(parseWindowsDate('2019-08-26T17:46:00.142320-07:00')).toBe('2019-08-27T00:46:00.142Z');
  });

  it('"\\/Date(ms)\\/" as Windows PowerShell 5.1 writes it, with or without an offset suffix', () => {
    expect(parseWindowsDate(JSON.parse('"\\/Date(1566855960142)\\/"'))).toBe('2019-08-26T21:46:00.142Z');
    expect(parseWindowsDate('/Date(1566855960142+0200)/')).toBe('2019-08-26T21:46:00.142Z');
  });

  it('WMI\'s DMTF form with its offset in minutes', () => {
    expect(parseWindowsDate('20190826174600.142320-420')).toBe('2019-08-27T00:46:00.142Z');
    expect(parseWindowsDate('20190826174600.142320+060')).toBe('2019-08-26T16:46:00.142Z');
  });

  it('anything else is no date', () => {
    for (const value of ['', 'yesterday', '26.08.2019 17:46:00', 1566855960142, null, '/Date(abc)/']) expect(parseWindowsDate(value)).toBeNull();
  });

  it('any instant survives each of the three spellings', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }), fc.integer({ min: -720, max: 840 }), (ms, offset) => {
        const iso = new Date(ms).toISOString();
        expect(parseWindowsDate(iso)).toBe(iso);
        expect(parseWindowsDate(`/Date(${ms})/`)).toBe(iso);
        const local = new Date(ms + offset * 60_000);
        const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
        const dmtf = `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds() * 1000, 6)}${offset < 0 ? '-' : '+'}${pad(Math.abs(offset), 3)}`;
        expect(parseWindowsDate(dmtf)).toBe(iso);
      }),
    );
  });
});
