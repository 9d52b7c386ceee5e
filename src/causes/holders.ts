/** Who holds a port, in the words the cause checks need. Pure. */

/**
 * A service manager that listens for socket units: systemd as pid 1 (or an init of that name),
 * or a per-user `systemd --user`.
 *
 * @example
 * isServiceManager({ pid: 1, name: 'systemd' }); // true
 */
export function isServiceManager(p: { readonly pid: number; readonly name: string }): boolean {
  return (p.pid === 1 && (p.name === 'systemd' || p.name === 'init')) || p.name === 'systemd';
}
