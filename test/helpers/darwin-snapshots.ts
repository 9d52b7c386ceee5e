import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandSource, FileSource, Snapshot } from '../../src/platform/snapshot/format.js';
import { darwinFixture, toNulTerminated } from './darwin-fixtures.js';

/**
 * Replayable macOS snapshots built from the recorded fixtures of test/fixtures/darwin (SOURCES.md
 * says where each comes from). Nobody here has a Mac, so no snapshot below is one machine's: each
 * source names its fixture and its Mac, and sources of different Macs are put together only where
 * they name no common port or pid (except launchd, pid 1, everywhere), so nothing joins by accident.
 * The `command` of each source is the command that Mac actually ran, which is not always the one
 * portdoctor runs (`netstat -anv` without -l, `lsof -F pcLPn`): the parsers read both.
 */

function command(commandLine: string, stdout: string): CommandSource {
  return { command: commandLine, exitCode: 0, stdout, stderr: '' };
}

function file(path: string, content: string): FileSource {
  return { file: path, content };
}

/** The system files every snapshot carries: recorded on other Macs, none of them names a socket. */
function systemSources(): Snapshot['sources'] {
  return {
    // macOS 26.6.2 (index id 68315447555): `ifconfig -a`, lo0 with 127.0.0.1/8, ::1 and fe80::1%lo0.
    'ifconfig-lo0': command('ifconfig -a', darwinFixture('ifconfig-a-macos26-sanitised.txt')),
    // macOS 10.14.6 (kellyjonbrazil/jc): `sysctl -a`, portrange first/last 49152/65535.
    'sysctl-portrange': command('sysctl -a', darwinFixture('sysctl-a-osx-10.14.6-jc.txt')),
    // The default /etc/hosts of a Mac (index id 30291069793).
    hosts: file('/etc/hosts', darwinFixture('hosts-macos-default.txt')),
    // macOS 26.5.2 runner (index id 58806894685): Application Firewall off, pf disabled, Apple's anchors.
    socketfilterfw: command('/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate --getblockall', darwinFixture('socketfilterfw-globalstate-blockall-disabled-macos26.txt')),
    'pfctl-info': command('pfctl -s info', darwinFixture('pfctl-s-info-disabled-macos26.txt')),
    'pfctl-rules': command('pfctl -s rules', darwinFixture('pfctl-s-rules-default-macos26.txt')),
  };
}

function snapshot(release: string, user: Snapshot['user'], sources: Snapshot['sources']): Snapshot {
  return { portdoctor: 'snapshot/1', os: 'darwin', release, capturedAt: '2026-09-20T10:00:00.000Z', user, recordedBy: 'test/helpers/darwin-snapshots.ts', sources: { ...systemSources(), ...sources } };
}

const USER = { uid: 501, name: 'jordan', elevated: false } as const;

/**
 * The `process:pid` layout (macOS 26), one coherent Mac: `netstat -anv -p tcp|udp` and
 * `lsof -nP -w +c 0 -F pcLPn -iTCP -sTCP:LISTEN` of the same test file (index id 68437059438),
 * the lsof text in the -F0 form lsof(8) describes. ps, process states and launchd jobs come from
 * other Macs whose pids meet this one's only at launchd (pid 1).
 */
export function processPidSnapshot(): Snapshot {
  return snapshot('25.0.0', USER, {
    'netstat-tcp': command('netstat -anv -p tcp', darwinFixture('netstat-tcp-process-pid-macos26-trimmed.txt')),
    'netstat-udp': command('netstat -anv -p udp', darwinFixture('netstat-udp-process-pid-macos26-trimmed.txt')),
    'lsof-inet': command('lsof -nP -w +c 0 -F0pcLPn -iTCP -sTCP:LISTEN', toNulTerminated(darwinFixture('lsof-F-pcLPn-listen-macos26.txt'))),
    // A development Mac (index id 62387301664): `ps -axo pid,lstart,command`, with its header.
    ps: command('ps -axo pid,lstart,command', darwinFixture('ps-axo-pid-lstart-command-dev-mac.txt')),
    // macOS 10.14.6 (kellyjonbrazil/jc): `ps axu`, whose PID and STAT columns the state reader takes.
    'ps-state': command('ps axu', darwinFixture('ps-axu-osx-10.14.6-jc.txt')),
    // A Mac's `launchctl list | head -n 10` (index id 52733943220).
    'launchctl-list': command('launchctl list', darwinFixture('launchctl-list-head-macos.txt')),
  });
}

