import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBytes, SNAPSHOT_FORMAT, type CommandSource, type Snapshot, type SnapshotSource } from '../../src/platform/snapshot/format.js';
import { dynamicPortSource, excludedPortRangeSource, NETSTAT_ANO, TASKLIST, type Win32Command } from '../../src/platform/win32/sources.js';

/**
 * Replayable Windows snapshots built from the recorded outputs in test/fixtures/win32 (SOURCES.md
 * there says where each was recorded). Each fixture's bytes go into the snapshot exactly as
 * stored — text when they are UTF-8, base64 otherwise (the UTF-16LE files) — under the source key
 * the back-end reads, with the command the back-end would have run. Sources from different
 * machines may be combined; the tests that do so say which and why.
 */

export type NetshPair = 'tcp-ipv4' | 'tcp-ipv6' | 'udp-ipv4' | 'udp-ipv6';

export interface Win32SnapshotParts {
  /** `netstat -ano` output (a file in test/fixtures/win32). */
  readonly netstat?: string;
  readonly tasklist?: string;
  /** `netsh … show excludedportrange` per protocol and family. */
  readonly excluded?: Partial<Record<NetshPair, string>>;
  readonly dynamic?: Partial<Record<NetshPair, string>>;
  readonly hosts?: string;
  /** Sources given as they are (bytes built by the test, e.g. re-encoded to a code page). */
  readonly extra?: Readonly<Record<string, SnapshotSource>>;
  readonly elevated?: boolean;
}

export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/win32/${name}`, import.meta.url));
}

/** A command's recorded output as the live reader would have stored it (exit code 0). */
export function commandSource(source: Win32Command, bytes: Buffer): CommandSource {
  const encoded = encodeBytes(bytes);
  return { command: [source.command, ...source.args].join(' '), exitCode: 0, ...('text' in encoded ? { stdout: encoded.text } : { stdoutBase64: encoded.base64 }), stderr: '' };
}

function netshSources(parts: Partial<Record<NetshPair, string>> | undefined, make: typeof excludedPortRangeSource): [string, SnapshotSource][] {
  return Object.entries(parts ?? {}).map(([pair, file]) => {
    const [protocol, family] = pair.split('-') as ['tcp' | 'udp', 'ipv4' | 'ipv6'];
    const source = make(protocol, family);
    return [source.key, commandSource(source, fixtureBytes(file))];
  });
}

export function win32Snapshot(parts: Win32SnapshotParts): Snapshot {
  const sources: Record<string, SnapshotSource> = {};
  if (parts.netstat !== undefined) sources['netstat-ano'] = commandSource(NETSTAT_ANO, fixtureBytes(parts.netstat));
  if (parts.tasklist !== undefined) sources['tasklist'] = commandSource(TASKLIST, fixtureBytes(parts.tasklist));
  for (const [key, source] of [...netshSources(parts.excluded, excludedPortRangeSource), ...netshSources(parts.dynamic, dynamicPortSource)]) sources[key] = source;
  if (parts.hosts !== undefined) sources['hosts'] = { file: 'C:\\Windows\\System32\\drivers\\etc\\hosts', content: fixtureBytes(parts.hosts).toString('utf8') };
  Object.assign(sources, parts.extra ?? {});
  return {
    portdoctor: SNAPSHOT_FORMAT,
    os: 'win32',
    release: '10.0.19045',
    capturedAt: '2026-12-06T10:00:00.000Z',
    user: { uid: null, name: 'tester', elevated: parts.elevated ?? false },
    sources,
  };
}

/** Writes the snapshot to a fresh temporary file and returns its path. */
export function writeSnapshot(snapshot: Snapshot): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pd-win32-')), 'snapshot.json');
  writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
  return file;
}

