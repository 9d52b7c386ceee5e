// Q1: find-process — findProcess('port', PORT) -> pids
// (Copied from the team's reference harness, ../shared/bench/peers/q1-find-process.mjs.)
import { bench, intArg, printLines } from './lib.mjs';
const port = intArg(0);
const list = await bench(() => import('find-process'), (m) => (m.default.default || m.default)('port', port));
printLines([...new Set(list.map((p) => p.pid))]);
