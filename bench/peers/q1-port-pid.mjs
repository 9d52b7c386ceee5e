// Q1: port-pid — portPid(PORT) -> { all, tcp, udp }; we print the tcp pids
// (Copied from the team's reference harness, ../shared/bench/peers/q1-port-pid.mjs.)
import { bench, intArg, printLines } from './lib.mjs';
const port = intArg(0);
const r = await bench(() => import('port-pid'), (m) => m.default(port));
printLines(r.tcp);
