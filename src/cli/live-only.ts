import { PortdoctorError } from '../errors.js';
import { replayRequested } from '../platform/index.js';

/**
 * Commands that act on the live machine (connect, bind, listen, wait) have nothing to act on in a
 * replayed snapshot: they refuse with exit 2 instead of pretending.
 */
export function refuseOnReplay(command: string, what: string): void {
  if (!replayRequested()) return;
  throw new PortdoctorError('needs-live-machine', `${command} cannot run on a replayed snapshot: ${what} needs the live machine.`, {
    hint: `Run 'portdoctor ${command}' on the machine the snapshot came from; 'who', 'ls', 'doctor', 'info' and 'free' answer from a snapshot.`,
  });
}
