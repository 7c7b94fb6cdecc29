// The credential API's warm GET against a bare Fastify route returning a value held in memory after a
// bearer check, side by side, alternating. Rate limits off (RATE_LIMIT_PER_MINUTE=0), then on with a limit
// no client reaches, which adds one count in Redis per request.
import autocannon from 'autocannon';
import { serviceEnv, startProcess, startSandboxProcess, startService, uniquePrefix } from './lib.mjs';

const BEARER = 'bench-consumer-secret-0123456789abcdef';

function load(url, duration) {
  return new Promise((resolve, reject) =>
    autocannon({ url, connections: 50, pipelining: 1, duration, headers: { authorization: `Bearer ${BEARER}` } }, (error, r) =>
      error ? reject(error) : resolve({ rps: r.requests.average, errors: r.non2xx + r.errors + r.timeouts }),
    ),
  );
}

export async function credentialApi({ rounds = 5, duration = 4 } = {}) {
  const sandbox = await startSandboxProcess();
  const path = `/wechat/credentials/${sandbox.account.appId}/access_token`;
  const start = (limit) =>
    startService(
      serviceEnv(sandbox, {
        CACHE_KEY_PREFIX: uniquePrefix('credapi'),
        CREDENTIAL_API_TOKENS: `bench:${BEARER}`,
        RATE_LIMIT_PER_MINUTE: String(limit),
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
        await load(`${service.url}${path}`, 2);
        await load(`${bare.url}${path}`, 2);
        const runs = { service: [], bare: [] };
        for (let i = 0; i < rounds; i++) {
          runs.bare.push(await load(`${bare.url}${path}`, duration));
          runs.service.push(await load(`${service.url}${path}`, duration));
        }
        const median = (xs) => xs.map((x) => x.rps).sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const errors = [...runs.service, ...runs.bare].reduce((n, r) => n + r.errors, 0);
        result[name] = {
          service: median(runs.service),
          bare: median(runs.bare),
          ratio: median(runs.service) / median(runs.bare),
          errors,
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
