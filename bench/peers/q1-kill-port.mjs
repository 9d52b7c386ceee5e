// Q1: kill-port 2.0.1, Linux code path, WITHOUT the kill.
// (Copied from the team's reference harness, ../shared/bench/peers/q1-kill-port.mjs.)
// kill-port runs (via shell-exec = `sh -c CMD`):
//   1. `lsof -i -P`  and checks some line matches /:*PORT/
//   2. `lsof -i tcp:PORT | grep LISTEN | awk '{print $2}' | xargs kill -9`
// We run exactly the same two commands with the same library, minus `| xargs kill -9`,
// and print the pids it would have killed.
import { bench, intArg, printLines } from './lib.mjs';
const port = intArg(0);
const method = 'tcp';
const pids = await bench(() => import('shell-exec'), async (m) => {
  const sh = m.default;
  const res = await sh('lsof -i -P');
  if (!res.stdout) return [];
  const exist = res.stdout.split('\n').filter((line) => line.match(new RegExp(`:*${port}`))).length > 0;
  if (!exist) return [];
  const r2 = await sh(`lsof -i ${method === 'udp' ? 'udp' : 'tcp'}:${port} | grep ${method === 'udp' ? 'UDP' : 'LISTEN'} | awk '{print $2}'`);
  return r2.stdout.split('\n').filter(Boolean);
});
printLines(pids);
