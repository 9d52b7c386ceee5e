import { it } from 'vitest';
import { parseNetstat } from '../../src/platform/darwin/netstat.js';
import { darwinFixture } from '../helpers/darwin-fixtures.js';
it('dbg', () => {
  const r = parseNetstat(darwinFixture('netstat-tcp-gencnt-landontclipp.txt'), { fullAddresses: true });
  console.log(r.layout, r.rows.length, r.rows.map((x) => `${x.address}:${x.port} ${x.state} ${x.pid}`), r.problems);
});
