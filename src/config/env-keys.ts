import { jdwpAddress } from './command-line.js';
import { expand, splitList, type Expansion } from './interpolate.js';
import { explicitPort, normalizeHost, toPort, type HostPort } from './text.js';
import type { DeclarationRole } from './types.js';
import { addressOf, unknownReason, type PortOutcome } from './values.js';

export interface EnvPort extends HostPort {
  readonly role: DeclarationRole;
}

/** What one environment variable declares: its role and the port (or why the port is unknown). */
export interface EnvFinding {
  readonly role: DeclarationRole;
  readonly outcome: NonNullable<PortOutcome>;
}

const URL_KEY = /(_URL|_URI|_ADDR|_ADDRESS|_ENDPOINT|_TARGET)$/;
/** Keys whose address is where the program itself listens (`LISTEN_ADDR`, `BIND_ADDRESS`). */
const BIND_KEY = /(^|_)(LISTEN|BIND)(_|$)/;
/** A bare `PORT` and these are the port of the program the variables belong to. */
const OWN_PORT_KEYS = new Set(['PORT', 'SERVER_PORT', 'HTTP_PORT', 'APP_PORT']);

/**
 * What an environment variable says about ports, from its expanded value. `PORT`/`*_PORT` give a
 * port (with the `HOST`/`*_HOST` of the same prefix as its host), `*_URL`/`*_URI`/`*_ADDR`… give a
 * client address (`LISTEN`/`BIND` keys: the program's own), `NODE_OPTIONS=--inspect=…` and
 * `JAVA_TOOL_OPTIONS=-agentlib:jdwp=…,address=*:5005` the debugger's port. `plainRole` is the role of a bare `PORT`: `unknown` in a .env file (who reads
 * it is unclear), `server` where the variables belong to one program (a Compose service, a
 * launch configuration). A port behind a variable nobody sets is an unknown port.
 *
 * @example
 * classifyEnvValue('PORT', expand('${PORT:-3000}', 'shell'), () => null, 'unknown') // { role: 'unknown', outcome: { ok: true, host: null, port: 3000, via: … } }
 */
export function classifyEnvValue(key: string, value: Expansion, hostOf: (prefix: string) => string | null, plainRole: DeclarationRole): EnvFinding[] {
  const upper = key.toUpperCase();
  const text = value.text.trim();
  const ownRole = plainRole === 'unknown' ? 'unknown' : 'server';
  if (upper === 'PORT' || upper.endsWith('_PORT')) {
    const role = OWN_PORT_KEYS.has(upper) ? plainRole : 'unknown';
    const port = toPort(text);
    const host = hostOf(upper.slice(0, -'PORT'.length));
    if (port !== null) {
      const via = value.pieces.find((p) => p.source !== null)?.source ?? null;
      return [{ role, outcome: { ok: true, host, port, via } }];
    }
    const address = addressOf(value);
    if (address !== null) return [{ role: 'client', outcome: address }];
    if (!value.complete && text !== '') return [{ role, outcome: { ok: false, host, value: text, reason: unknownReason(text) } }];
    return [];
  }
  if (JAVA_OPTIONS.test(upper)) {
    const address = jdwpAddress(text);
    const outcome = address === null ? null : addressOf(expand(address, 'shell'));
    return outcome === null ? [] : [{ role: 'server', outcome }];
  }
  if (upper === 'NODE_OPTIONS') {
    const inspect = /--inspect(?:-brk)?(?:=(\S+))?/.exec(text);
    if (inspect === null) return [];
    const outcome = inspect[1] === undefined ? { ok: true as const, host: null, port: 9229, via: null } : addressOf(expand(inspect[1], 'shell'));
    return outcome === null ? [] : [{ role: 'server', outcome }];
  }
  if (upper.endsWith('LISTENERS')) {
    // Kafka's `PLAINTEXT://0.0.0.0:29092,INTERNAL://0.0.0.0:9093`: where it listens; the advertised
    // ones are where clients are told to connect.
    const role: DeclarationRole = upper.endsWith('ADVERTISED_LISTENERS') ? 'client' : ownRole;
    return splitList(value).flatMap((item) => {
      const outcome = addressOf(item);
      return outcome === null ? [] : [{ role, outcome }];
    });
  }
  if (URL_KEY.test(upper) || upper === 'DATABASE_URL' || upper === 'URL') {
    const outcome = addressOf(value);
    if (outcome === null) return [];
    return [{ role: BIND_KEY.test(upper) ? ownRole : 'client', outcome }];
  }
  if (BIND_KEY.test(upper)) {
    // `SENTRY_BIND=9000`, `LISTEN=127.0.0.1:8080`: the program's own address.
    const outcome = addressOf(value);
    return outcome === null ? [] : [{ role: ownRole, outcome }];
  }
  if (/(^|_)PROXY(_|$)/.test(upper) && /^[[{]/.test(text)) {
    // A proxy table as JSON (Vite templates' `VITE_PROXY = [["/api","http://localhost:3000"]]`):
    // each URL in it is a target. (Only under a PROXY key: JSON lists of CORS origins are not.)
    return [...text.matchAll(/["']([a-z][a-z0-9+.-]*:\/\/[^"'\s]+)["']/gi)].flatMap((match) => {
      const outcome = addressOf(expand(match[1] ?? '', 'shell'));
      return outcome === null ? [] : [{ role: 'client' as const, outcome }];
    });
  }
  if (NOT_ADDRESS_KEY.test(upper)) return [];
  // Any other variable holding `http://api:4000` or `kafka:9092` names a service to connect to. An
  // address without a port of its own (`https://example.com`) is only one under an address key.
  const outcome = addressOf(value);
  if (outcome === null || !explicitPort(text)) return [];
  return [{ role: 'client', outcome }];
}

/** JVM option variables, where a JDWP debug port is set. */
const JAVA_OPTIONS = /^(_?JAVA_OPTS|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JAVA_OPTIONS|JDK_JAVA_OPTIONS|MAVEN_OPTS|CATALINA_OPTS)$/;
/** Variables whose `name:tag` values look like `host:port` but are not (`IMAGE=postgres:16`). */
const NOT_ADDRESS_KEY = /(^|_)(IMAGE|VERSION|TAG|PLATFORM|DIGEST|TIME|DATE|TZ|RATIO|SIZE|LIMIT|TIMEOUT|INTERVAL|PROFILES?)(_|$)/;

/**
 * The same for a plain value (no variables): a port, or null.
 *
 * @example
 * classifyEnv('API_URL', 'http://localhost:8080', new Map(), 'unknown') // { role: 'client', host: 'localhost', port: 8080 }
 */
export function classifyEnv(key: string, value: string, all: ReadonlyMap<string, string>, plainRole: DeclarationRole): EnvPort | null {
  const found = classifyEnvValue(key, expand(value, 'shell'), (prefix) => hostFrom(all, prefix), plainRole)[0];
  return found === undefined || !found.outcome.ok ? null : { role: found.role, host: found.outcome.host, port: found.outcome.port };
}

/** The `HOST`/`HOSTNAME` that goes with a `*PORT` of the same prefix, from a set of variables. */
export function hostFrom(all: Pick<ReadonlyMap<string, string>, 'get'>, prefix: string): string | null {
  const value = all.get(`${prefix}HOST`) ?? all.get(`${prefix}HOSTNAME`) ?? null;
  return value === null || value.trim() === '' || value.includes('$') ? null : normalizeHost(value.trim());
}
