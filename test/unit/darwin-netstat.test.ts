import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseNetstat, readHeader, type NetstatRow } from '../../src/platform/darwin/netstat.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';

/** One row the way a person would read it off the screen: `tcp46 [::]:5000 - LISTEN 724 ControlCenter`. */
function endpoint(address: string | null, text: string, truncated: boolean, port: number | null): string {
  if (truncated) return `cut(${text}):${port}`;
  if (address === null) return '-';
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function brief(row: NetstatRow): string {
  const proto = `${row.protocol}${row.dualStack ? '46' : row.family === 'ipv4' ? '4' : '6'}`;
  const local = endpoint(row.address, row.addressText, row.addressTruncated, row.port);
  const remote = endpoint(row.remoteAddress, row.remoteAddressText, row.remoteAddressTruncated, row.remotePort);
  return `${proto} ${local} ${remote} ${row.state} ${row.pid ?? '-'} ${row.processName ?? '-'}`;
}

describe('netstat layouts recorded on real Macs', () => {
  it('macOS 26 process:pid (portglimpse fixture, header of network_cmds-730+): names with spaces, cut names, ControlCenter on 5000', () => {
    const result = parseNetstat(darwinFixture('netstat-tcp-process-pid-macos26-portglimpse.txt'));
    expect(result.layout).toBe('process-pid');
    expect(result.problems).toEqual([]);
    expect(result.rows.map(brief)).toEqual([
      'tcp4 127.0.0.1:3306 127.0.0.1:52011 ESTAB 1441 mysqld',
      'tcp46 [::]:38123 - LISTEN 59043 node',
      'tcp4 127.0.0.1:58400 - LISTEN 57295 ASOctaneSupportX',
      'tcp4 127.0.0.1:17030 - LISTEN 99011 dbeaver',
      'tcp4 127.0.0.1:3306 - LISTEN 1441 mysqld',
      'tcp4 127.0.0.1:33060 - LISTEN 1441 mysqld',
      'tcp6 [::1]:7679 - LISTEN 1341 Google Drive',
      'tcp6 [::]:43257 - LISTEN 1233 io.tailscale.ipn',
      'tcp4 0.0.0.0:55614 - LISTEN 1233 io.tailscale.ipn',
      'tcp6 [::1]:6379 - LISTEN 1168 redis-server',
      'tcp4 127.0.0.1:6379 - LISTEN 1168 redis-server',
      'tcp6 [::]:5000 - LISTEN 724 ControlCenter',
      'tcp4 0.0.0.0:5000 - LISTEN 724 ControlCenter',
      'tcp4 127.0.0.1:8021 - LISTEN 1 launchd',
      'tcp6 [::1]:8021 - LISTEN 1 launchd',
    ]);
    const byName = new Map(result.rows.map((r) => [r.processName, r.processNameMaybeTruncated]));
    expect(byName.get('ASOctaneSupportX')).toBe(true);
    expect(byName.get('io.tailscale.ipn')).toBe(true);
    expect(byName.get('Google Drive')).toBe(false);
    expect(result.rows[1]).toMatchObject({ family: 'ipv6', dualStack: true, address: '::', remoteAddress: null, remotePort: null });
  });

  it('macOS 26 process:pid from pid-port issue 14: a name with a space right after the buffer sizes', () => {
    const result = parseNetstat(darwinFixture('netstat-tcp-process-pid-macos26-pid-port-14.txt'));
    expect(result.layout).toBe('process-pid');
    expect(result.rows.map(brief)).toEqual([
      'tcp4 127.0.0.1:49515 127.0.0.1:49472 ESTAB 22712 Autodesk Fusion',
      'tcp4 127.0.0.1:49510 127.0.0.1:49513 ESTAB 22712 Autodesk Fusion',
    ]);
  });

  it('macOS 26 process:pid, TCP and UDP (UDP rows have no state word; names cut at 16)', () => {
    const tcp = parseNetstat(darwinFixture('netstat-tcp-process-pid-macos26-trimmed.txt'));
    expect(tcp.layout).toBe('process-pid');
    expect(tcp.rows.map(brief)).toEqual([
      'tcp4 10.24.102.43:54589 160.79.104.10:443 ESTAB 53171 curl',
      'tcp46 [::]:38123 - LISTEN 54256 Python',
      'tcp6 [::]:56966 - LISTEN 967 rapportd',
      'tcp4 127.0.0.1:60332 - LISTEN 21891 Code Helper (Plu',
      'tcp4 127.0.0.1:8021 - LISTEN 1 launchd',
      'tcp6 [::1]:8021 - LISTEN 1 launchd',
    ]);
    const udp = parseNetstat(darwinFixture('netstat-udp-process-pid-macos26-trimmed.txt'));
    expect(udp.layout).toBe('process-pid');
    expect(udp.rows.map(brief)).toEqual(['udp4 10.24.102.43:60109 35.186.224.22:443 ESTAB 1271 Google Chrome He', 'udp4 127.0.0.1:38127 - UNCONN 63939 Python']);
    expect(udp.rows[0]?.processNameMaybeTruncated).toBe(true);
  });

  it('macOS 13-14 gencnt layout: the pid, not the receive buffer (407878) nor the epid', () => {
    const result = parseNetstat(darwinFixture('netstat-tcp-gencnt-landontclipp.txt'));
    expect(result.layout).toBe('gencnt');
    expect(result.rows.map(brief)).toEqual([
      'tcp4 127.0.0.1:8001 127.0.0.1:60348 ESTAB 34323 -',
      'tcp4 127.0.0.1:60348 127.0.0.1:8001 ESTAB 24807 -',
      'tcp4 192.168.50.89:60347 140.82.113.5:443 ESTAB 24807 -',
      'tcp4 192.168.50.89:60344 149.137.136.16:443 ESTAB 24807 -',
    ]);
  });

  it('macOS 10.14 classic layout (node-netstat issue 26): pid 9811, and the receive queue of CLOSE_WAIT rows', () => {
    const result = parseNetstat(darwinFixture('netstat-tcp-classic-mojave-node-netstat-26.txt'));
    expect(result.layout).toBe('classic');
    expect(result.rows.map(brief)).toEqual([
      'tcp4 192.168.1.191:52044 31.13.66.35:443 ESTAB 9811 -',
      'tcp4 192.168.1.191:52043 31.13.66.19:443 ESTAB 9811 -',
      'tcp4 192.168.1.191:52041 140.82.114.26:443 ESTAB 9811 -',
      'tcp4 192.168.1.191:52040 140.82.114.4:443 CLOSE-WAIT 9811 -',
      'tcp4 192.168.1.191:52039 140.82.114.4:443 ESTAB 9811 -',
      'tcp4 192.168.1.191:52036 140.82.114.4:443 CLOSE-WAIT 9811 -',
      'tcp4 192.168.1.191:52032 151.101.201.7:443 ESTAB 9811 -',
    ]);
    expect(result.rows.map((r) => r.recvQ)).toEqual([0, 0, 0, 24, 0, 24, 0]);
  });

  it('reads the Sequoia and Sonoma headers quoted in pid-port PR 12 as the bytes and gencnt layouts', () => {
    expect(parseNetstat(darwinFixture('netstat-tcp-header-sequoia-pid-port-12.txt')).layout).toBe('bytes');
    expect(parseNetstat(darwinFixture('netstat-tcp-header-sonoma-pid-port-12.txt')).layout).toBe('gencnt');
  });

  it('macOS 15 `netstat -atn` (no -v): no pid column, IPv6 hosts cut at 16 characters are not guessed', () => {
    const result = parseNetstat(darwinFixture('netstat-atn-no-pid-macos15.txt'));
    expect(result.layout).toBe('no-pid');
    expect(result.problems).toEqual([]);
    expect(result.rows.map(brief)).toEqual([
      'tcp4 10.3.204.51:50436 185.60.219.174:443 ESTAB - -',
      'tcp4 10.3.204.51:50432 34.117.188.166:443 ESTAB - -',
      'tcp4 10.3.204.51:50431 34.110.138.217:443 ESTAB - -',
      'tcp4 10.3.204.51:50430 172.65.251.78:443 ESTAB - -',
      'tcp4 10.3.204.51:50428 35.186.224.45:443 ESTAB - -',
      'tcp4 10.3.204.51:50427 35.186.224.24:443 ESTAB - -',
      'tcp4 10.3.204.51:50426 104.18.32.47:443 ESTAB - -',
      'tcp4 10.3.204.51:50424 162.159.134.234:443 ESTAB - -',
      'tcp4 10.3.204.51:50414 104.18.32.47:443 ESTAB - -',
      'tcp4 10.3.204.51:50411 34.107.243.93:443 ESTAB - -',
      'tcp4 127.0.0.1:6463 - LISTEN - -',
      'tcp6 [::]:49657 - LISTEN - -',
      'tcp4 0.0.0.0:49657 - LISTEN - -',
      'tcp4 10.3.204.51:49341 17.57.156.25:993 ESTAB - -',
      'tcp4 10.3.204.51:49340 17.57.156.25:993 ESTAB - -',
      'tcp6 cut(fe80::3ec3:369f:):1025 cut(fe80::ca0:b619:8):1026 ESTAB - -',
      'tcp6 cut(fe80::3ec3:369f:):1024 cut(fe80::ca0:b619:8):1024 ESTAB - -',
      'tcp4 127.0.0.1:9000 - LISTEN - -',
      'tcp6 [::]:5000 - LISTEN - -',
      'tcp4 0.0.0.0:5000 - LISTEN - -',
      'tcp6 [::]:7000 - LISTEN - -',
      'tcp4 0.0.0.0:7000 - LISTEN - -',
      'tcp4 0.0.0.0:22 - LISTEN - -',
      'tcp6 [::]:22 - LISTEN - -',
      'tcp4 10.3.204.51:53784 17.253.37.216:80 ESTAB - -',
      'tcp4 10.3.204.51:53783 17.253.37.214:80 TIME-WAIT - -',
      'tcp4 10.3.204.51:53464 17.188.185.137:5223 ESTAB - -',
    ]);
    const cut = result.rows.filter((r) => r.addressTruncated);
    expect(cut.every((r) => r.address === null && r.remoteAddress === null && r.remoteAddressTruncated)).toBe(true);
  });

  it('macOS 26 `netstat -an -p tcp`: a 45-wide header over 22-wide rows (the header positions lie), read all the same', () => {
    const text = darwinFixture('netstat-an-tcp-no-pid-macos26-sanitised.txt');
    const [, header = '', firstRow = ''] = text.split('\n');
    expect(header.indexOf('Foreign Address') - header.indexOf('Local Address')).toBe(46);
    expect(firstRow.indexOf('203.0.113.10') - firstRow.indexOf('192.168.7.42')).toBe(23);
    const result = parseNetstat(text);
    expect(result.layout).toBe('no-pid');
    expect(result.rows.map(brief)).toEqual([
      'tcp4 192.168.7.42:50861 203.0.113.10:443 ESTAB - -',
      'tcp4 192.168.7.42:50857 203.0.113.10:443 LAST-ACK - -',
      'tcp46 [::]:8770 - LISTEN - -',
      'tcp46 [::]:3283 - LISTEN - -',
      'tcp6 [::]:55230 - LISTEN - -',
      'tcp4 0.0.0.0:55230 - LISTEN - -',
      'tcp4 127.0.0.1:20241 - LISTEN - -',
      'tcp4 127.0.0.1:11434 - LISTEN - -',
      'tcp4 0.0.0.0:49153 - LISTEN - -',
      'tcp4 0.0.0.0:88 - LISTEN - -',
      'tcp6 [::]:88 - LISTEN - -',
      'tcp4 127.0.0.1:631 - LISTEN - -',
      'tcp6 [::1]:631 - LISTEN - -',
      'tcp4 127.0.0.1:8021 - LISTEN - -',
      'tcp6 [::1]:8021 - LISTEN - -',
      'tcp4 0.0.0.0:5900 - LISTEN - -',
      'tcp6 [::]:5900 - LISTEN - -',
      'tcp4 0.0.0.0:22 - LISTEN - -',
      'tcp6 [::]:22 - LISTEN - -',
      'tcp4 192.168.7.42:62875 203.0.113.24:443 CLOSE-WAIT - -',
    ]);
    expect(result.rows.at(-1)?.recvQ).toBe(3565);
  });

  it('a whole `netstat` of macOS 10.14 with host names (no -n): name rows are refused, numeric ones kept, other sections skipped', () => {
    const result = parseNetstat(darwinFixture('netstat-names-osx-10.14.6-jc.txt'));
    expect(result.layout).toBe('no-pid');
    expect(result.problems.some((p) => p.includes('without -n'))).toBe(true);
    for (const row of result.rows) {
      expect(row.addressTruncated || isIP(row.address ?? '') !== 0).toBe(true);
      expect(row.pid).toBeNull();
    }
    expect(result.rows.map(brief)).toContain('udp46 [::]:61224 - UNCONN - -');
    expect(result.rows.map(brief)).toContain('udp4 0.0.0.0:0 - UNCONN - -');
    expect(result.rows.some((r) => r.addressText === 'kbrazil-mac.attl')).toBe(false);
  });
});

describe('no recognised header, no pid', () => {
  it('`netstat -anv | grep LISTEN` (classic rows without their header): every pid is withheld, with the reason', () => {
    const result = parseNetstat(darwinFixture('netstat-anv-grep-listen-classic-linkeverything.txt'));
    expect(result.layout).toBeNull();
    expect(result.problems.join(' ')).toMatch(/without a "Proto … \(state\)" header/);
    expect(result.rows.map(brief)).toEqual([
      'tcp4 127.0.0.1:631 - LISTEN - -',
      'tcp6 [::1]:631 - LISTEN - -',
      'tcp4 127.0.0.1:49315 - LISTEN - -',
      'tcp4 127.0.0.1:16107 - LISTEN - -',
      'tcp4 0.0.0.0:15018 - LISTEN - -',
      'tcp46 [::]:3283 - LISTEN - -',
      'tcp6 [::]:49177 - LISTEN - -',
      'tcp4 0.0.0.0:49177 - LISTEN - -',
      'tcp4 127.0.0.1:2015 - LISTEN - -',
      'tcp4 0.0.0.0:88 - LISTEN - -',
      'tcp6 [::]:88 - LISTEN - -',
      'tcp6 cut(fe80::aede:48ff:):49159 - LISTEN - -',
      'tcp6 cut(fe80::aede:48ff:):49158 - LISTEN - -',
      'tcp6 cut(fe80::aede:48ff:):49157 - LISTEN - -',
      'tcp6 cut(fe80::aede:48ff:):49156 - LISTEN - -',
      'tcp6 cut(fe80::aede:48ff:):49155 - LISTEN - -',
      'tcp6 cut(fe80::aede:48ff:):49154 - LISTEN - -',
      'tcp4 0.0.0.0:5900 - LISTEN - -',
      'tcp6 [::]:5900 - LISTEN - -',
      'tcp4 0.0.0.0:22 - LISTEN - -',
      'tcp6 [::]:22 - LISTEN - -',
    ]);
  });

  it('the rows that made systeminformation report "pid 131072" (issue 951, macOS 15 -l rows without a header) give no pid at all', () => {
    const text = darwinFixture('netstat-natvln-grep-bytes-macos15-si-951.txt');
    // The column a ≤12 parser takes as the pid holds the receive high-water mark on macOS 15.
    expect(text.split('\n')[0]?.trim().split(/\s+/)[8]).toBe('131072');
    const result = parseNetstat(text);
    expect(result.layout).toBeNull();
    expect(result.rows.map(brief)).toEqual([
      'tcp4 192.168.1.233:52137 34.117.41.85:443 ESTAB - -',
      'tcp4 192.168.1.233:52126 123.57.223.58:443 ESTAB - -',
      'tcp4 192.168.1.233:52125 123.57.223.58:443 ESTAB - -',
      'tcp4 192.168.1.233:52094 47.106.66.231:443 ESTAB - -',
    ]);
    expect(result.rows[0]?.sendQ).toBe(126);
  });

  it('a header whose columns are cut short (a pasted `… pid   epid state`) is not a known layout', () => {
    const header = 'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)          rxbytes      txbytes  rhiwat  shiwat    pid   epid state  ';
    const row = 'tcp4       0      0  127.0.0.1.16494        *.*                    LISTEN                 0            0  131072  131072    949      0 00000 0000020f';
    const result = parseNetstat(`Active Internet connections (including servers)\n${header}\n${row}\n`);
    expect(result.layout).toBeNull();
    expect(result.rows.map(brief)).toEqual(['tcp4 127.0.0.1:16494 - LISTEN - -']);
    expect(result.problems[0]).toMatch(/unrecognised netstat header/);
  });

  it('names each known header', () => {
    const classic = darwinFixture('netstat-tcp-classic-mojave-node-netstat-26.txt').split('\n')[1] ?? '';
    expect(readHeader(classic)).toEqual({ layout: 'classic', columns: ['rhiwat', 'shiwat', 'pid', 'epid', 'state', 'options'] });
    expect(readHeader('tcp4 0 0 *.22 *.* LISTEN')).toBeNull();
    expect(readHeader('Socket           Flowhash Proto Recv-Q Send-Q  Local Address      Foreign Address    (state)')).toBeNull();
  });
});

describe('layouts derived from Apple\'s format strings (no recording published)', () => {
  it('macOS 15 `netstat -anvl -p tcp`: full IPv6 addresses with zones, IPv4-mapped, CLOSE_WAIT', () => {
    const result = parseNetstat(darwinFixture('netstat-anvl-tcp-bytes-derived.txt'));
    expect(result.layout).toBe('bytes');
    expect(result.rows.map(brief)).toEqual([
      'tcp4 127.0.0.1:3306 127.0.0.1:52011 ESTAB 1441 -',
      'tcp46 [::]:5000 - LISTEN 724 -',
      'tcp6 [::1]:8021 - LISTEN 1 -',
      'tcp6 [fe80::aede:48ff:fe00:1122%en5]:49154 - LISTEN 77 -',
      'tcp6 [2600:1700:bab0:d40:bb:9ad:34c5:2e9a]:52137 [2606:4700:4700::1111]:443 ESTAB 2903 -',
      'tcp4 127.0.0.1:60332 127.0.0.1:3000 CLOSE-WAIT 22712 -',
      'tcp6 [::ffff:127.0.0.1]:8080 - LISTEN 59043 -',
    ]);
  });

  it('macOS 15 `netstat -anvl -p udp`: no state word, unbound `*.*`, dual stack', () => {
    const result = parseNetstat(darwinFixture('netstat-anvl-udp-bytes-derived.txt'));
    expect(result.layout).toBe('bytes');
    expect(result.rows.map(brief)).toEqual([
      'udp4 10.24.102.43:60109 35.186.224.22:443 ESTAB 1271 -',
      'udp46 [::]:5353 - UNCONN 412 -',
      'udp6 [fe80::1%lo0]:5353 - UNCONN 412 -',
      'udp4 0.0.0.0:0 - UNCONN 470 -',
    ]);
  });

  it('macOS 26.4+ `netstat -anvl -p tcp|udp`: rows 45 wide under a 22-wide header; empty and cut names', () => {
    const tcp = parseNetstat(darwinFixture('netstat-anvl-tcp-process-pid-derived.txt'));
    expect(tcp.layout).toBe('process-pid');
    expect(tcp.rows.map(brief)).toEqual([
      'tcp4 127.0.0.1:3306 127.0.0.1:52011 ESTAB 1441 mysqld',
      'tcp46 [::]:5000 - LISTEN 724 ControlCenter',
      'tcp6 [::1]:8021 - LISTEN 1 launchd',
      'tcp6 [fe80::aede:48ff:fe00:1122%en5]:49154 - LISTEN 77 remoted',
      'tcp6 [2600:1700:bab0:d40:bb:9ad:34c5:2e9a]:52137 [2606:4700:4700::1111]:443 ESTAB 2903 Code Helper (Plu',
      'tcp4 127.0.0.1:60332 127.0.0.1:3000 CLOSE-WAIT 22712 Autodesk Fusion',
      'tcp6 [::ffff:127.0.0.1]:8080 - LISTEN 59043 -',
    ]);
    const udp = parseNetstat(darwinFixture('netstat-anvl-udp-process-pid-derived.txt'));
    expect(udp.rows.map(brief)).toEqual([
      'udp4 10.24.102.43:60109 35.186.224.22:443 ESTAB 1271 Google Chrome He',
      'udp46 [::]:5353 - UNCONN 412 mDNSResponder',
      'udp6 [fe80::1%lo0]:5353 - UNCONN 412 mDNSResponder',
      'udp4 0.0.0.0:0 - UNCONN 470 symptomsd',
    ]);
  });

  it('told the rows are not from -l, a long IPv6 host is reported cut rather than trusted', () => {
    const result = parseNetstat(darwinFixture('netstat-anvl-tcp-process-pid-derived.txt'), { fullAddresses: false });
    const long = result.rows.find((r) => r.port === 52137);
    expect(long).toMatchObject({ address: null, addressTruncated: true, addressText: '2600:1700:bab0:d40:bb:9ad:34c5:2e9a' });
  });
});

describe('edge cases', () => {
  const header = 'Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)          rxbytes      txbytes  rhiwat  shiwat          process:pid    state  options           gencnt    flags   flags1 usecnt rtncnt fltrs';

  it('a process:pid field with digits and a colon in the name, and an empty name', () => {
    const rows = [
      'tcp4       0      0  127.0.0.1.9000         *.*                    LISTEN                 0            0  131072  131072      node:22 v18:4242   00100 00000006 0000000000001615 00000001 00000800      1      0 000000',
      'tcp4       0      0  127.0.0.1.9001         *.*                    LISTEN                 0            0  131072  131072                 :77     00100 00000006 0000000000001616 00000001 00000800      1      0 000000',
    ];
    const result = parseNetstat([header, ...rows].join('\n'));
    expect(result.rows.map((r) => [r.pid, r.processName])).toEqual([
      [4242, 'node:22 v18'],
      [77, null],
    ]);
  });

  it('a row with a missing column keeps its socket but loses its pid, and says so', () => {
    const row = 'tcp4       0      0  127.0.0.1.9000         *.*                    LISTEN                 0            0  131072      node:4242   00100 00000006 0000000000001615 00000001 00000800      1      0 000000';
    const result = parseNetstat(`${header}\n${row}`);
    expect(result.layout).toBe('process-pid');
    expect(result.rows.map(brief)).toEqual(['tcp4 127.0.0.1:9000 - LISTEN - -']);
    expect(result.problems[0]).toMatch(/no pid for/);
  });

  it('unknown TCP states and garbage lines', () => {
    const result = parseNetstat(`${header}\ntcp4 0 0 127.0.0.1.1 *.* 11 0 0 1 1 a:1 0 0 0 0 0 1 0 0\ntcp4 x y\nudp9 0 0 *.1 *.*\n`);
    expect(result.rows.map((r) => r.state)).toEqual(['UNKNOWN']);
    expect(result.problems.length).toBe(2);
  });

  it('an empty text', () => {
    expect(parseNetstat('')).toEqual({ layout: null, rows: [], problems: ['no netstat header and no socket rows'] });
  });
});
