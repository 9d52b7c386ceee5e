// Q1: systeminformation — networkConnections(), keep TCP LISTEN rows on PORT -> pids
// (Copied from the team's reference harness, ../shared/bench/peers/q1-systeminformation.mjs.)
import { bench, intArg, printLines } from './lib.mjs';
const port = intArg(0);
const rows = await bench(() => import('systeminformation'), (m) => m.default.networkConnections());
printLines([...new Set(rows
  .filter((r) => String(r.protocol).startsWith('tcp') && r.state === 'LISTEN' && String(r.localPort) === String(port))
  .map((r) => (r.pid == null ? '-' : r.pid)))]);
