import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { collectLogs } from '../collectors/logs.js';
import { scanConfig } from '../config/scan.js';
import { isListening } from '../inventory.js';
import type { LogOwner, LogReport } from '../logs/types.js';
import type { Socket } from '../types.js';
import type { ConfigFactsOfDoctor, DoctorOptions } from './types.js';

/** Files whose presence says "this directory is a project": worth scanning for port declarations. */
const PROJECT_MARKERS = [
  'package.json',
  '.env',
  'docker-compose.yml',
  'docker-compose.yaml',
  'compose.yml',
  'compose.yaml',
  'Procfile',
  'pom.xml',
  'build.gradle',
  'Gemfile',
  'manage.py',
  'pyproject.toml',
  'requirements.txt',
  'nginx.conf',
  'Dockerfile',
  'go.mod',
  'Cargo.toml',
];

/** The current directory, when it looks like a project (the doctor's default config scan). */
export function projectDirectory(cwd = process.cwd()): string | null {
  return PROJECT_MARKERS.some((marker) => existsSync(join(cwd, marker))) ? cwd : null;
}

/** Scans the chosen directory: --config DIR, else the current directory if it is a project. */
export async function collectConfig(options: DoctorOptions): Promise<ConfigFactsOfDoctor | null> {
  if (options.configDir === null) return null;
  const dir = options.configDir ?? projectDirectory();
  if (dir === null) return null;
  const scan = await scanConfig(dir);
  return { dir, chosen: options.configDir === undefined ? 'cwd' : 'option', scan };
}

/**
 * Whose logs to read: what the options name, else the process holding the port (its pid, and its
 * systemd unit or container when it has one). Null when there is nobody to ask.
 */
export function logOwnerOf(sockets: readonly Socket[], port: number, options: DoctorOptions): LogOwner | null {
  const holder = sockets.find((s) => isListening(s) && s.port === port && s.processes.length > 0)?.processes[0];
  const owner: { pid?: number; unit?: string; container?: string; logFile?: string } = {};
  const given = options.logOwner ?? {};
  if (given.pid !== undefined) owner.pid = given.pid;
  else if (holder !== undefined) owner.pid = holder.pid;
  if (given.unit !== undefined) owner.unit = given.unit;
  else if (holder?.unit) owner.unit = holder.unit;
  if (given.container !== undefined) owner.container = given.container;
  else if (holder?.container) owner.container = holder.container;
  if (given.logFile !== undefined) owner.logFile = given.logFile;
  return Object.keys(owner).length === 0 ? null : owner;
}

/** Reads the owner's logs (bounded in time and size by the collector), or nothing without an owner. */
export async function collectOwnerLogs(owner: LogOwner | null): Promise<LogReport | null> {
  return owner === null ? null : collectLogs(owner);
}
