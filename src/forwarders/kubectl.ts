/**
 * `kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...]` (kubectl reference,
 * https://kubernetes.io/docs/reference/kubectl/generated/kubectl_port-forward). Flags follow pflag:
 * `--name value`, `--name=value`, `-n value`, `-nvalue`, and they may come anywhere, before or after
 * the subcommand and the arguments. `--address` defaults to `localhost` (127.0.0.1 and ::1).
 */
import { portNumber } from './ports.js';
import type { ArgvForwards, Forward, KubeResource } from './types.js';

/** kubectl's flags that take a value (global flags and port-forward's own), long names. */
const LONG_WITH_VALUE = new Set([
  'address', 'pod-running-timeout', 'namespace', 'context', 'cluster', 'user', 'kubeconfig', 'server', 'token', 'as',
  'as-group', 'as-uid', 'as-user-extra', 'cache-dir', 'certificate-authority', 'client-certificate', 'client-key',
  'tls-server-name', 'request-timeout', 'profile', 'profile-output', 'log-dir', 'log-file', 'log-file-max-size',
  'log-flush-frequency', 'v', 'vmodule', 'username', 'password', 'log-backtrace-at', 'stderrthreshold', 'kuberc',
  'azure-container-registry-config',
]);
const LONG_BOOLEAN = new Set([
  'help', 'insecure-skip-tls-verify', 'match-server-version', 'warnings-as-errors', 'disable-compression',
  'alsologtostderr', 'logtostderr', 'skip-headers', 'skip-log-headers', 'one-output', 'add-dir-header',
]);
/** Shorthands: -n namespace, -s server, -v verbosity; -h help. */
const SHORT_WITH_VALUE: Readonly<Record<string, string>> = { n: 'namespace', s: 'server', v: 'v' };
const SHORT_BOOLEAN = new Set(['h']);

type Flags = Map<string, string[]>;

function readFlags(args: readonly string[]): { ok: true; flags: Flags; positional: string[] } | { ok: false; reason: string } {
  const flags: Flags = new Map();
  const positional: string[] = [];
  const set = (name: string, value: string): void => void flags.set(name, [...(flags.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq === -1 ? undefined : eq);
      if (LONG_BOOLEAN.has(name)) continue;
      if (!LONG_WITH_VALUE.has(name)) return { ok: false, reason: `kubectl flag ${arg} is not one portdoctor knows` };
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) return { ok: false, reason: `kubectl flag ${arg} without its value` };
      set(name, value);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg[1] ?? '';
      if (SHORT_BOOLEAN.has(letter) && arg.length === 2) continue;
      const name = SHORT_WITH_VALUE[letter];
      if (name === undefined) return { ok: false, reason: `kubectl flag ${arg} is not one portdoctor knows` };
      const attached = arg.slice(2).replace(/^=/, '');
      const value = attached !== '' ? attached : args[++i];
      if (value === undefined) return { ok: false, reason: `kubectl flag ${arg} without its value` };
      set(name, value);
      continue;
    }
    positional.push(arg);
  }
  return { ok: true, flags, positional };
}

/** `pod/web`, `web` (a pod), `deployment/web`, `svc/web` → the resource; null when it is not TYPE/NAME. */
function resourceOf(text: string, namespace: string | null, context: string | null): KubeResource | null {
  const parts = text.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) return null;
  const [kind, name] = parts.length === 2 ? [parts[0] ?? '', parts[1] ?? ''] : ['pod', parts[0] ?? ''];
  return { kind: kind.toLowerCase(), name, namespace, context };
}

/**
 * The forwards of a `kubectl port-forward` process, from its argv (program name first).
 *
 * @example
 * parseKubectlArgv(['kubectl', 'port-forward', '-n', 'shop', 'svc/web', '8080:80'], 31).forwards
 * // [{ kind: 'kubectl-port-forward', listensOn: 'this-host', from: { address: 'localhost', port: 8080, protocol: 'tcp' },
 * //    to: { host: 'svc/web', port: 80, resource: { kind: 'svc', name: 'web', namespace: 'shop', context: null } },
 * //    stop: 'kill 31' }]
 */
export function parseKubectlArgv(argv: readonly string[], pid: number | null = null): ArgvForwards {
  const read = readFlags(argv.slice(1));
  if (!read.ok) return read;
  const [command, resourceText, ...ports] = read.positional;
  if (command !== 'port-forward') return { ok: false, reason: 'not a kubectl port-forward command line' };
  if (resourceText === undefined || ports.length === 0) return { ok: false, reason: 'kubectl port-forward without a resource and ports' };
  const resource = resourceOf(resourceText, read.flags.get('namespace')?.at(-1) ?? null, read.flags.get('context')?.at(-1) ?? null);
  if (resource === null) return { ok: false, reason: `kubectl port-forward resource not understood: ${resourceText}` };
  const addresses = (read.flags.get('address') ?? ['localhost']).flatMap((a) => a.split(',')).filter((a) => a !== '');
  const stop = pid === null ? 'stop this kubectl process (kill its pid, or Ctrl-C where it runs)' : `kill ${pid}`;
  const forwards: Forward[] = [];
  for (const spec of ports) {
    // LOCAL:REMOTE, :REMOTE or 0:REMOTE (kubectl picks the local port), or REMOTE alone (same port both sides).
    const [localText, remoteText] = spec.includes(':') ? spec.split(':', 2) : [spec, spec];
    if (localText === undefined || remoteText === undefined || spec.split(':').length > 2) return { ok: false, reason: `kubectl port spec not understood: ${spec}` };
    const local = localText === '' ? 0 : portNumber(localText, true);
    const remote = portNumber(remoteText);
    const remoteName = remote === null && /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(remoteText) && /[a-z]/.test(remoteText) ? remoteText : null;
    if (local === null || (remote === null && remoteName === null)) return { ok: false, reason: `kubectl port spec not understood: ${spec}` };
    for (const address of addresses) {
      forwards.push({
        kind: 'kubectl-port-forward',
        listensOn: 'this-host',
        from: { address, port: local === 0 ? null : local, protocol: 'tcp' },
        to: { host: `${resource.kind}/${resource.name}`, port: remote, ...(remoteName === null ? {} : { portName: remoteName }), resource },
        stop,
      });
    }
  }
  return { ok: true, forwards };
}