/**
 * The `process:pid` layout (macOS 26) of another Mac with AirPlay Receiver on: Zewify/portglimpse's
 * `netstat -anv -p tcp` capture (ControlCenter on *:5000, launchd on 8021, mysqld, redis…), alone:
 * no lsof, so every holder is netstat's pid and name.
 */
export function airplaySnapshot(): Snapshot {
  return snapshot('25.0.0', USER, {
    'netstat-tcp': command('netstat -anv -p tcp', darwinFixture('netstat-tcp-process-pid-macos26-portglimpse.txt')),
  });
}

/** The `bytes` layout (macOS 15) with `-l`: the two files derived from Apple's format strings (SOURCES.md). */
export function bytesSnapshot(): Snapshot {
  return snapshot('24.1.0', USER, {
    'netstat-tcp': command('netstat -anvl -p tcp', darwinFixture('netstat-anvl-tcp-bytes-derived.txt')),
    'netstat-udp': command('netstat -anvl -p udp', darwinFixture('netstat-anvl-udp-bytes-derived.txt')),
  });
}

/** The `gencnt` layout (macOS 13/14): LandonTClipp's `netstat -anv`, whose last rows are the classic layout's. */
export function gencntSnapshot(): Snapshot {
  return snapshot('23.0.0', USER, {
    'netstat-tcp': command('netstat -anv', darwinFixture('netstat-tcp-gencnt-landontclipp.txt')),
  });
}

/**
 * The `classic` layout (macOS ≤ 12) of a Mac with Docker Desktop (index id 40811611501): `netstat
 * -anvp tcp | awk 'NR<3 || /LISTEN/'` — node on *:3000, com.docker.backend (pid 1125) on 3306 and
 * 6379. No lsof -F or ps of that Mac was published, so the holders have pids and no names.
 */
export function classicSnapshot(): Snapshot {
  return snapshot('19.6.0', USER, {
    'netstat-tcp': command('netstat -anvp tcp', darwinFixture('netstat-anvp-tcp-listen-classic-docker.txt')),
  });
}

/**
 * No pid in netstat (`netstat -an -p tcp`), one coherent Mac (macOS 26.6.2, index id 68315447555):
 * its unprivileged `lsof -nP -iTCP -sTCP:LISTEN -F cfnuLPT` names the holders it may see —
 * sharingd, rapportd, ollama, com.docker.backend on *:49153, ARDAgent — and the rest (root's sshd,
 * cupsd, …) are hidden. `docker ps` is another machine's (mongo, mongo-express: 27017, 8081).
 */
export function noPidSnapshot(): Snapshot {
  return snapshot('25.6.0', { uid: 501, name: 'agent', elevated: false }, {
    'netstat-tcp': command('netstat -an -p tcp', darwinFixture('netstat-an-tcp-no-pid-macos26-sanitised.txt')),
    'lsof-inet': command('lsof -nP -iTCP -sTCP:LISTEN -F0cfnuLPT', toNulTerminated(darwinFixture('lsof-F-cfnuLPT-listen-macos26-sanitised.txt'))),
    'docker-ps': command("docker ps --format '{{json .}}'", darwinFixture('docker-ps-json-mongo.txt')),
  });
}

/**
 * An unrecognised layout: `netstat -anv | grep LISTEN` (linkeverything.github.io), classic rows
 * without their header, so which column is the pid cannot be known. No lsof.
 */
export function headerlessSnapshot(): Snapshot {
  return snapshot('20.5.0', USER, {
    'netstat-tcp': command('netstat -anv', darwinFixture('netstat-anv-grep-listen-classic-linkeverything.txt')),
  });
}

/** Writes snapshots to a new temporary directory for `--replay FILE`: name → path, and the directory (to remove). */
export function writeSnapshots(snapshots: Readonly<Record<string, Snapshot>>): { readonly dir: string; readonly paths: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'pd-darwin-replay-'));
  const paths: Record<string, string> = {};
  for (const [name, value] of Object.entries(snapshots)) {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(value, null, 1));
    paths[name] = path;
  }
  return { dir, paths };
}
