import { parseAddress, toPort, type HostPort } from './text.js';
import type { DeclarationRole } from './types.js';

export interface EnvPort extends HostPort {
  readonly role: DeclarationRole;
}

/**
 * What an environment variable says about ports. `PORT`/`*_PORT` give a port (with the matching
 * `HOST`/`*_HOST` of the same prefix as its host), `*_URL`/`*_URI`/`*_ADDR` give a client address.
 * `plainRole` is the role of a bare `PORT`: `unknown` in a .env file (who reads it is unclear),
 * `server` where the variables belong to one program (a Compose service, a launch configuration).
 *
 * @example
 * classifyEnv('API_URL', 'http://localhost:8080', new Map(), 'unknown') // { role: 'client', host: 'localhost', port: 8080 }
 */
export function classifyEnv(key: string, value: string, all: ReadonlyMap<string, string>, plainRole: DeclarationRole): EnvPort | null {
  const upper = key.toUpperCase();
  if (upper === 'PORT' || upper.endsWith('_PORT')) {
    const port = toPort(value);
    if (port === null) return parseUrlLike(value, 'client');
    const prefix = upper.slice(0, -'PORT'.length);
    const hostValue = all.get(`${prefix}HOST`) ?? all.get(`${prefix}HOSTNAME`) ?? null;
    const host = hostValue === null || hostValue.trim() === '' ? null : hostValue.trim();
    const role = upper === 'PORT' || upper === 'SERVER_PORT' || upper === 'HTTP_PORT' || upper === 'APP_PORT' ? plainRole : 'unknown';
    return { role, host, port };
  }
  if (/(_URL|_URI|_ADDR|_ADDRESS|_ENDPOINT|_TARGET)$/.test(upper) || upper === 'DATABASE_URL' || upper === 'URL') {
    return parseUrlLike(value, 'client');
  }
  return null;
}

function parseUrlLike(value: string, role: DeclarationRole): EnvPort | null {
  const address = parseAddress(value);
  return address === null ? null : { role, ...address };
}
