// The credential API's warm GET against a bare Fastify route returning a value held in memory after a
// bearer check, side by side, alternating. Rate limits off (RATE_LIMIT_PER_MINUTE=0), then on with a limit
// no client reaches, which adds one count in Redis per request.
import autocannon from 'autocannon';
import { cpuNs, serviceEnv, startProcess, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

const BEARER = 'bench-consumer-secret-0123456789abcdef';

/** req/s, and the server's CPU time per request (steadier than req/s on a busy machine) */
async function load(target, path, duration) {
  const before = cpuNs(target.childPid);
  const r = await new Promise((resolve, reject) =>
    autocannon(
      { url: `${target.url}${path}`, connections: 50, pipelining: 1, duration, headers: { authorization: `Bearer ${BEARER}` } },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  const cpuUs = (cpuNs(target.childPid) - before) / 1000 / r.requests.total;
  return { rps: r.requests.average, cpuUs, errors: r.non2xx + r.errors + r.timeouts };
}

const median = (xs, key) => xs.map((x) => x[key]).sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function credentialApi({ rounds = 5, duration = 4, env = {} } = {}) {
  const sandbox = await startSandboxProcess();
  const path = `/wechat/credentials/${sandbox.account.appId}/access_token`;
  const start = (limit) =>
    startService(
      serviceEnv(sandbox, {
        CACHE_KEY_PREFIX: uniquePrefix('credapi'),
        CREDENTIAL_API_TOKENS: `bench:${BEARER}`,
        RATE_LIMIT_PER_MINUTE: String(limit),
        ...env,
      }),
    );
  const bare = await startProcess('bench/bare-credential-server.mjs', { BENCH_BEARER: BEARER });
  const result = {};
  try {
    for (const [name, limit] of [
      ['limitsOff', 0],
      ['limitsOn', 1_000_000],
    ]) {
      const service = await start(limit);
      try {
        const first = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${BEARER}` } });
        if (first.status !== 200) throw new Error(`the credential API answered ${first.status}`);
        await load(service, path, 2);
        await load(bare, path, 2);
        const runs = { service: [], bare: [] };
        for (let i = 0; i < rounds; i++) {
          runs.bare.push(await load(bare, path, duration));
          runs.service.push(await load(service, path, duration));
        }
        const [rps, bareRps] = [median(runs.service, 'rps'), median(runs.bare, 'rps')];
        const [cpuUs, bareCpuUs] = [median(runs.service, 'cpuUs'), median(runs.bare, 'cpuUs')];
        result[name] = {
          service: rps,
          bare: bareRps,
          ratio: rps / bareRps,
          serviceCpu: cpuUs,
          bareCpu: bareCpuUs,
          cpuRatio: bareCpuUs / cpuUs,
          errors: [...runs.service, ...runs.bare].reduce((n, r) => n + r.errors, 0),
        };
      } finally {
        await service.stop();
      }
    }
    return result;
  } finally {
    await bare.stop();
    await sandbox.stop();
  }
}
