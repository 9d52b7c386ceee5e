import dns from 'node:dns';
import { isIP } from 'node:net';

/**
 * The loopback addresses a bare port means. Both families, always: the classic waiter bug is to
 * try only what `localhost` resolves to first, and loop forever when the server listens on the
 * other family (Vite on [::1], a Python server on 127.0.0.1).
 */
export const LOOPBACK_ADDRESSES: readonly string[] = ['127.0.0.1', '::1'];

/**
 * Where a bare port must be bindable to count as free: a server could take it on any loopback or
 * wildcard address, and a listener on any address of either family (127.0.0.2 included) makes
 * the wildcard binds fail. `::` is bound dual-stack, so it also collides with IPv4 listeners.
 */
export const FREE_CHECK_ADDRESSES: readonly string[] = ['127.0.0.1', '::1', '0.0.0.0', '::'];

/** How long one getaddrinfo call may take before we stop waiting for it (it has no timeout). */
const LOOKUP_TIMEOUT_MS = 2000;

/** The addresses to try for a target host, at one moment. */
export interface AddressSet {
  readonly addresses: readonly string[];
  /** Why the name did not resolve (`localhost: ENOTFOUND`), or null. */
  readonly error: string | null;
  /** True when the answer may change (a name: a hosts entry or a DNS record may appear). */
  readonly dynamic: boolean;
}

/**
 * The addresses that need no lookup: the loopback pair for a bare port, the address of an IP
 * literal; nothing for a name.
 *
 * @example
 * addressesKnownAtOnce(null); // ['127.0.0.1', '::1']
 */
export function addressesKnownAtOnce(host: string | null): readonly string[] {
  if (host === null) return LOOPBACK_ADDRESSES;
  return isIP(host) === 0 ? [] : [host];
}

/**
 * The addresses to try for `host` (null: a bare port). Never throws: a name that does not resolve
 * is an empty set with the reason, because a name may start resolving later.
 *
 * @example
 * await addressesToTry(null);        // { addresses: ['127.0.0.1', '::1'], error: null, dynamic: true }
 * await addressesToTry('::1');       // { addresses: ['::1'], error: null, dynamic: false }
 */
export async function addressesToTry(host: string | null): Promise<AddressSet> {
  if (host === null) {
    // Whatever `localhost` resolves to here joins the fixed pair (a distro may map it to 127.0.1.1).
    const local = await lookupAll('localhost');
    return { addresses: unique([...LOOPBACK_ADDRESSES, ...(local.ok ? local.addresses : [])]), error: null, dynamic: true };
  }
  if (isIP(host) !== 0) return { addresses: [host], error: null, dynamic: false };
  const found = await lookupAll(host);
  return found.ok
    ? { addresses: unique(found.addresses), error: null, dynamic: true }
    : { addresses: [], error: `${host} does not resolve (${found.code})`, dynamic: true };
}

/**
 * The addresses to bind for `--free`: the four loopback/wildcard spellings for a bare port,
 * otherwise what the host is (an IP literal) or resolves to.
 */
export async function addressesToBind(host: string | null): Promise<AddressSet> {
  if (host === null) return { addresses: FREE_CHECK_ADDRESSES, error: null, dynamic: false };
  return addressesToTry(host);
}

type LookupOutcome = { readonly ok: true; readonly addresses: string[] } | { readonly ok: false; readonly code: string };

function lookupAll(host: string): Promise<LookupOutcome> {
  return new Promise((resolve) => {
    // getaddrinfo runs on the libuv pool and cannot be cancelled; the timer only ends our wait.
    const timer = setTimeout(() => resolve({ ok: false, code: 'lookup timed out' }), LOOKUP_TIMEOUT_MS);
    timer.unref();
    dns.lookup(host, { all: true }, (error, entries) => {
      clearTimeout(timer);
      if (error) resolve({ ok: false, code: error.code ?? 'EUNKNOWN' });
      else resolve({ ok: true, addresses: entries.map((entry) => entry.address) });
    });
  });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
