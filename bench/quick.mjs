// Ad-hoc (not part of npm run bench): CPU time per request of the service and of the bare route,
// which is steadier than req/s on a noisy machine. Usage: node bench/quick.mjs '{"LOG_LEVEL":"warn"}'
import { readFileSync } from 'node:fs';
import { startSandbox } from '../dist/sandbox/index.js';
import { cannon, post, serviceEnv, startProcess, startService, uniquePrefix } from './lib.mjs';

const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
async function cpuPerRequest(target, childPid) {
  const before = ticks(childPid);
  const r = await cannon(target.url, { duration: 4 });
  return { usPerReq: ((ticks(childPid) - before) * 10_000) / r.total, rps: r.rps };
}
const extra = JSON.parse(process.argv[2] ?? '{}');
const sandbox = await startSandbox();
const service = await startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: uniquePrefix('q'), ...extra }));
const bare = await startProcess('bench/bare-server.mjs');
await post(service.url, { url: 'https://h5.example.com/' });
await cannon(service.url, { duration: 2 });
await cannon(bare.url, { duration: 2 });
const s = await cpuPerRequest(service, service.childPid);
const b = await cpuPerRequest(bare, bare.childPid);
console.log(JSON.stringify(extra), `service ${s.usPerReq.toFixed(0)} us/req (${s.rps.toFixed(0)} rps)`, `bare ${b.usPerReq.toFixed(0)} us/req (${b.rps.toFixed(0)} rps)`, 'ratio', (b.usPerReq / s.usPerReq).toFixed(2));
await service.stop(); await bare.stop(); await sandbox.close();
