// Q2: systeminformation — networkConnections(); print listening rows as "proto addr port pid".
// (Copied from the team's reference harness, ../shared/bench/peers/q2-systeminformation.mjs.)
// (Linux: it runs `netstat -tunap | grep <states>`; UDP rows have no state and are dropped by that grep.)
import { bench, printLines } from './lib.mjs';
const rows = await bench(() => import('systeminformation'), (m) => m.default.networkConnections());
printLines(rows
  .filter((r) => r.state === 'LISTEN' || (String(r.protocol).startsWith('udp') && !r.peerPort))
  .map((r) => `${String(r.protocol).replace(/6$/, '')} ${r.localAddress} ${r.localPort} ${r.pid == null ? '-' : r.pid}`));
