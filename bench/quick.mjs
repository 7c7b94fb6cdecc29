// Ad hoc (not part of npm run bench): CPU time per request of the service and of the bare route,
// steadier than req/s on a noisy machine (all threads' run time from /proc, median of rounds).
// Usage: node bench/quick.mjs '{"LOG_LEVEL":"silent"}'   (extra service environment, optional)
import { cannon, cpuNs, post, serviceEnv, startProcess, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

async function usPerRequest(target) {
  const before = cpuNs(target.childPid);
  const r = await cannon(target.url, { duration: 2 });
  return (cpuNs(target.childPid) - before) / 1000 / r.total;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const extra = JSON.parse(process.argv[2] ?? '{}');
const sandbox = await startSandboxProcess();
const service = await startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: uniquePrefix('q'), ...extra }));
const bare = await startProcess('bench/bare-server.mjs');
try {
  await post(service.url, { url: 'https://h5.example.com/' });
  await cannon(service.url, { duration: 2 });
  await cannon(bare.url, { duration: 2 });
  const s = [];
  const b = [];
  for (let i = 0; i < 5; i++) {
    b.push(await usPerRequest(bare));
    s.push(await usPerRequest(service));
  }
  console.log(
    JSON.stringify(extra),
    `service ${median(s).toFixed(1)} us/req`,
    `bare ${median(b).toFixed(1)} us/req`,
    'ratio',
    (median(b) / median(s)).toFixed(2),
  );
} finally {
  await service.stop();
  await bare.stop();
  await sandbox.stop();
}
