import { platform } from '../platform/index.js';
import type { Snapshot, SnapshotOptions } from '../platform/snapshot/format.js';

/**
 * Records every raw source portdoctor reads on this machine — command outputs and file contents,
 * exactly as read — into one JSON-serialisable document, for a bug report that can be replayed
 * anywhere (`portdoctor --replay FILE`). With `redact`, user names, home paths and command-line
 * arguments become stable placeholders.
 *
 * @example
 * const snapshot = await recordSnapshot({ redact: true });
 * writeFileSync('snapshot.json', JSON.stringify(snapshot));
 */
export async function recordSnapshot(options: SnapshotOptions = {}): Promise<Snapshot> {
  return (await platform()).snapshot(options);
}
