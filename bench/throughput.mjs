// Signing throughput and latency, warm Redis-backed cache, against the bare Fastify route, side by side.
// `env` changes the service's environment (e.g. a Redis Cluster instead of one node).
import { cannon, post, serviceEnv, startProcess, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

export async function throughput({ rounds = 5, duration = 5, env = {} } = {}) {
  const sandbox = await startSandboxProcess();
  const service = await startService(serviceEnv(sandbox, { CACHE_KEY_PREFIX: uniquePrefix('tp'), ...env }));
  const bare = await startProcess('bench/bare-server.mjs');
  try {
    if ((await post(service.url, { url: 'https://h5.example.com/' })).status !== 200) throw new Error('service does not sign');
    await cannon(service.url, { duration: 2 });
    await cannon(bare.url, { duration: 2 });
    const runs = { service: [], bare: [] };
    // Alternate the two so drift on the machine hits both alike.
    for (let i = 0; i < rounds; i++) {
      runs.bare.push(await cannon(bare.url, { duration }));
      runs.service.push(await cannon(service.url, { duration }));
    }
    const median = (xs, key) => xs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const s = { rps: median(runs.service, 'rps'), p50: median(runs.service, 'p50'), p99: median(runs.service, 'p99') };
    const b = { rps: median(runs.bare, 'rps'), p50: median(runs.bare, 'p50'), p99: median(runs.bare, 'p99') };
    const errors = [...runs.service, ...runs.bare].reduce((n, r) => n + r.non2xx, 0);
    return { service: s, bare: b, ratio: s.rps / b.rps, errors };
  } finally {
    await service.stop();
    await bare.stop();
    await sandbox.stop();
  }
}
