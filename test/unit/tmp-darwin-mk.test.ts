import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as s from '../helpers/darwin-snapshots.js';
it('writes', () => {
  const paths = s.writeSnapshots({ processPid: s.processPidSnapshot(), airplay: s.airplaySnapshot(), bytes: s.bytesSnapshot(), gencnt: s.gencntSnapshot(), classic: s.classicSnapshot(), noPid: s.noPidSnapshot(), headerless: s.headerlessSnapshot() });
  writeFileSync('/tmp/pd-darwinb/paths.json', JSON.stringify(paths));
});
